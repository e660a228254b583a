package nats

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/clienttls"
	"github.com/herald-dev/herald/internal/trigger"
)

// tlsConfig reads the TLS setup as Argo does (see clienttls.Config). A
// Secret that cannot be read is transient (it may not exist yet); a setup
// that cannot work is terminal.
func (t *Trigger) tlsConfig(ctx context.Context, spec *v1alpha1.TLSConfig) (*tls.Config, error) {
	cfg, err := clienttls.Config(ctx, spec, func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
		return t.secrets.Read(ctx, t.namespace, sel)
	})
	switch {
	case errors.Is(err, clienttls.ErrInvalid):
		return nil, trigger.Terminal(fmt.Errorf("setting up TLS: %w", err))
	case err != nil:
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	return cfg, nil
}
