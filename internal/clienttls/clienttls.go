// Package clienttls builds the TLS setup of a client connection (to a Kafka
// broker, a Redis server, ...) from an Argo TLSConfig, reading its
// certificates from Secrets.
package clienttls

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// SecretFunc returns the value of a Secret key.
type SecretFunc func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error)

// ErrInvalid marks a TLS setup that no retry can fix (a missing pair, a
// Secret that holds no certificate).
var ErrInvalid = errors.New("invalid TLS setup")

// Config returns the client TLS setup spec describes, as Argo reads it:
// insecureSkipVerify alone checks nothing; enabled alone trusts the
// system's certificates; otherwise at least one of caCertSecret,
// clientCertSecret and clientKeySecret is set, and the client certificate
// and key come together. A nil spec gives nil.
func Config(ctx context.Context, spec *v1alpha1.TLSConfig, read SecretFunc) (*tls.Config, error) {
	if spec == nil {
		return nil, nil
	}
	if spec.InsecureSkipVerify {
		return &tls.Config{InsecureSkipVerify: true}, nil //nolint:gosec // asked for by the manifest
	}
	if spec.CACertSecret == nil && spec.ClientCertSecret == nil && spec.ClientKeySecret == nil {
		if spec.Enabled {
			return &tls.Config{MinVersion: tls.VersionTLS12}, nil
		}
		return nil, fmt.Errorf("%w: none of caCertSecret, clientCertSecret and clientKeySecret is set (nor enabled, nor insecureSkipVerify)", ErrInvalid)
	}
	if (spec.ClientCertSecret == nil) != (spec.ClientKeySecret == nil) {
		return nil, fmt.Errorf("%w: clientCertSecret and clientKeySecret go together", ErrInvalid)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if spec.CACertSecret != nil {
		ca, err := read(ctx, spec.CACertSecret)
		if err != nil {
			return nil, fmt.Errorf("reading caCertSecret: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ca) {
			return nil, fmt.Errorf("%w: caCertSecret holds no PEM certificate", ErrInvalid)
		}
		cfg.RootCAs = pool
	}
	if spec.ClientCertSecret != nil {
		cert, err := read(ctx, spec.ClientCertSecret)
		if err != nil {
			return nil, fmt.Errorf("reading clientCertSecret: %w", err)
		}
		key, err := read(ctx, spec.ClientKeySecret)
		if err != nil {
			return nil, fmt.Errorf("reading clientKeySecret: %w", err)
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%w: loading the client certificate: %w", ErrInvalid, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}
