package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
)

// RequireToken returns h guarded by token: a request must carry
// "Authorization: Bearer <token>" or, for browsers' EventSource which sets
// no headers, an access_token query parameter. An empty token guards
// nothing.
func RequireToken(h http.Handler, token string) http.Handler {
	if token == "" {
		return h
	}
	// Hashed, so that the comparison's time depends on neither length.
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			got = r.URL.Query().Get("access_token")
		}
		sum := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is needed")
			return
		}
		h.ServeHTTP(w, r)
	})
}
