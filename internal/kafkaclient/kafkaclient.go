// Package kafkaclient turns the connection fields Argo's kafka event source
// and trigger share (url, tls, sasl, version) into franz-go client options.
package kafkaclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/clienttls"
)

// Conn is how to reach and authenticate to the brokers.
type Conn struct {
	// URL lists the brokers, comma separated.
	URL string
	// TLS is the TLS setup; nil for plain TCP.
	TLS *v1alpha1.TLSConfig
	// SASL is the SASL setup; nil for none.
	SASL *v1alpha1.SASLConfig
	// Version caps the protocol versions spoken, e.g. "2.8.0"; empty lets
	// the client negotiate with the brokers.
	Version string
}

// ErrInvalid marks a connection setup that no retry can fix.
var ErrInvalid = errors.New("invalid kafka connection setup")

// Brokers splits a comma-separated broker list, dropping blanks.
func Brokers(url string) []string {
	var out []string
	for _, b := range strings.Split(url, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// Mechanisms are the SASL mechanisms Herald speaks.
var Mechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// ParseVersion reads Argo's version field ("2.8.0", "v1.0.0"); nil when it
// is not a Kafka version.
func ParseVersion(v string) *kversion.Versions {
	return kversion.FromString(strings.TrimSpace(v))
}

// Options returns the client options of c: seed brokers, TLS, SASL and
// maximum versions. Secrets are read through read. Errors wrapping
// ErrInvalid (or clienttls.ErrInvalid) are setup mistakes; others (a Secret
// not readable yet) may pass later.
func Options(ctx context.Context, c Conn, read clienttls.SecretFunc) ([]kgo.Opt, error) {
	brokers := Brokers(c.URL)
	if len(brokers) == 0 {
		return nil, fmt.Errorf("%w: url lists no broker", ErrInvalid)
	}
	opts := []kgo.Opt{kgo.SeedBrokers(brokers...)}
	if c.Version != "" {
		v := ParseVersion(c.Version)
		if v == nil {
			return nil, fmt.Errorf("%w: version %q is not a Kafka version such as 2.8.0", ErrInvalid, c.Version)
		}
		opts = append(opts, kgo.MaxVersions(v))
	}
	tlsCfg, err := clienttls.Config(ctx, c.TLS, read)
	if err != nil {
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	if tlsCfg != nil {
		opts = append(opts, kgo.DialTLSConfig(tlsCfg))
	}
	if c.SASL != nil {
		m, err := mechanism(ctx, c.SASL, read)
		if err != nil {
			return nil, fmt.Errorf("setting up SASL: %w", err)
		}
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

// mechanism builds the SASL mechanism of s, reading its user and password.
func mechanism(ctx context.Context, s *v1alpha1.SASLConfig, read clienttls.SecretFunc) (sasl.Mechanism, error) {
	name := s.GetMechanism()
	var user, pass string
	if s.UserSecret != nil {
		v, err := read(ctx, s.UserSecret)
		if err != nil {
			return nil, fmt.Errorf("reading userSecret: %w", err)
		}
		user = strings.TrimSuffix(string(v), "\n")
	}
	if s.PasswordSecret != nil {
		v, err := read(ctx, s.PasswordSecret)
		if err != nil {
			return nil, fmt.Errorf("reading passwordSecret: %w", err)
		}
		pass = strings.TrimSuffix(string(v), "\n")
	}
	switch name {
	case "PLAIN":
		return plain.Auth{User: user, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: user, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: user, Pass: pass}.AsSha512Mechanism(), nil
	default:
		return nil, fmt.Errorf("%w: mechanism %s is not supported (want one of %s)", ErrInvalid, name, strings.Join(Mechanisms, ", "))
	}
}
