package validation

import (
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// httpTriggerMethods are the methods Argo's http trigger accepts.
var httpTriggerMethods = map[string]bool{
	http.MethodGet: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true,
}

// standardMethods are the request methods net/http names.
var standardMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodConnect: true,
	http.MethodOptions: true, http.MethodTrace: true,
}

// validateHTTPTrigger checks an http trigger's URL, method and timeout. Its
// parameters and payload are checked by the caller. rewritten holds the
// template paths that trigger-level parameters replace at run time.
func validateHTTPTrigger(r *report, path *field.Path, h *v1alpha1.HTTPTrigger, rewritten map[string]bool) {
	sets := func(field string) bool { return rewritten["http."+field] || paramSets(h.Parameters, field) }
	urlPath := path.Child("url")
	switch {
	case h.URL == "":
		r.add(required(urlPath, "url is required: where the request is sent"))
	case !sets("url"):
		u, err := url.Parse(h.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			r.add(invalid(urlPath, h.URL, "%q is not an absolute http or https URL", h.URL))
		}
	}
	if h.Method != "" && !httpTriggerMethods[h.Method] {
		detail := "unknown method %q (want GET, POST, PUT, PATCH, DELETE)"
		switch upper := strings.ToUpper(h.Method); {
		case httpTriggerMethods[upper]:
			detail = "method %q must be written in upper case (want GET, POST, PUT, PATCH, DELETE)"
		case standardMethods[upper]:
			detail = "method %q is not accepted by http triggers (want GET, POST, PUT, PATCH, DELETE)"
		}
		r.add(invalid(path.Child("method"), h.Method, detail, h.Method))
	}
	if h.Timeout < 0 {
		r.warn(invalid(path.Child("timeout"), h.Timeout, "timeout is negative: the default (60 s) is used, as in Argo"))
	}
	validateSecureHeaders(r, path.Child("secureHeaders"), h.SecureHeaders)
	for _, name := range sortedKeys(h.Headers) {
		switch {
		case !httpguts.ValidHeaderFieldName(name):
			r.add(invalid(path.Child("headers").Key(name), name, "%q is not an HTTP header name", name))
		case !httpguts.ValidHeaderFieldValue(h.Headers[name]):
			r.add(invalid(path.Child("headers").Key(name), field.OmitValueType{}, "the value of %q holds a line break or a control character, which a header cannot", name))
		}
	}
	if h.Host != "" && !sets("host") && !httpguts.ValidHostHeader(h.Host) {
		r.add(invalid(path.Child("host"), h.Host, "%q is not a host name (with an optional :port)", h.Host))
	}
}

// validateHeaderName checks that a dynamic header's dest is an HTTP header
// field name (a token: no spaces, colons or separators).
func validateHeaderName(r *report, path *field.Path, name string) {
	if name == "" {
		return // validateParam reports the missing dest
	}
	if !httpguts.ValidHeaderFieldName(name) {
		r.add(invalid(path, name, "%q is not an HTTP header name", name))
	}
}
