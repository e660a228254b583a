package webhook

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func secretRef(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

// TestAuthFailuresLeakNothing sends requests with missing or wrong
// credentials to an endpoint that wants a bearer token and an HMAC
// signature: each is answered 401 with the same text, no secret in the
// answer, and no event.
func TestAuthFailuresLeakNothing(t *testing.T) {
	const token, key = "tok-3f9a1c", "hmac-77b2e0"
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	cfg.AuthSecret = secretRef("hook", "token")
	cfg.HMACSecret = secretRef("hook", "hmac")
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(webhooktest.Secrets{"hook/token": token + "\n", "hook/hmac": key}), testSpec("push", cfg), rec.Emit)
	body := `{"a":1}`
	good := Sign([]byte(key), []byte(body))
	bearer := "Bearer " + token

	tests := []struct {
		name       string
		header     http.Header
		wantStatus int
	}{
		{name: "both right", header: http.Header{"Authorization": {bearer}, SignatureHeader: {good}}, wantStatus: 200},
		{name: "signature in upper-case hex", header: http.Header{"Authorization": {bearer}, SignatureHeader: {"sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256="))}}, wantStatus: 200},
		{name: "no credentials", header: http.Header{}, wantStatus: 401},
		{name: "no token", header: http.Header{SignatureHeader: {good}}, wantStatus: 401},
		{name: "wrong token", header: http.Header{"Authorization": {"Bearer nope"}, SignatureHeader: {good}}, wantStatus: 401},
		{name: "basic auth", header: http.Header{"Authorization": {"Basic dG9rOg=="}, SignatureHeader: {good}}, wantStatus: 401},
		{name: "no signature", header: http.Header{"Authorization": {bearer}}, wantStatus: 401},
		{name: "signature of another body", header: http.Header{"Authorization": {bearer}, SignatureHeader: {Sign([]byte(key), []byte(`{"a":2}`))}}, wantStatus: 401},
		{name: "signature under another key", header: http.Header{"Authorization": {bearer}, SignatureHeader: {Sign([]byte("other"), []byte(body))}}, wantStatus: 401},
		{name: "signature without its prefix", header: http.Header{"Authorization": {bearer}, SignatureHeader: {strings.TrimPrefix(good, "sha256=")}}, wantStatus: 401},
		{name: "sha1 signature", header: http.Header{"Authorization": {bearer}, SignatureHeader: {"sha1=" + strings.TrimPrefix(good, "sha256=")}}, wantStatus: 401},
		{name: "signature not hex", header: http.Header{"Authorization": {bearer}, SignatureHeader: {"sha256=zz"}}, wantStatus: 401},
		{name: "signature truncated", header: http.Header{"Authorization": {bearer}, SignatureHeader: {good[:len(good)-2]}}, wantStatus: 401},
		{name: "token as the signature", header: http.Header{"Authorization": {bearer}, SignatureHeader: {"sha256=" + key}}, wantStatus: 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Events())
			resp, got := webhooktest.Send(t, "POST", s.url, "application/json", body, tt.header)
			require.Equal(t, tt.wantStatus, resp.StatusCode, got)
			if tt.wantStatus == 200 {
				require.Len(t, rec.Events(), before+1)
				return
			}
			require.Equal(t, "unauthorized", got, "the same text whatever was wrong")
			require.Len(t, rec.Events(), before, "no event")
			for _, secret := range []string{token, key} {
				require.NotContains(t, got, secret)
				for k, vs := range resp.Header {
					require.NotContains(t, strings.Join(vs, " "), secret, "header %s", k)
				}
			}
		})
	}
	for _, ev := range rec.Events() {
		require.NotContains(t, string(ev.Data), token, "the bearer token is masked in the event")
		require.NotContains(t, string(ev.Data), key)
	}
}

