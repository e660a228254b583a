package admission

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	admissionv1 "k8s.io/api/admission/v1"
)

// writeCert writes a self-signed serving certificate for 127.0.0.1 with the
// given serial into dir and returns it.
func writeCert(t *testing.T, dir string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "herald-webhook"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, KeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600))
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return cert
}

// startServer runs serve on a loopback port until the test ends and
// returns its address and a function that stops it and returns serve's
// result.
func startServer(t *testing.T, dir string) (string, func() error) {
	t.Helper()
	cert, err := loadCertificate(dir, nil)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln, cert, Options{}) }()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	return ln.Addr().String(), stop
}

// client trusts exactly the given certificates and opens a connection per
// request, so that each one sees the certificate served now.
func client(certs ...*x509.Certificate) *http.Client {
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		DisableKeepAlives: true,
	}}
}

func TestServeOverTLS(t *testing.T) {
	dir := t.TempDir()
	first := writeCert(t, dir, 1)
	addr, stop := startServer(t, dir)

	body := reviewBody(t, request(t, admissionv1.Create, invalidSensor, ""))
	resp, err := client(first).Post("https://"+addr+ValidatePath, "application/json", bytes.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var review admissionv1.AdmissionReview
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&review))
	require.False(t, review.Response.Allowed)
	require.Equal(t, `spec.triggers[0].template.k8s.operation: unknown operation "crate" (want create, update, patch, delete, apply)`, review.Response.Result.Message)

	t.Run("plain HTTP is refused", func(t *testing.T) {
		resp, err := http.Post("http://"+addr+ValidatePath, "application/json", bytes.NewReader(body))
		if err == nil {
			defer resp.Body.Close()
			require.Equal(t, http.StatusBadRequest, resp.StatusCode)
		}
	})

	second := writeCert(t, dir, 2)
	t.Run("renewed certificate", func(t *testing.T) {
		require.Eventually(t, func() bool { return servedSerial(t, addr, first, second) == 2 }, 10*time.Second, 20*time.Millisecond)
	})
	t.Run("half-written pair keeps the last good one", func(t *testing.T) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, KeyFile), []byte("garbage"), 0o600))
		require.Equal(t, int64(2), servedSerial(t, addr, first, second))
	})

	require.NoError(t, stop(), "a cancelled context is a clean stop")
}

func TestServeErrors(t *testing.T) {
	require.ErrorIs(t, Serve(t.Context(), Options{CertDir: t.TempDir()}), ErrNoAddress)
	err := Serve(t.Context(), Options{Addr: "127.0.0.1:0", CertDir: t.TempDir()})
	require.ErrorContains(t, err, "reading the admission certificate: stat ")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, CertFile), []byte("x"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, KeyFile), []byte("y"), 0o600))
	err = Serve(t.Context(), Options{Addr: "127.0.0.1:0", CertDir: dir})
	require.ErrorContains(t, err, "loading the admission certificate from "+dir)
	writeCert(t, dir, 1)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	err = Serve(t.Context(), Options{Addr: ln.Addr().String(), CertDir: dir})
	require.ErrorContains(t, err, "listening for admission reviews on "+ln.Addr().String())
}

// servedSerial returns the serial number of the certificate the server
// presents to a new connection trusting certs.
func servedSerial(t *testing.T, addr string, certs ...*x509.Certificate) int64 {
	t.Helper()
	resp, err := client(certs...).Get("https://" + addr + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.TLS.PeerCertificates[0].SerialNumber.Int64()
}
