package clienttls_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/clienttls"
)

// selfSigned returns a certificate and its key as PEM.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "herald test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}

func sel(key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "tls"}, Key: key}
}

func TestConfig(t *testing.T) {
	certPEM, keyPEM := selfSigned(t)
	secrets := map[string][]byte{"ca": certPEM, "cert": certPEM, "key": keyPEM, "junk": []byte("not pem")}
	read := func(_ context.Context, s *corev1.SecretKeySelector) ([]byte, error) {
		v, ok := secrets[s.Key]
		if !ok {
			return nil, errors.New("no such secret")
		}
		return v, nil
	}
	tests := []struct {
		name    string
		spec    *v1alpha1.TLSConfig
		check   func(t *testing.T, cfg *tlsConfigView)
		err     string
		invalid bool
	}{
		{name: "nil is no TLS", check: func(t *testing.T, v *tlsConfigView) { require.Nil(t, v) }},
		{
			name: "insecureSkipVerify alone", spec: &v1alpha1.TLSConfig{InsecureSkipVerify: true},
			check: func(t *testing.T, v *tlsConfigView) { require.True(t, v.insecure) },
		},
		{
			name: "a CA and a client pair", spec: &v1alpha1.TLSConfig{CACertSecret: sel("ca"), ClientCertSecret: sel("cert"), ClientKeySecret: sel("key")},
			check: func(t *testing.T, v *tlsConfigView) {
				require.True(t, v.roots)
				require.Equal(t, 1, v.certs)
			},
		},
		{
			name: "enabled alone trusts the system's certificates", spec: &v1alpha1.TLSConfig{Enabled: true},
			check: func(t *testing.T, v *tlsConfigView) {
				require.NotNil(t, v)
				require.False(t, v.insecure)
				require.False(t, v.roots, "nil RootCAs: the system pool")
				require.Zero(t, v.certs)
			},
		},
		{
			name: "enabled with a CA uses the CA", spec: &v1alpha1.TLSConfig{Enabled: true, CACertSecret: sel("ca")},
			check: func(t *testing.T, v *tlsConfigView) { require.True(t, v.roots) },
		},
		{name: "nothing set", spec: &v1alpha1.TLSConfig{}, err: "invalid TLS setup: none of caCertSecret, clientCertSecret and clientKeySecret is set (nor enabled, nor insecureSkipVerify)", invalid: true},
		{name: "a certificate without its key", spec: &v1alpha1.TLSConfig{ClientCertSecret: sel("cert")}, err: "invalid TLS setup: clientCertSecret and clientKeySecret go together", invalid: true},
		{name: "a CA that is not PEM", spec: &v1alpha1.TLSConfig{CACertSecret: sel("junk")}, err: "invalid TLS setup: caCertSecret holds no PEM certificate", invalid: true},
		{name: "a key that does not fit", spec: &v1alpha1.TLSConfig{ClientCertSecret: sel("cert"), ClientKeySecret: sel("junk")}, err: "invalid TLS setup: loading the client certificate", invalid: true},
		{name: "a Secret that cannot be read", spec: &v1alpha1.TLSConfig{CACertSecret: sel("missing")}, err: "reading caCertSecret: no such secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := clienttls.Config(t.Context(), tt.spec, read)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.Equal(t, tt.invalid, errors.Is(err, clienttls.ErrInvalid), "ErrInvalid marks what no retry fixes")
				return
			}
			require.NoError(t, err)
			var v *tlsConfigView
			if cfg != nil {
				v = &tlsConfigView{insecure: cfg.InsecureSkipVerify, roots: cfg.RootCAs != nil, certs: len(cfg.Certificates)}
			}
			tt.check(t, v)
		})
	}
}

// tlsConfigView is what the tests check of a tls.Config.
type tlsConfigView struct {
	insecure, roots bool
	certs           int
}