func TestVerifySignature(t *testing.T) {
	secret, body := []byte("k"), []byte("payload")
	require.NoError(t, VerifySignature(secret, Sign(secret, body), body))
	for _, header := range []string{"", "sha256=", "sha256=00", "md5=abc", Sign([]byte("k2"), body), Sign(secret, []byte("payload2"))} {
		err := VerifySignature(secret, header, body)
		require.ErrorIs(t, err, ErrUnauthorized, header)
		require.NotContains(t, err.Error(), strings.TrimPrefix(Sign(secret, body), "sha256="), "the error never tells the expected signature")
	}
}

// TestTooLargeRefusedBeforeReading announces a body over the limit and
// sends none of it: the answer comes at once, so the server did not wait
// for (read) the body.
func TestTooLargeRefusedBeforeReading(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	limit := int64(1024)
	cfg.MaxPayloadSize = &limit
	rec := &sourcetest.Recorder{}
	start(t, webhooktest.Env(nil), testSpec("push", cfg), rec.Emit)
	conn, err := net.Dial("tcp", "127.0.0.1:"+port)
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /push HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", 100<<20)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "answered without the body")
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Empty(t, rec.Events())
}

// TestTooLargeChunked streams a chunked body far over the limit: the
// server stops at the limit and answers 413, with no event, even for an
// endpoint whose signature check would need the whole body.
func TestTooLargeChunked(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	limit := int64(4096)
	cfg.MaxPayloadSize = &limit
	cfg.HMACSecret = secretRef("hook", "hmac")
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(webhooktest.Secrets{"hook/hmac": "k"}), testSpec("push", cfg), rec.Emit)
	big := strings.Repeat("x", 64<<10)
	req, err := http.NewRequest("POST", s.url, io.MultiReader(strings.NewReader(big), strings.NewReader(big)))
	require.NoError(t, err)
	req.ContentLength = -1 // chunked: the server learns the size only by reading
	req.Header.Set(SignatureHeader, Sign([]byte("k"), []byte(big+big)))
	resp, err := webhooktest.Client.Do(req)
	if err == nil {
		require.NoError(t, resp.Body.Close())
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	} // else the server closed the connection while the client still wrote: refused too
	require.Empty(t, rec.Events())
}

