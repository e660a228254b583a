package validation

import (
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateNATSSources checks each nats event: a server URL and a subject
// (Argo's checks), the queue group, TLS, credentials and backoff.
func validateNATSSources(r *report, path *field.Path, sources map[string]v1alpha1.NATSEventsSource) {
	for _, name := range sortedKeys(sources) {
		c := sources[name]
		validateNATSSource(r, path.Key(name), &c)
	}
}

func validateNATSSource(r *report, path *field.Path, c *v1alpha1.NATSEventsSource) {
	if c.URL == "" {
		r.add(required(path.Child("url"), "url is required: the NATS server, e.g. nats://nats:4222"))
	} else {
		validateNATSURLs(r, path.Child("url"), c.URL)
	}
	switch s := c.Subject; {
	case s == "":
		r.add(required(path.Child("subject"), "subject is required: the subject to subscribe to, e.g. orders.>"))
	case strings.ContainsAny(s, " \t\r\n") || strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, ".."):
		r.add(invalid(path.Child("subject"), s, "%q is not a NATS subject (tokens separated by dots, no spaces)", s))
	}
	if c.Queue != nil && *c.Queue == "" {
		r.warn(invalid(path.Child("queue"), "", "queue is empty: a plain subscription, as in Argo (every replica gets every message)"))
	}
	if c.TLS != nil {
		validateClientTLSConfig(r, path.Child("tls"), c.TLS)
	}
	if c.Auth != nil {
		validateNATSAuth(r, path.Child("auth"), c.Auth)
	}
	if c.ConnectionBackoff != nil {
		validateBackoff(r, path.Child("connectionBackoff"), c.ConnectionBackoff)
	}
	if c.Filter != nil {
		validateSourceFilter(r, path.Child("filter"), c.Filter)
	}
}

// validateNATSAuth checks the credentials: one way to log in, its Secret
// keys complete. Argo uses the first of basic, token, nkey and credential
// that is set and ignores the others.
func validateNATSAuth(r *report, path *field.Path, a *v1alpha1.NATSAuth) {
	var set []string
	if a.Basic != nil {
		set = append(set, "basic")
		validateBasicAuth(r, path.Child("basic"), a.Basic)
	}
	if a.Token != nil {
		set = append(set, "token")
		validateSecretKey(r, path.Child("token"), a.Token, "the token")
	}
	if a.NKey != nil {
		set = append(set, "nkey")
		validateSecretKey(r, path.Child("nkey"), a.NKey, "the NKey seed")
	}
	if a.Credential != nil {
		set = append(set, "credential")
		validateSecretKey(r, path.Child("credential"), a.Credential, "the credentials (.creds) file")
	}
	switch {
	case len(set) == 0:
		r.add(required(path, "auth is empty: set one of basic, token, nkey or credential, or leave auth out"))
	case len(set) > 1:
		r.warn(invalid(path, strings.Join(set, ", "), "%s are all set; only %s is used", strings.Join(set, ", "), set[0]))
	}
}
