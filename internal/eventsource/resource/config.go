package resource

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/selection"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// ErrInvalidConfig is wrapped by every error about a resource event's
// configuration.
var ErrInvalidConfig = errors.New("invalid resource event source")

// ErrUnknownResource is wrapped by the error Start returns when the API
// server does not serve the configured group, version and resource.
var ErrUnknownResource = errors.New("resource not served by the API server")

// config is a validated ResourceEventSource, ready to filter objects.
type config struct {
	gvr       schema.GroupVersionResource
	namespace string
	types     map[v1alpha1.ResourceEventType]bool
	prefix    string
	labels    labels.Selector // nil: every object
	fields    []fieldMatcher
	createdBy time.Time // zero: no limit
	// afterStart keeps only events that happened after the source first started.
	afterStart bool
	metadata   map[string]string
	src        *v1alpha1.ResourceEventSource
}

// fieldMatcher is one filter.fields condition: the string at a gjson path
// must (or, negated, must not) match a regular expression.
type fieldMatcher struct {
	path   string
	re     *regexp.Regexp
	negate bool
}

// parseConfig validates c and compiles its selectors. The messages name the
// manifest field at fault.
func parseConfig(c *v1alpha1.ResourceEventSource) (*config, error) {
	if c == nil {
		return nil, fmt.Errorf("%w: no configuration", ErrInvalidConfig)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if c.Version == "" {
		return nil, bad("version must be set (e.g. v1)")
	}
	if c.Resource == "" {
		return nil, bad("resource must be set to a plural resource name (e.g. services)")
	}
	if len(c.EventTypes) == 0 {
		return nil, bad("eventTypes must list at least one of ADD, UPDATE, DELETE")
	}
	cfg := &config{
		gvr:       c.GroupVersionResource(),
		namespace: c.Namespace,
		types:     map[v1alpha1.ResourceEventType]bool{},
		metadata:  c.Metadata,
		src:       c,
	}
	for _, t := range c.EventTypes {
		switch t {
		case v1alpha1.ADD, v1alpha1.UPDATE, v1alpha1.DELETE:
			cfg.types[t] = true
		default:
			return nil, bad("eventTypes: unknown event type %q (want ADD, UPDATE or DELETE)", t)
		}
	}
	f := c.Filter
	if f == nil {
		return cfg, nil
	}
	cfg.prefix = f.Prefix
	cfg.afterStart = f.AfterStart
	if !f.CreatedBy.IsZero() {
		cfg.createdBy = f.CreatedBy.UTC()
	}
	if len(f.Labels) > 0 {
		sel, err := labelSelector(f.Labels)
		if err != nil {
			return nil, bad("%v", err)
		}
		cfg.labels = sel
	}
	for i, s := range f.Fields {
		m, err := newFieldMatcher(s)
		if err != nil {
			return nil, bad("filter.fields[%d]: %v", i, err)
		}
		cfg.fields = append(cfg.fields, m)
	}
	return cfg, nil
}

// labelSelector builds the selector Argo passes to the watch: one
// requirement per entry, the operation defaulting to "=", the value split on
// commas for "in" and "notin", and no value for "exists" and "!".
func labelSelector(sels []v1alpha1.Selector) (labels.Selector, error) {
	sel := labels.NewSelector()
	for i, s := range sels {
		if s.Key == "" {
			return nil, fmt.Errorf("filter.labels[%d]: key must be set", i)
		}
		op := selection.Equals
		if s.Operation != "" {
			op = selection.Operator(s.Operation)
		}
		var values []string
		switch {
		case (op == selection.Exists || op == selection.DoesNotExist) && s.Value == "":
			values = []string{}
		case op == selection.In || op == selection.NotIn:
			values = strings.Split(s.Value, ",")
		default:
			values = []string{s.Value}
		}
		req, err := labels.NewRequirement(s.Key, op, values)
		if err != nil {
			return nil, fmt.Errorf("filter.labels[%d] (%s %s %q): %w", i, s.Key, op, s.Value, err)
		}
		sel = sel.Add(*req)
	}
	return sel, nil
}

func newFieldMatcher(s v1alpha1.Selector) (fieldMatcher, error) {
	if s.Key == "" {
		return fieldMatcher{}, errors.New("key must be set")
	}
	m := fieldMatcher{path: s.Key}
	switch s.Operation {
	case "", "=", "==":
	case "!=":
		m.negate = true
	default:
		return fieldMatcher{}, fmt.Errorf("operation %q is not supported on fields (want ==, = or !=)", s.Operation)
	}
	re, err := regexp.Compile(s.Value)
	if err != nil {
		return fieldMatcher{}, fmt.Errorf("value %q is not a regular expression: %w", s.Value, err)
	}
	m.re = re
	return m, nil
}

// viewFingerprint identifies the set of objects the source watches: the
// resource, the namespace, the name prefix and the label selector. A
// checkpoint saved under another fingerprint describes other objects and is
// discarded.
func (c *config) viewFingerprint() string {
	parts := []string{c.gvr.Group, c.gvr.Version, c.gvr.Resource, c.namespace, c.prefix}
	if c.labels != nil {
		reqs, _ := c.labels.Requirements()
		strs := make([]string, 0, len(reqs))
		for _, r := range reqs {
			strs = append(strs, r.String())
		}
		slices.Sort(strs)
		parts = append(parts, strs...)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:8])
}

// describe names the watched resource for logs and errors, e.g.
// "services.v1 in namespace playground".
func (c *config) describe() string {
	what := c.gvr.Resource + "." + c.gvr.Version
	if c.gvr.Group != "" {
		what += "." + c.gvr.Group
	}
	if c.namespace == "" {
		return what + " in all namespaces"
	}
	return what + " in namespace " + c.namespace
}
