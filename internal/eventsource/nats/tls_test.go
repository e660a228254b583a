package nats

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// selfSigned returns a certificate for 127.0.0.1 that is its own CA, as a
// key pair and as PEM.
func selfSigned(t *testing.T) (tls.Certificate, []byte, []byte) {
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
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	require.NoError(t, err)
	return pair, certPEM, keyPEM
}

func TestTLS(t *testing.T) {
	pair, certPEM, _ := selfSigned(t)
	srv := startServer(t, &server.Options{TLS: true, TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}})
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(certPEM))
	pub := dial(t, srv.ClientURL(), natsgo.Secure(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}))

	cfg := &v1alpha1.NATSEventsSource{URL: srv.ClientURL(), Subject: "in", TLS: &v1alpha1.TLSConfig{CACertSecret: secretKey("nats", "ca")}}
	src, err := New(testEnv(secrets{"nats/ca": string(certPEM)}), testSpec("in", cfg))
	require.NoError(t, err)
	rec := &sourcetest.Recorder{}
	sourcetest.Background(t, src, rec.Emit)
	require.NoError(t, request(t, pub, "in", &natsgo.Msg{Data: []byte("x")}))
	require.Len(t, rec.Events(), 1)

	// A server certificate the source does not trust is refused.
	cfg = &v1alpha1.NATSEventsSource{URL: srv.ClientURL(), Subject: "in", ConnectionBackoff: oneTry(), TLS: &v1alpha1.TLSConfig{ClientCertSecret: secretKey("nats", "cert"), ClientKeySecret: secretKey("nats", "key")}}
	_, otherCert, otherKey := selfSigned(t)
	src, err = New(testEnv(secrets{"nats/cert": string(otherCert), "nats/key": string(otherKey)}), testSpec("in", cfg))
	require.NoError(t, err)
	require.ErrorContains(t, src.Start(t.Context(), rec.Emit), "certificate")
}
