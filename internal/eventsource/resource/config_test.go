package resource

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
)

func TestBadConfigurations(t *testing.T) {
	ok := svcConfig("ns")
	with := func(change func(c *v1alpha1.ResourceEventSource)) v1alpha1.ResourceEventSource {
		c := ok
		change(&c)
		return c
	}
	filter := func(f v1alpha1.ResourceFilter) v1alpha1.ResourceEventSource {
		return with(func(c *v1alpha1.ResourceEventSource) { c.Filter = &f })
	}
	cases := []struct {
		name string
		cfg  v1alpha1.ResourceEventSource
		want string
	}{
		{
			"no version", with(func(c *v1alpha1.ResourceEventSource) { c.Version = "" }),
			`resource event "svc-events": invalid resource event source: version must be set (e.g. v1)`,
		},
		{
			"no resource", with(func(c *v1alpha1.ResourceEventSource) { c.Resource = "" }),
			`resource event "svc-events": invalid resource event source: resource must be set to a plural resource name (e.g. services)`,
		},
		{
			"no event types", with(func(c *v1alpha1.ResourceEventSource) { c.EventTypes = nil }),
			`resource event "svc-events": invalid resource event source: eventTypes must list at least one of ADD, UPDATE, DELETE`,
		},
		{
			"unknown event type", with(func(c *v1alpha1.ResourceEventSource) { c.EventTypes = []v1alpha1.ResourceEventType{"ADD", "CREATE"} }),
			`resource event "svc-events": invalid resource event source: eventTypes: unknown event type "CREATE" (want ADD, UPDATE or DELETE)`,
		},
		{
			"label without key", filter(v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Value: "x"}}}),
			`resource event "svc-events": invalid resource event source: filter.labels[0]: key must be set`,
		},
		{
			"bad label operation", filter(v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Operation: "~", Value: "x"}}}),
			`resource event "svc-events": invalid resource event source: filter.labels[0] (app ~ "x"): operator: Unsupported value: "~": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
		},
		{
			"bad label value", filter(v1alpha1.ResourceFilter{Labels: []v1alpha1.Selector{{Key: "app", Value: "not valid!"}}}),
			`resource event "svc-events": invalid resource event source: filter.labels[0] (app = "not valid!"): values[0][app]: Invalid value: "not valid!": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
		},
		{
			"field without key", filter(v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Value: "x"}}}),
			`resource event "svc-events": invalid resource event source: filter.fields[0]: key must be set`,
		},
		{
			"bad field operation", filter(v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Key: "a", Value: "x"}, {Key: "b", Operation: "in", Value: "x"}}}),
			`resource event "svc-events": invalid resource event source: filter.fields[1]: operation "in" is not supported on fields (want ==, = or !=)`,
		},
		{
			"bad field regex", filter(v1alpha1.ResourceFilter{Fields: []v1alpha1.Selector{{Key: "a", Value: "(x"}}}),
			"resource event \"svc-events\": invalid resource event source: filter.fields[0]: value \"(x\" is not a regular expression: error parsing regexp: missing closing ): `(x`",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(testEnv(), testSpec("svc-events", tc.cfg))
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.EqualError(t, err, tc.want)
		})
	}
}

func TestNewNeedsACluster(t *testing.T) {
	env := testEnv()
	env.Dynamic = nil
	_, err := New(env, testSpec("svc-events", svcConfig("ns")))
	require.ErrorIs(t, err, eventsource.ErrNoCluster)
}

func TestNewRejectsAnotherConfigType(t *testing.T) {
	_, err := New(testEnv(), eventsource.Spec{Name: "x", Config: &v1alpha1.WebhookEventSource{}})
	require.EqualError(t, err, `invalid resource event source: configuration of event "x" is a *v1alpha1.WebhookEventSource, not a ResourceEventSource`)
}

func TestUnknownResourceFailsStart(t *testing.T) {
	cfg := svcConfig("default")
	cfg.Group, cfg.Version, cfg.Resource = "example.com", "v1", "widgets"
	src, err := New(testEnv(), testSpec("svc-events", cfg))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(_ context.Context, _ *event.Event) error { return nil })
	require.ErrorIs(t, err, ErrUnknownResource)
	require.EqualError(t, err, "listing widgets.v1.example.com in namespace default: resource not served by the API server (check group, version and resource; resource is the plural name, e.g. services)")
}

func TestClusterScopedResourceInANamespaceFailsStart(t *testing.T) {
	cfg := svcConfig("default")
	cfg.Resource = "namespaces"
	src, err := New(testEnv(), testSpec("svc-events", cfg))
	require.NoError(t, err)
	err = src.Start(t.Context(), func(_ context.Context, _ *event.Event) error { return nil })
	require.ErrorIs(t, err, ErrUnknownResource)
	require.EqualError(t, err, "listing namespaces.v1 in namespace default: resource not served by the API server: the resource is cluster-scoped; leave namespace empty")
}

func TestKindRegistered(t *testing.T) {
	k, ok := eventsource.Default.Lookup(Kind)
	require.True(t, ok)
	require.NotEmpty(t, k.Doc)
	var spec v1alpha1.EventSourceSpec
	require.Nil(t, k.Configs(&spec))
	spec.Resource = map[string]v1alpha1.ResourceEventSource{"a": svcConfig("one"), "b": svcConfig("two")}
	configs := k.Configs(&spec)
	require.Len(t, configs, 2)
	require.Equal(t, "two", configs["b"].(*v1alpha1.ResourceEventSource).Namespace)
	_, err := k.New(testEnv(), eventsource.Spec{Name: "b", Config: configs["b"]})
	require.NoError(t, err)
}
