package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// SignatureHeader is the header GitHub (and Herald's webhook hmacSecret)
// carries a request's signature in: "sha256=" and the hex HMAC-SHA256 of the
// raw body.
const SignatureHeader = "X-Hub-Signature-256"

// VerifySignature checks header, the value of SignatureHeader, against the
// HMAC-SHA256 of body under secret, in constant time. The error wraps
// ErrUnauthorized and says only what is wrong with the header's form, never
// the expected value.
func VerifySignature(secret []byte, header string, body []byte) error {
	if header == "" {
		return fmt.Errorf("no %s header: %w", SignatureHeader, ErrUnauthorized)
	}
	hexSum, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return fmt.Errorf("%s is not sha256=<hex>: %w", SignatureHeader, ErrUnauthorized)
	}
	given, err := hex.DecodeString(hexSum)
	if err != nil {
		return fmt.Errorf("%s is not sha256=<hex>: %w", SignatureHeader, ErrUnauthorized)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(given, mac.Sum(nil)) {
		return fmt.Errorf("%s does not match the body: %w", SignatureHeader, ErrUnauthorized)
	}
	return nil
}

// Sign returns the SignatureHeader value of body under secret, as a sender
// computes it.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// EqualToken compares a token a request presents with the expected one in
// constant time. Both are hashed first, so that the time taken does not
// depend on their lengths either.
func EqualToken(given string, want []byte) bool {
	g, w := sha256.Sum256([]byte(given)), sha256.Sum256(want)
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// MaskedValue replaces credentials in the headers of event data, as Argo
// does for Authorization, so that they do not travel on the bus.
const MaskedValue = "*** Masked Auth Secret ***"

// MaskHeaders returns a copy of h (never nil) whose headers named in names
// hold MaskedValue instead of what the client sent.
func MaskHeaders(h http.Header, names ...string) http.Header {
	out := h.Clone()
	if out == nil {
		out = http.Header{}
	}
	for _, n := range names {
		if out.Get(n) != "" {
			out.Set(n, MaskedValue)
		}
	}
	return out
}
