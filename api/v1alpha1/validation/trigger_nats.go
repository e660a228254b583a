package validation

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateNATSTrigger checks a nats trigger as Argo does (a url, a subject
// and a payload) and what Argo leaves to the client to refuse at run time
// (the URLs, the subject). A field that a parameter (the trigger's own, or a
// trigger-level one in rewritten) writes is only known when an event comes
// and is not checked. Its parameters and payload are checked by the caller.
func validateNATSTrigger(r *report, path *field.Path, n *v1alpha1.NATSTrigger, rewritten map[string]bool) {
	sets := func(field string) bool { return rewritten["nats."+field] || paramSets(n.Parameters, field) }
	switch {
	case n.URL == "" && !sets("url"):
		r.add(required(path.Child("url"), "url is required: the NATS server, e.g. nats://nats:4222"))
	case n.URL != "" && !sets("url"):
		validateNATSURLs(r, path.Child("url"), n.URL)
	}
	switch {
	case sets("subject"):
	case n.Subject == "":
		r.add(required(path.Child("subject"), "subject is required: the subject the message is published on"))
	case strings.ContainsAny(n.Subject, " \t\r\n") || strings.HasPrefix(n.Subject, ".") || strings.HasSuffix(n.Subject, ".") ||
		strings.Contains(n.Subject, ".."):
		r.add(invalid(path.Child("subject"), n.Subject, "%q is not a NATS subject (tokens separated by dots, no spaces)", n.Subject))
	case strings.ContainsAny(n.Subject, "*>"):
		r.add(invalid(path.Child("subject"), n.Subject, "%q holds a wildcard; a message is published on a literal subject", n.Subject))
	}
	if n.Payload == nil {
		r.add(required(path.Child("payload"), "payload is required: the parameters that build the message body"))
	}
	if n.TLS != nil {
		validateClientTLSConfig(r, path.Child("tls"), n.TLS)
	}
	if n.Auth != nil {
		validateNATSAuth(r, path.Child("auth"), n.Auth)
	}
}
