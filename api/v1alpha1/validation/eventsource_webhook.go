package validation

import (
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateWebhookSources checks each webhook event and warns when two share a
// port and endpoint: only the first of them would receive requests.
func validateWebhookSources(r *report, path *field.Path, hooks map[string]v1alpha1.WebhookEventSource) {
	routes := map[string]string{}
	for _, name := range sortedKeys(hooks) {
		h := hooks[name]
		p := path.Key(name)
		validateWebhookContext(r, p, &h.WebhookContext)
		if h.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), h.Filter)
		}
		if h.HMACSecret != nil {
			validateSecretKey(r, p.Child("hmacSecret"), h.HMACSecret, "the HMAC key")
			r.warn(invalid(p.Child("hmacSecret"), field.OmitValueType{}, "hmacSecret is a Herald extension: Argo Events rejects this event source"))
		}
		route := h.Port + " " + h.Endpoint
		if other, taken := routes[route]; taken && h.Port != "" && h.Endpoint != "" {
			r.warn(invalid(p.Child("endpoint"), h.Endpoint,
				"endpoint %s on port %s is also used by %s; only one of them receives the requests", h.Endpoint, h.Port, path.Key(other)))
			continue
		}
		routes[route] = name
	}
}

// validateWebhookContext checks the HTTP endpoint of a webhook-based source.
func validateWebhookContext(r *report, path *field.Path, w *v1alpha1.WebhookContext) {
	switch {
	case w.Endpoint == "":
		r.add(required(path.Child("endpoint"), "endpoint is required: the URL path to listen on, e.g. /push"))
	case !strings.HasPrefix(w.Endpoint, "/"):
		r.add(invalid(path.Child("endpoint"), w.Endpoint, "endpoint must start with \"/\" (e.g. %q)", "/"+w.Endpoint))
	}
	validatePort(r, path.Child("port"), w.Port)
	validateWebhookMethod(r, path.Child("method"), w.Method)
	if w.MaxPayloadSize != nil && *w.MaxPayloadSize <= 0 {
		r.add(invalid(path.Child("maxPayloadSize"), *w.MaxPayloadSize, "maxPayloadSize must be a positive number of bytes"))
	}
	if w.AuthSecret != nil {
		validateSecretKey(r, path.Child("authSecret"), w.AuthSecret, "the bearer token")
	}
	if w.BasicAuth != nil {
		validateBasicAuth(r, path.Child("basicAuth"), w.BasicAuth)
		if w.AuthSecret != nil {
			r.warn(invalid(path.Child("basicAuth"), field.OmitValueType{},
				"authSecret is set too: a request with either the bearer token or this username and password is accepted"))
		}
	}
	switch {
	case w.ServerCertSecret != nil && w.ServerKeySecret == nil:
		r.warn(required(path.Child("serverKeySecret"), "serverKeySecret is not set, so serverCertSecret is ignored and the endpoint serves plain HTTP"))
	case w.ServerCertSecret == nil && w.ServerKeySecret != nil:
		r.warn(required(path.Child("serverCertSecret"), "serverCertSecret is not set, so serverKeySecret is ignored and the endpoint serves plain HTTP"))
	}
}

// validatePort checks a port written as a string.
func validatePort(r *report, path *field.Path, port string) {
	if port == "" {
		r.add(required(path, "port is required: the port to listen on, as a string such as \"12000\""))
		return
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		r.add(invalid(path, port, "port %q is not a port number (want 1-65535, written as a string such as \"12000\")", port))
	}
}

// validateWebhookMethod checks the HTTP method an endpoint accepts. Argo
// compares it with the request method as written, so it must be upper case.
func validateWebhookMethod(r *report, path *field.Path, method string) {
	switch upper := strings.ToUpper(method); {
	case method == "":
		r.warn(required(path, "method is not set, so every request is refused; set the accepted method, e.g. POST"))
	case !standardMethods[upper]:
		r.add(invalid(path, method, "unknown method %q (want GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS)", method))
	case method != upper:
		r.add(invalid(path, method, "method %q must be written in upper case (%q)", method, upper))
	}
}

// validateSecretKey checks that a Secret key selector names both the Secret
// and the key; what says what the Secret holds.
func validateSecretKey(r *report, path *field.Path, sel *corev1.SecretKeySelector, what string) {
	if sel.Name == "" {
		r.add(required(path.Child("name"), "name is required: the Secret holding %s", what))
	}
	if sel.Key == "" {
		r.add(required(path.Child("key"), "key is required: the Secret key holding %s", what))
	}
}
