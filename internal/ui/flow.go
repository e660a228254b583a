package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/metrics"
	"github.com/herald-dev/herald/internal/trace"
)

// The kinds of the graph's nodes, one column each in the page (sensors and
// their dependencies share one).
const (
	KindEventSource = "eventsource"
	KindEvent       = "event"
	KindSensor      = "sensor"
	KindDependency  = "dependency"
	KindTrigger     = "trigger"
)

// Flow is the graph GET /api/v1/flow answers.
type Flow struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Node is one EventSource, event, Sensor, dependency or trigger.
type Node struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Parent is the id of the EventSource of an event, or of the Sensor of a
	// dependency or trigger.
	Parent string `json:"parent,omitempty"`
	// Type is the kind of an event ("resource", "webhook", ...) or of a
	// trigger ("k8s", "http", "log", ...).
	Type string `json:"type,omitempty"`
	// Missing marks an event a dependency names that no loaded EventSource
	// declares: the dependency will never receive anything.
	Missing bool `json:"missing,omitempty"`
	// YAML is the object's manifest section, re-marshaled from the loaded
	// object.
	YAML string `json:"yaml,omitempty"`
	// Last is the most recent event a Sensor handled, with its outcome.
	Last *trace.Summary `json:"last,omitempty"`
}

// Edge is one link with the counts that went along it since the process
// started: EventSource → event (published, publish errors), event →
// dependency (delivered; filtered out; filter and transform errors), Sensor
// → trigger (succeeded firings; failed ones).
type Edge struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Count    uint64 `json:"count"`
	Failures uint64 `json:"failures"`
	// Filtered counts the events a dependency's filters rejected (failures
	// included).
	Filtered uint64 `json:"filtered,omitempty"`
}

func eventSourceID(ns, name string) string    { return "eventsource/" + ns + "/" + name }
func eventID(ns, source, event string) string { return "event/" + ns + "/" + source + "/" + event }
func sensorID(ns, name string) string         { return "sensor/" + ns + "/" + name }
func dependencyID(ns, sensor, dep string) string {
	return "dependency/" + ns + "/" + sensor + "/" + dep
}

func triggerID(ns, sensor, trigger string) string {
	return "trigger/" + ns + "/" + sensor + "/" + trigger
}

// edgeSource says where an edge's counts come from.
type edgeSource struct {
	kind                        string // one of the node kinds of the edge's end
	namespace, owner, name, sub string
	// allOnOne: the Sensor's dependencies all name one event, so its received
	// count is exactly what this edge delivered.
	allOnOne bool
}

// graph is the part of the flow that does not change while a process runs.
type graph struct {
	nodes   []Node
	edges   []Edge
	sources []edgeSource // one per edge
}

// buildGraph lays out the objects of b; objects without a namespace are in
// defaultNS.
func buildGraph(b Objects, defaultNS string) (*graph, error) {
	g := &graph{}
	declared := map[string]bool{}
	if b == nil {
		return g, nil
	}
	for _, es := range b.EventSources() {
		if es.Namespace == "" {
			es = es.DeepCopy()
			es.Namespace = defaultNS
		}
		esID := eventSourceID(es.Namespace, es.Name)
		y, err := yaml.Marshal(es)
		if err != nil {
			return nil, fmt.Errorf("marshaling EventSource %s/%s: %w", es.Namespace, es.Name, err)
		}
		g.nodes = append(g.nodes, Node{ID: esID, Kind: KindEventSource, Namespace: es.Namespace, Name: es.Name, YAML: string(y)})
		sections, err := specSections(es.Spec)
		if err != nil {
			return nil, fmt.Errorf("marshaling EventSource %s/%s: %w", es.Namespace, es.Name, err)
		}
		kinds := es.Spec.EventNames()
		for _, kind := range v1alpha1.SourceKinds {
			for _, ev := range kinds[kind] {
				id := eventID(es.Namespace, es.Name, ev)
				declared[id] = true
				section, err := yaml.Marshal(map[string]any{kind: map[string]any{ev: sections[kind][ev]}})
				if err != nil {
					return nil, fmt.Errorf("marshaling event %s of %s/%s: %w", ev, es.Namespace, es.Name, err)
				}
				g.nodes = append(g.nodes, Node{ID: id, Kind: KindEvent, Namespace: es.Namespace, Name: ev, Parent: esID, Type: kind, YAML: string(section)})
				g.add(Edge{From: esID, To: id}, edgeSource{kind: KindEvent, namespace: es.Namespace, owner: es.Name, name: ev})
			}
		}
	}
	for _, s := range b.Sensors() {
		if s.Namespace == "" {
			s = s.DeepCopy()
			s.Namespace = defaultNS
		}
		if err := g.addSensor(s, declared); err != nil {
			return nil, err
		}
	}
	return g, nil
}

func (g *graph) add(e Edge, s edgeSource) {
	g.edges = append(g.edges, e)
	g.sources = append(g.sources, s)
}

