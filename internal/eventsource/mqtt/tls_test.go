package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// selfSigned returns a certificate for 127.0.0.1 that is its own CA, as a
// key pair and as PEM.
func selfSigned(t *testing.T) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herald test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	pair, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	require.NoError(t, err)
	return pair, certPEM
}

func TestTLS(t *testing.T) {
	pair, certPEM := selfSigned(t)
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, srv.AddHook(new(auth.AllowHook), nil))
	h := &sessions{count: map[string]int{}, latest: map[string]*mochi.Client{}}
	require.NoError(t, srv.AddHook(h, nil))
	l := listeners.NewTCP(listeners.Config{ID: "tls", Address: "127.0.0.1:0", TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}})
	require.NoError(t, srv.AddListener(l))
	require.NoError(t, srv.Serve())
	t.Cleanup(func() { _ = srv.Close() })
	b := &broker{srv: srv, url: "ssl://" + l.Address(), sessions: h}

	cfg := &v1alpha1.MQTTEventSource{URL: b.url, Topic: "in", ClientID: "herald-tls", TLS: &v1alpha1.TLSConfig{CACertSecret: secretKey("mqtt", "ca")}}
	rec := &sourcetest.Recorder{}
	src, err := New(testEnv(secrets{"mqtt/ca": string(certPEM)}), testSpec("in", cfg))
	require.NoError(t, err)
	sourcetest.Background(t, src, rec.Emit)
	b.waitSubscribed(t, cfg.ClientID, cfg.Topic, 1)
	b.publish(t, "in", "x")
	require.Eventually(t, func() bool { return len(rec.Events()) == 1 }, 10*time.Second, 10*time.Millisecond)

	// Without the CA, the broker's certificate is refused.
	bad := *cfg
	bad.ClientID, bad.TLS, bad.ConnectionBackoff = "herald-tls-bad", nil, &v1alpha1.Backoff{Steps: 1}
	src, err = New(testEnv(nil), testSpec("in", &bad))
	require.NoError(t, err)
	require.Error(t, src.Start(t.Context(), rec.Emit))
}
