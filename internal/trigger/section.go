package trigger

import (
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
)

// Read returns the value of sel in namespace. With no reader configured
// (a nil r) the error is terminal; a failed read is returned as is, wrapped
// (the Secret may not exist yet: transient).
func (r SecretReader) Read(ctx context.Context, namespace string, sel *corev1.SecretKeySelector) ([]byte, error) {
	if r == nil {
		return nil, Terminal(fmt.Errorf("reading secret %s/%s: no secret reader configured", sel.Name, sel.Key))
	}
	v, err := r(ctx, namespace, sel)
	if err != nil {
		return nil, fmt.Errorf("reading secret %s/%s: %w", sel.Name, sel.Key, err)
	}
	return v, nil
}

// ApplyParams returns a kind's trigger section with params applied to its
// JSON form for events: spec itself when there are no parameters, else a
// new value decoded from the rewritten document. section names it in
// errors ("kafka trigger").
func ApplyParams[T any](spec *T, params *param.Compiled, events map[string]*event.Event, section string) (*T, error) {
	if params.Len() == 0 {
		return spec, nil
	}
	doc, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encoding %s: %w", section, err)
	}
	if doc, err = params.Apply(doc, events); err != nil {
		return nil, fmt.Errorf("applying parameters: %w", err)
	}
	applied := new(T)
	if err := json.Unmarshal(doc, applied); err != nil {
		return nil, fmt.Errorf("decoding %s after parameters: %w", section, err)
	}
	return applied, nil
}