func (g *graph) addSensor(s *v1alpha1.Sensor, declared map[string]bool) error {
	ns, id := s.Namespace, sensorID(s.Namespace, s.Name)
	y, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Errorf("marshaling Sensor %s/%s: %w", ns, s.Name, err)
	}
	g.nodes = append(g.nodes, Node{ID: id, Kind: KindSensor, Namespace: ns, Name: s.Name, YAML: string(y)})
	events := map[string]bool{}
	for _, d := range s.Spec.Dependencies {
		events[d.EventSourceName+"/"+d.EventName] = true
	}
	for _, d := range s.Spec.Dependencies {
		y, err := yaml.Marshal(d)
		if err != nil {
			return fmt.Errorf("marshaling dependency %s of Sensor %s/%s: %w", d.Name, ns, s.Name, err)
		}
		depID := dependencyID(ns, s.Name, d.Name)
		g.nodes = append(g.nodes, Node{ID: depID, Kind: KindDependency, Namespace: ns, Name: d.Name, Parent: id, YAML: string(y)})
		evID := eventID(ns, d.EventSourceName, d.EventName)
		if !declared[evID] {
			// Show what the dependency waits for, so that a typo is visible.
			declared[evID] = true
			g.nodes = append(g.nodes, Node{
				ID: evID, Kind: KindEvent, Namespace: ns, Name: d.EventName,
				Parent: eventSourceID(ns, d.EventSourceName), Missing: true,
			})
		}
		g.add(Edge{From: evID, To: depID}, edgeSource{
			kind: KindDependency, namespace: ns, owner: s.Name, name: d.Name,
			sub: d.EventSourceName + "/" + d.EventName, allOnOne: len(events) == 1,
		})
	}
	for i, t := range s.Spec.Triggers {
		name, kind := triggerName(t, i)
		y, err := yaml.Marshal(t)
		if err != nil {
			return fmt.Errorf("marshaling trigger %s of Sensor %s/%s: %w", name, ns, s.Name, err)
		}
		tID := triggerID(ns, s.Name, name)
		g.nodes = append(g.nodes, Node{ID: tID, Kind: KindTrigger, Namespace: ns, Name: name, Parent: id, Type: kind, YAML: string(y)})
		g.add(Edge{From: id, To: tID}, edgeSource{kind: KindTrigger, namespace: ns, owner: s.Name, name: name})
	}
	return nil
}

// specSections decodes an EventSource spec into kind → event → section.
func specSections(spec v1alpha1.EventSourceSpec) (map[string]map[string]any, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	var out map[string]map[string]any
	// Fields that are not maps of events (eventBusName, template, ...) do
	// not decode into this shape; decode kind by kind.
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return nil, err
	}
	out = map[string]map[string]any{}
	for _, kind := range v1alpha1.SourceKinds {
		if all[kind] == nil {
			continue
		}
		var events map[string]any
		if err := json.Unmarshal(all[kind], &events); err != nil {
			return nil, err
		}
		for name, section := range events {
			events[name] = dropNulls(section)
		}
		out[kind] = events
	}
	return out, nil
}

// dropNulls removes the null members of the objects in v: pointer fields
// the manifest did not set, which the typed object marshals as null.
func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = dropNulls(e)
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

// triggerName returns a trigger's name (its index when unnamed) and its
// kind, the one action field its template sets.
func triggerName(t v1alpha1.Trigger, i int) (name, kind string) {
	name = fmt.Sprintf("#%d", i)
	if t.Template == nil {
		return name, ""
	}
	if t.Template.Name != "" {
		name = t.Template.Name
	}
	raw, err := json.Marshal(t.Template)
	if err != nil {
		return name, ""
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return name, ""
	}
	var kinds []string
	for k := range fields {
		switch k {
		case "name", "conditions", "conditionsReset":
		default:
			kinds = append(kinds, k)
		}
	}
	sort.Strings(kinds)
	return name, strings.Join(kinds, ",")
}

// flow returns the graph with the counts of c and, when events is set,
// each Sensor's last event.
func (g *graph) flow(ctx context.Context, c metrics.Snapshot, events EventLister) Flow {
	f := Flow{Nodes: make([]Node, len(g.nodes)), Edges: make([]Edge, len(g.edges))}
	copy(f.Nodes, g.nodes)
	for i, e := range g.edges {
		f.Edges[i] = withCounts(e, g.sources[i], c)
	}
	if events == nil {
		return f
	}
	for i := range f.Nodes {
		n := &f.Nodes[i]
		if n.Kind != KindSensor {
			continue
		}
		recent, err := events.Recent(ctx, trace.Filter{Sensor: n.Name}, 1)
		if err == nil && len(recent) > 0 {
			n.Last = &recent[0]
		}
	}
	return f
}

func withCounts(e Edge, s edgeSource, c metrics.Snapshot) Edge {
	switch s.kind {
	case KindEvent:
		l := labelsIn(s.namespace, "eventsource", s.owner, "event", s.name)
		e.Count = c.Sum(metrics.NameEventsPublished, l, nil)
		e.Failures = c.Sum(metrics.NamePublishErrors, l, nil)
	case KindDependency:
		sensor := labelsIn(s.namespace, "sensor", s.owner)
		if s.allOnOne {
			e.Count = c.Sum(metrics.NameEventsReceived, sensor, nil)
		} else {
			// No per-dependency delivery count: every published event of
			// the source's event goes to each of its dependencies.
			es, ev, _ := strings.Cut(s.sub, "/")
			e.Count = c.Sum(metrics.NameEventsPublished, labelsIn(s.namespace, "eventsource", es, "event", ev), nil)
		}
		dep := labelsIn(s.namespace, "sensor", s.owner, "dependency", s.name)
		e.Filtered = c.Sum(metrics.NameEventsFiltered, dep, nil)
		e.Failures = c.Sum(metrics.NameEventsFiltered, dep, map[string]string{"reason": metrics.ReasonFilterRejected})
	case KindTrigger:
		l := labelsIn(s.namespace, "sensor", s.owner, "trigger", s.name)
		e.Count = c.Sum(metrics.NameTriggersSucceeded, l, nil)
		e.Failures = c.Sum(metrics.NameTriggersFailed, l, nil)
	}
	return e
}

// labelsIn selects an object's samples. A manifest without a namespace
// runs in the process's default one, which the graph does not know: such an
// object matches its name in any namespace.
func labelsIn(namespace string, kv ...string) map[string]string {
	l := map[string]string{}
	if namespace != "" {
		l["namespace"] = namespace
	}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return l
}