// TestTLSHardening serves an endpoint over TLS with a bearer token: plain
// HTTP and TLS below 1.2 get nothing, the token is still required, and a
// key that does not load fails Start without quoting the key.
func TestTLSHardening(t *testing.T) {
	certPEM, keyPEM, pool := selfSigned(t)
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/secure", "POST")
	cfg.ServerCertSecret = secretRef("tls", "crt")
	cfg.ServerKeySecret = secretRef("tls", "key")
	cfg.AuthSecret = secretRef("tls", "token")
	rec := &sourcetest.Recorder{}
	env := webhooktest.Env(webhooktest.Secrets{"tls/crt": certPEM, "tls/key": keyPEM, "tls/token": "tls-token"})
	src, err := New(env, testSpec("secure", cfg))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, rec.Emit) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	tlsClient := func(maxVersion uint16) *http.Client {
		tr := &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: maxVersion}}
		return &http.Client{Timeout: 10 * time.Second, Transport: tr}
	}
	url := "https://127.0.0.1:" + port + "/secure"
	post := func(c *http.Client, url, token string) (int, error) {
		req, err := http.NewRequest("POST", url, strings.NewReader(`{}`))
		require.NoError(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
	require.Eventually(t, func() bool {
		code, err := post(tlsClient(0), url, "tls-token")
		return err == nil && code == http.StatusOK
	}, 10*time.Second, 5*time.Millisecond)
	code, err := post(tlsClient(0), url, "wrong")
	require.NoError(t, err)
	require.Equal(t, http.StatusUnauthorized, code, "TLS does not replace the token")
	_, err = post(tlsClient(tls.VersionTLS11), url, "tls-token")
	require.Error(t, err, "TLS 1.1 is refused")
	code, err = post(webhooktest.Client, "http://127.0.0.1:"+port+"/secure", "tls-token")
	require.True(t, err != nil || code == http.StatusBadRequest, "plain HTTP gets no answer from the endpoint (status %d)", code)
	require.Len(t, rec.Events(), 1)

	// A key that does not match the certificate.
	_, otherKey, _ := selfSigned(t)
	bad := hook(webhooktest.FreePort(t), "/secure", "POST")
	bad.ServerCertSecret, bad.ServerKeySecret = cfg.ServerCertSecret, secretRef("tls", "other")
	src, err = New(webhooktest.Env(webhooktest.Secrets{"tls/crt": certPEM, "tls/other": otherKey}), testSpec("bad", bad))
	require.NoError(t, err)
	err = src.Start(t.Context(), rec.Emit)
	require.ErrorContains(t, err, "loading the TLS certificate of webhook bad")
	require.NotContains(t, err.Error(), "PRIVATE KEY")
	require.NotContains(t, err.Error(), strings.Split(otherKey, "\n")[1])
}

// TestBasicAuth checks an endpoint with basicAuth: the right username and
// password let a request in, anything else is 401 with a Basic challenge;
// with authSecret as well, either credential is enough.
func TestBasicAuth(t *testing.T) {
	secrets := webhooktest.Secrets{"hook/user": "herald\n", "hook/pass": "s3cret-pw", "hook/token": "tok-91c"}
	basic := func(user, pass string) http.Header {
		r, _ := http.NewRequest(http.MethodPost, "http://x", nil)
		r.SetBasicAuth(user, pass)
		return http.Header{"Authorization": r.Header["Authorization"]}
	}
	for _, withToken := range []bool{false, true} {
		t.Run(fmt.Sprintf("authSecret=%v", withToken), func(t *testing.T) {
			cfg := hook(webhooktest.FreePort(t), "/push", "POST")
			cfg.BasicAuth = &v1alpha1.BasicAuth{Username: secretRef("hook", "user"), Password: secretRef("hook", "pass")}
			if withToken {
				cfg.AuthSecret = secretRef("hook", "token")
			}
			rec := &sourcetest.Recorder{}
			s := start(t, webhooktest.Env(secrets), testSpec("push", cfg), rec.Emit)
			tests := []struct {
				name   string
				header http.Header
				want   int
			}{
				{"right", basic("herald", "s3cret-pw"), 200},
				{"none", http.Header{}, 401},
				{"wrong password", basic("herald", "nope"), 401},
				{"wrong user", basic("root", "s3cret-pw"), 401},
				{"password with the Secret's newline", basic("herald", "s3cret-pw\n"), 401},
				{"bearer token", http.Header{"Authorization": {"Bearer tok-91c"}}, map[bool]int{false: 401, true: 200}[withToken]},
			}
			for _, tt := range tests {
				before := len(rec.Events())
				resp, got := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, tt.header)
				require.Equal(t, tt.want, resp.StatusCode, "%s: %s", tt.name, got)
				if tt.want == 200 {
					require.Len(t, rec.Events(), before+1, tt.name)
					continue
				}
				require.Len(t, rec.Events(), before, "%s: no event", tt.name)
				require.Contains(t, resp.Header.Values("WWW-Authenticate"), `Basic realm="herald"`, tt.name)
				require.NotContains(t, got, "s3cret-pw")
			}
			// The event's headers do not carry the credentials on.
			var data struct {
				Header http.Header `json:"header"`
			}
			require.NoError(t, json.Unmarshal(rec.Events()[0].Data, &data))
			require.Equal(t, []string{MaskedValue}, data.Header["Authorization"])
		})
	}
}

func TestEqualToken(t *testing.T) {
	for _, tc := range []struct {
		given, want string
		equal       bool
	}{
		{"s3cret", "s3cret", true},
		{"s3cre", "s3cret", false},
		{"s3cret ", "s3cret", false},
		{"", "s3cret", false},
		{"S3cret", "s3cret", false},
	} {
		require.Equal(t, tc.equal, EqualToken(tc.given, []byte(tc.want)), "%q vs %q", tc.given, tc.want)
	}
}
