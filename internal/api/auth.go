package api

import (
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
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			got = r.URL.Query().Get("access_token")
		}
		if subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
			writeError(w, http.StatusUnauthorized, "a bearer token is needed")
			return
		}
		h.ServeHTTP(w, r)
	})
}
