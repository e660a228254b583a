package eventsource

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// FileSecrets reads Secret keys from files laid out as Kubernetes mounts
// Secrets: DIR/<secret name>/<key> (or DIR/<namespace>/<secret name>/<key>,
// which wins when present). It lets Herald run manifests that reference
// Secrets (webhook tokens, TLS keys) without a cluster.
func FileSecrets(dir string) SecretReader {
	return func(_ context.Context, namespace string, sel *corev1.SecretKeySelector) ([]byte, error) {
		if !plainName(sel.Name) || !plainName(sel.Key) || (namespace != "" && !plainName(namespace)) {
			return nil, fmt.Errorf("secret reference %s/%s is not a plain name", sel.Name, sel.Key)
		}
		candidates := []string{filepath.Join(dir, sel.Name, sel.Key)}
		if namespace != "" {
			candidates = append([]string{filepath.Join(dir, namespace, sel.Name, sel.Key)}, candidates...)
		}
		for _, p := range candidates {
			v, err := os.ReadFile(p)
			if err == nil {
				return v, nil
			}
			if !errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("reading secret file: %w", err)
			}
		}
		return nil, fmt.Errorf("no file %s in %s", filepath.Join(sel.Name, sel.Key), dir)
	}
}

// plainName reports whether s names one file: not empty, no separators, not
// a dot entry.
func plainName(s string) bool {
	return s != "" && s != "." && s != ".." && !strings.ContainsAny(s, `/\`)
}
