package trigger

import (
	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/registry"
)

// Kind is one trigger plugin: its name in the manifest and its constructor.
type Kind struct {
	// Name is the key under a trigger's template, e.g. "k8s", "http", "log".
	Name string
	// New builds the trigger for one trigger of a Sensor. It is called when
	// the Sensor starts and again when trigger-level parameters rewrote the
	// template; it must be cheap.
	New func(env Env, sensor *v1alpha1.Sensor, t *v1alpha1.Trigger) (Trigger, error)
	// Doc describes the kind in Markdown for the generated reference pages
	// (docs/reference); its first paragraph is the one-line summary.
	Doc string
}

// Registry holds trigger kinds by name.
type Registry = registry.Registry[Kind]

// NewRegistry returns a registry holding kinds.
func NewRegistry(kinds ...Kind) *Registry {
	return registry.New("trigger kind", func(k Kind) string { return k.Name }, kinds...)
}

// Default is the registry the herald binary uses; internal/trigger/all
// imports every kind, whose init registers it here.
var Default = NewRegistry()
