package admission

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/metrics"
)

// MaxRequestBytes bounds an AdmissionReview body. The API server accepts
// objects of up to 3 MiB and a review of an update carries two of them.
const MaxRequestBytes = 7 << 20

// reviewAPIVersion is the only AdmissionReview version served; the webhook
// configuration asks for it with admissionReviewVersions: [v1].
var reviewAPIVersion = admissionv1.SchemeGroupVersion.String()

// checkedKinds are the argoproj.io kinds reviewed.
var checkedKinds = []string{v1alpha1.KindEventSource, v1alpha1.KindSensor, v1alpha1.KindEventBus}

// badRequest is a review the API server should never send: answered 400.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

func badRequestf(format string, args ...any) error {
	return badRequest{msg: fmt.Sprintf(format, args...)}
}

// reviewer answers AdmissionReviews with the verdict of "herald lint".
type reviewer struct {
	support validation.Support
	log     *slog.Logger
	metrics *metrics.Admission
}

// ServeHTTP answers POST /validate.
func (rv *reviewer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			rv.log.Error("admission review panicked", "panic", fmt.Sprint(p))
			rv.metrics.Reviewed("unknown", resultError)
			http.Error(w, "internal error reviewing the object", http.StatusInternalServerError)
		}
	}()
	review, status, err := readReview(w, r)
	if err == nil {
		var resp *admissionv1.AdmissionResponse
		if resp, err = rv.review(review.Request); err == nil {
			writeReview(w, rv.log, admissionv1.AdmissionReview{TypeMeta: review.TypeMeta, Response: resp})
			return
		}
		status = http.StatusBadRequest
	}
	rv.log.Warn("bad admission review", "error", err.Error())
	rv.metrics.Reviewed("unknown", resultBadRequest)
	http.Error(w, err.Error(), status)
}

// readReview reads and checks the body of an admission request, returning
// the HTTP status to answer with when it is not a usable review.
func readReview(w http.ResponseWriter, r *http.Request) (*admissionv1.AdmissionReview, int, error) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("content type %q: want application/json", r.Header.Get("Content-Type"))
	}
	var review admissionv1.AdmissionReview
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err := dec.Decode(&review); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the AdmissionReview is larger than %d bytes", MaxRequestBytes)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("decoding the AdmissionReview: %w", err)
	}
	switch {
	case review.APIVersion != reviewAPIVersion || review.Kind != "AdmissionReview":
		return nil, http.StatusBadRequest, fmt.Errorf("got %s %q: want apiVersion %s, kind AdmissionReview", review.Kind, review.APIVersion, reviewAPIVersion)
	case review.Request == nil:
		return nil, http.StatusBadRequest, errors.New("the AdmissionReview has no request")
	case review.Request.UID == "":
		return nil, http.StatusBadRequest, errors.New("the AdmissionReview's request has no uid")
	}
	return &review, http.StatusOK, nil
}

func writeReview(w http.ResponseWriter, log *slog.Logger, review admissionv1.AdmissionReview) {
	data, err := json.Marshal(review)
	if err != nil {
		log.Error("encoding an admission review", "error", err.Error())
		http.Error(w, "encoding the AdmissionReview", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(data)
}

// review decides on one request. CREATE and UPDATE of the three kinds are
// checked; anything else is allowed. The error is for a request that
// cannot be reviewed at all.
func (rv *reviewer) review(req *admissionv1.AdmissionRequest) (*admissionv1.AdmissionResponse, error) {
	allow := &admissionv1.AdmissionResponse{UID: req.UID, Allowed: true}
	kind := req.Kind.Kind
	if req.Kind.Group != v1alpha1.Group || !slices.Contains(checkedKinds, kind) {
		// A webhook configuration that sends other kinds is a mistake; it
		// must not block them.
		allow.Warnings = []string{fmt.Sprintf("herald admission does not check %s %s", schemaGVK(req.Kind), kind)}
		rv.metrics.Reviewed("other", resultAllowed)
		return allow, nil
	}
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		rv.metrics.Reviewed(kind, resultAllowed)
		return allow, nil
	}
	if len(req.Object.Raw) == 0 {
		return nil, badRequestf("the %s request for %s %s has no object", req.Operation, kind, req.Name)
	}
	var meta metav1.TypeMeta
	if err := json.Unmarshal(req.Object.Raw, &meta); err != nil {
		return nil, badRequestf("decoding the object: %s", err)
	}
	if meta.Kind != kind {
		return nil, badRequestf("the object is a %q, the request says %s", meta.Kind, kind)
	}
	if req.Operation == admissionv1.Update && unchangedSpec(req.OldObject.Raw, req.Object.Raw) {
		// Metadata-only changes (labels, finalizers, a deletion) of an
		// object that predates the webhook must not be blocked.
		rv.metrics.Reviewed(kind, resultAllowed)
		return allow, nil
	}
	v := check(req.Object.Raw, rv.support)
	warnings := messages(v.warnings)
	if len(v.errors) == 0 {
		allow.Warnings = warnings
		result := resultAllowed
		if len(warnings) > 0 {
			result = resultWarned
		}
		rv.metrics.Reviewed(kind, result)
		return allow, nil
	}
	errs := messages(v.errors)
	causes := make([]metav1.StatusCause, 0, len(v.errors))
	for _, d := range v.errors {
		causes = append(causes, metav1.StatusCause{Type: metav1.CauseTypeFieldValueInvalid, Field: d.Path, Message: d.Message})
	}
	rv.log.Info("admission denied", "kind", kind, "namespace", req.Namespace, "name", req.Name,
		"operation", string(req.Operation), "user", req.UserInfo.Username, "errors", len(errs))
	rv.metrics.Reviewed(kind, resultDenied)
	return &admissionv1.AdmissionResponse{
		UID:     req.UID,
		Allowed: false,
		Result: &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusUnprocessableEntity,
			Reason:  metav1.StatusReasonInvalid,
			Message: strings.Join(errs, "; "),
			Details: &metav1.StatusDetails{Group: req.Kind.Group, Kind: kind, Name: req.Name, Causes: causes},
		},
		Warnings: warnings,
	}, nil
}

func schemaGVK(gvk metav1.GroupVersionKind) string {
	if gvk.Group == "" {
		return gvk.Version
	}
	return gvk.Group + "/" + gvk.Version
}

// unchangedSpec reports whether an update leaves the spec as it was, or
// comes while the object is being deleted (its finalizers going away).
func unchangedSpec(oldRaw, newRaw []byte) bool {
	type object struct {
		Metadata struct {
			DeletionTimestamp *metav1.Time `json:"deletionTimestamp"`
		} `json:"metadata"`
		Spec any `json:"spec"`
	}
	var oldObj, newObj object
	if len(oldRaw) == 0 || json.Unmarshal(oldRaw, &oldObj) != nil || json.Unmarshal(newRaw, &newObj) != nil {
		return false
	}
	return newObj.Metadata.DeletionTimestamp != nil || reflect.DeepEqual(oldObj.Spec, newObj.Spec)
}
