package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// TestEchoedCredentialsNotInError calls a server that refuses the request
// and echoes its headers in the answer: the error (which reaches the logs
// and traces) quotes the answer without the secure header's value, the
// password or the basic auth header.
func TestEchoedCredentialsNotInError(t *testing.T) {
	srv := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		for k, v := range r.Header {
			b.WriteString(k + ": " + strings.Join(v, ",") + "\n")
		}
		http.Error(w, "refused, you sent:\n"+b.String(), http.StatusForbidden)
	}))
	env := trigger.Env{Secrets: secrets(map[string]string{
		"ns/tok/value": "tok-9d2e71",
		"ns/auth/user": "alice",
		"ns/auth/pass": "pw-55c0a1",
	})}
	tr := build(t, env, spec(&v1alpha1.HTTPTrigger{
		URL: srv.URL,
		SecureHeaders: []*v1alpha1.SecureHeader{{
			Name: "X-Api-Key", ValueFrom: &v1alpha1.ValueFromSource{SecretKeyRef: sel("tok", "value")},
		}},
		BasicAuth: &v1alpha1.BasicAuth{Username: sel("auth", "user"), Password: sel("auth", "pass")},
	}))
	_, err := tr.Execute(t.Context(), request(1))
	require.Error(t, err)
	require.Contains(t, err.Error(), "403")
	require.Contains(t, err.Error(), "X-Api-Key: ***", "the answer is still quoted")
	for _, secret := range []string{"tok-9d2e71", "pw-55c0a1", "YWxpY2U6cHctNTVjMGEx"} {
		require.NotContains(t, err.Error(), secret)
	}
}
