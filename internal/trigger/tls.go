package trigger

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/clienttls"
)

// TLSConfig reads a trigger's TLS setup as Argo does (see clienttls.Config),
// its Secrets from namespace. A Secret that cannot be read is transient (it
// may not exist yet); a setup that cannot work is terminal.
func TLSConfig(ctx context.Context, spec *v1alpha1.TLSConfig, secrets SecretReader, namespace string) (*tls.Config, error) {
	cfg, err := clienttls.Config(ctx, spec, func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
		return secrets.Read(ctx, namespace, sel)
	})
	switch {
	case errors.Is(err, clienttls.ErrInvalid):
		return nil, Terminal(fmt.Errorf("setting up TLS: %w", err))
	case err != nil:
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	return cfg, nil
}
