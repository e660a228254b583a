package webhook

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func TestSharedPort(t *testing.T) {
	port := webhooktest.FreePort(t)
	env := webhooktest.Env(nil)
	recA, recB := &sourcetest.Recorder{}, &sourcetest.Recorder{}
	a := start(t, env, testSpec("a", hook(port, "/a", "POST")), recA.Emit)
	b := start(t, env, testSpec("b", hook(port, "/b", "POST")), recB.Emit)
	health := "http://127.0.0.1:" + port + "/health"

	for _, s := range []*started{a, b} {
		resp, _ := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, nil)
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	require.Len(t, recA.Events(), 1)
	require.Len(t, recB.Events(), 1)
	resp, body := webhooktest.Send(t, "GET", health, "", "", nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "OK", body)

	// Stopping a removes its endpoint; b and the port stay.
	a.stop(t)
	resp, _ = webhooktest.Send(t, "POST", a.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = webhooktest.Send(t, "POST", b.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, recB.Events(), 2)

	// Stopping the last endpoint stops the server.
	b.stop(t)
	_, err := webhooktest.Client.Get(health)
	require.Error(t, err, "the port is closed once its last endpoint left")

	// The port can be served again.
	c := start(t, env, testSpec("a", hook(port, "/a", "POST")), recA.Emit)
	resp, _ = webhooktest.Send(t, "POST", c.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// TestSameEndpointTwice: the first webhook serves, the second takes over
// when the first stops.
// TestReportsStartedOnceServing: the source says it has started only once
// its port accepts and its endpoint answers.
func TestReportsStartedOnceServing(t *testing.T) {
	port := webhooktest.FreePort(t)
	env := webhooktest.Env(nil)
	rec := &sourcetest.Recorder{}
	url := "http://127.0.0.1:" + port + "/push"
	answered := make(chan int, 1)
	env.Started = func() {
		// Called by Serve, not the test's goroutine: no require here.
		resp, err := webhooktest.Client.Post(url, "application/json", strings.NewReader(`{}`))
		if err != nil {
			answered <- 0
			return
		}
		_ = resp.Body.Close()
		answered <- resp.StatusCode
	}
	src, err := New(env, testSpec("push", hook(port, "/push", "POST")))
	require.NoError(t, err)
	webhooktest.Run(t, src, rec.Emit, url)
	select {
	case code := <-answered:
		require.Equal(t, http.StatusOK, code, "the endpoint answered when the source said it had started")
	case <-time.After(10 * time.Second):
		require.FailNow(t, "the source did not report itself started")
	}
}

func TestSameEndpointTwice(t *testing.T) {
	port := webhooktest.FreePort(t)
	env := webhooktest.Env(nil)
	first, second := &sourcetest.Recorder{}, &sourcetest.Recorder{}
	a := start(t, env, testSpec("first", hook(port, "/same", "POST")), first.Emit)
	start(t, env, testSpec("second", hook(port, "/same", "POST")), second.Emit)
	resp, _ := webhooktest.Send(t, "POST", a.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, first.Events(), 1)
	require.Empty(t, second.Events())
	a.stop(t)
	resp, _ = webhooktest.Send(t, "POST", a.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, second.Events(), 1)
}

func TestEndpointNamedHealth(t *testing.T) {
	port := webhooktest.FreePort(t)
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(nil), testSpec("h", hook(port, "/health", "POST")), rec.Emit)
	resp, body := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, nil)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "success", body)
	require.Len(t, rec.Events(), 1, "an endpoint named /health wins over the health check, as in Argo")
}

func TestPortBusy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	src, err := New(webhooktest.Env(nil), testSpec("busy", hook(port, "/x", "POST")))
	require.NoError(t, err)
	err = src.Start(t.Context(), (&sourcetest.Recorder{}).Emit)
	require.ErrorContains(t, err, "serving webhook busy on port "+port)
}

func TestAuthSecretMissing(t *testing.T) {
	cfg := hook(webhooktest.FreePort(t), "/x", "POST")
	cfg.AuthSecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "nope"}, Key: "token"}
	src, err := New(webhooktest.Env(webhooktest.Secrets{}), testSpec("x", cfg))
	require.NoError(t, err)
	err = src.Start(t.Context(), (&sourcetest.Recorder{}).Emit)
	require.ErrorContains(t, err, "reading the bearer token of webhook x: reading key token of secret argo-events/nope: no such secret")
}

func TestNewRejectsBadConfig(t *testing.T) {
	_, err := New(webhooktest.Env(nil), testSpec("x", hook("", "/x", "POST")))
	require.ErrorContains(t, err, "no port")
	_, err = New(webhooktest.Env(nil), testSpec("x", hook("1234", "x", "POST")))
	require.ErrorContains(t, err, `endpoint "x" does not start with /`)
	spec := testSpec("x", nil)
	spec.Config = 42
	_, err = New(webhooktest.Env(nil), spec)
	require.ErrorContains(t, err, "config is a int")
}

func TestTLS(t *testing.T) {
	certPEM, keyPEM, pool := selfSigned(t)
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/secure", "POST")
	cfg.ServerCertSecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}, Key: "crt"}
	cfg.ServerKeySecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}, Key: "key"}
	env := webhooktest.Env(webhooktest.Secrets{"tls/crt": certPEM, "tls/key": keyPEM})
	src, err := New(env, testSpec("secure", cfg))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- src.Start(ctx, (&sourcetest.Recorder{}).Emit) }()
	tlsClient := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: &tls.Config{RootCAs: pool}}}
	url := "https://127.0.0.1:" + port + "/secure"
	require.Eventually(t, func() bool {
		resp, err := tlsClient.Post(url, "application/json", strings.NewReader(`{}`))
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
}

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (certPEM, keyPEM string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "herald-test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})) + "\n", pool
}

// TestConcurrentRequests runs many clients on two endpoints of one port
// while a third endpoint comes and goes (run with -race).
func TestConcurrentRequests(t *testing.T) {
	port := webhooktest.FreePort(t)
	env := webhooktest.Env(nil)
	rec := &sourcetest.Recorder{}
	a := start(t, env, testSpec("a", hook(port, "/a", "POST")), rec.Emit)
	b := start(t, env, testSpec("b", hook(port, "/b", "POST")), rec.Emit)
	const clients, perClient = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, clients*perClient)
	for c := range clients {
		wg.Go(func() {
			url := a.url
			if c%2 == 1 {
				url = b.url
			}
			for i := range perClient {
				resp, err := webhooktest.Client.Post(url, "application/json", strings.NewReader(fmt.Sprintf(`{"c":%d,"i":%d}`, c, i)))
				if err != nil {
					errs <- err
					continue
				}
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("status %d", resp.StatusCode)
				}
			}
		})
	}
	// Meanwhile a third endpoint starts and stops on the same port.
	for range 3 {
		c := start(t, env, testSpec("c", hook(port, "/c", "POST")), (&sourcetest.Recorder{}).Emit)
		c.stop(t)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, rec.Events(), clients*perClient)
}
