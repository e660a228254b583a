package sensor

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/trigger"
)

// Explainer runs events through a Sensor the way Run does — the same
// compiled dependencies, transforms, filters, conditions, gathered State
// and trigger-level parameters — and reports every step, rendering the
// triggers whose conditions hold (trigger.Renderer) instead of firing them.
// Events given one after the other share the Sensor's State, so a trigger
// whose condition needs several dependencies fires on the event that
// completes it. An Explainer is not safe for concurrent use.
type Explainer struct {
	e      *engine
	render trigger.RenderOptions
	// firings collects the firings of the event being explained.
	firings map[string][]Firing
}

// NewExplainer compiles cfg's Sensor as Run does (cfg.Bus, Fire, Workers
// and the delivery settings are not used; State defaults to a MemoryState)
// and renders triggers with opts. Each event counts as a first delivery.
func NewExplainer(cfg Config, opts trigger.RenderOptions) (*Explainer, error) {
	cfg.Bus, cfg.Fire, cfg.Metrics, cfg.Trace = nil, nil, nil, nil
	e, err := newEngine(cfg)
	if err != nil {
		return nil, err
	}
	x := &Explainer{e: e, render: opts}
	e.onFire = x.fire
	return x, nil
}

// EventTrace is what a Sensor made of one event.
type EventTrace struct {
	// Event is the event as given (before any transform).
	Event EventInfo `json:"event"`
	// Dependencies are the Sensor's dependencies, in manifest order.
	Dependencies []DependencyTrace `json:"dependencies"`
	// Triggers are the Sensor's triggers, in manifest order.
	Triggers []TriggerTrace `json:"triggers"`
}

// EventInfo names an event.
type EventInfo struct {
	ID      string `json:"id"`
	Source  string `json:"source"`
	Subject string `json:"subject"`
	Type    string `json:"type"`
}

// DependencyTrace is what one dependency made of the event.
type DependencyTrace struct {
	Name            string `json:"name"`
	EventSourceName string `json:"eventSourceName"`
	EventName       string `json:"eventName"`
	// Listens is false when the event is of another EventSource event: the
	// dependency never sees it, and the fields below are empty.
	Listens bool `json:"listens"`
	// Transform is set when the dependency has a transform.
	Transform *TransformTrace `json:"transform,omitempty"`
	// Filter is the filters' verdict, when the transform succeeded.
	Filter *FilterTrace `json:"filter,omitempty"`
	// Matched is true when the dependency takes the event.
	Matched bool `json:"matched"`
}

// TransformTrace is the outcome of a dependency's transform.
type TransformTrace struct {
	// Data is the transformed data (when JSON); Error why it failed (the
	// event is then dropped for the dependency).
	Data  json.RawMessage `json:"data,omitempty"`
	Error string          `json:"error,omitempty"`
}

// FilterTrace is the outcome of a dependency's filters.
type FilterTrace struct {
	Pass bool `json:"pass"`
	// Reasons say which filter rejected the event and why.
	Reasons []string `json:"reasons,omitempty"`
	// Error is a filter that could not be evaluated (the event is
	// rejected).
	Error string `json:"error,omitempty"`
}

// Trigger statuses of a TriggerTrace.
const (
	// StatusFired: the conditions held; Firings says what would be sent.
	StatusFired = "fired"
	// StatusWaiting: the trigger gathered events but its condition does not
	// hold yet.
	StatusWaiting = "waiting"
	// StatusIdle: no dependency of the trigger matched the event.
	StatusIdle = "idle"
)

// TriggerTrace is what one trigger did with the event.
type TriggerTrace struct {
	Name string `json:"name"`
	// Condition is the trigger's condition (all dependencies joined by
	// "&&" when the manifest gives none).
	Condition string `json:"condition"`
	// Status is StatusFired, StatusWaiting or StatusIdle.
	Status string `json:"status"`
	// Gathered lists the dependencies whose events the trigger keeps
	// toward its condition after this event (waiting triggers).
	Gathered []string `json:"gathered,omitempty"`
	// Firings are the firings the event caused: one per matched dependency
	// for a trigger without "&&", one for a gathering trigger.
	Firings []Firing `json:"firings,omitempty"`
}

// Firing is one firing of a trigger, rendered.
type Firing struct {
	// Dependencies are the dependencies whose events fired the trigger.
	Dependencies []string `json:"dependencies"`
	// Parameters are the trigger-level parameters with their values.
	Parameters []trigger.ParamValue `json:"parameters,omitempty"`
	// Rendered is what the trigger would send (nil on Error).
	Rendered *trigger.Rendered `json:"rendered,omitempty"`
	// Error is why the trigger would fail before sending anything.
	Error string `json:"error,omitempty"`
}

// Explain runs ev through the Sensor and returns the trace. The error is
// for ev itself (nil); what the Sensor does with it is in the trace.
func (x *Explainer) Explain(ctx context.Context, ev *event.Event) (*EventTrace, error) {
	if ev == nil {
		return nil, fmt.Errorf("explaining an event: no event")
	}
	e := x.e
	tr := &EventTrace{Event: EventInfo{ID: ev.ID, Source: ev.Source, Subject: ev.Subject, Type: ev.Type}}
	var matched map[string]*event.Event
	for _, d := range e.deps {
		dt := DependencyTrace{Name: d.spec.Name, EventSourceName: d.spec.EventSourceName, EventName: d.spec.EventName}
		if dt.Listens = d.listensTo(ev); dt.Listens {
			m := e.matchDependency(ctx, d, ev)
			dt.Transform, dt.Filter = traceTransform(d, m), traceFilter(m)
			if dt.Matched = m.matched(); dt.Matched {
				if matched == nil {
					matched = map[string]*event.Event{}
				}
				matched[d.spec.Name] = m.Event
			}
		}
		tr.Dependencies = append(tr.Dependencies, dt)
	}
	x.firings = map[string][]Firing{}
	e.processMatched(ctx, ev, matched, 1)
	for _, t := range e.triggers {
		tt := TriggerTrace{Name: t.name, Condition: t.expr.String(), Status: StatusIdle, Firings: x.firings[t.name]}
		switch {
		case len(tt.Firings) > 0:
			tt.Status = StatusFired
		case t.gathers:
			p, err := e.state.Load(ctx, t.stateKey)
			if err != nil {
				return nil, fmt.Errorf("explaining event %s: %w", ev.ID, err)
			}
			for name := range p {
				tt.Gathered = append(tt.Gathered, name)
			}
			slices.Sort(tt.Gathered)
			if len(tt.Gathered) > 0 {
				tt.Status = StatusWaiting
			}
		}
		tr.Triggers = append(tr.Triggers, tt)
	}
	return tr, nil
}

func traceTransform(d *dependency, m dependencyMatch) *TransformTrace {
	if d.transform.Identity() {
		return nil
	}
	if m.TransformErr != nil {
		return &TransformTrace{Error: m.TransformErr.Error()}
	}
	t := &TransformTrace{}
	if m.Event != nil && m.Event.IsJSON() {
		t.Data = m.Event.Data
	}
	return t
}

func traceFilter(m dependencyMatch) *FilterTrace {
	if m.TransformErr != nil {
		return nil
	}
	f := &FilterTrace{Pass: m.matched()}
	for _, r := range m.Filter.Reasons {
		f.Reasons = append(f.Reasons, r.String())
	}
	if m.FilterErr != nil {
		f.Error = m.FilterErr.Error()
	}
	return f
}

// fire is the engine's onFire hook: it applies the trigger-level
// parameters and renders the trigger, recording the firing; the event is
// done with as if the trigger had succeeded.
func (x *Explainer) fire(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string) outcome {
	f := Firing{Parameters: trigger.ResolveParams("parameters", t.spec.Parameters, events)}
	for _, d := range x.e.deps {
		if events[d.spec.Name] != nil {
			f.Dependencies = append(f.Dependencies, d.spec.Name)
		}
	}
	x.firings[t.name] = append(x.firings[t.name], x.render1(ctx, t, events, eventID, f))
	return done
}

func (x *Explainer) render1(ctx context.Context, t *compiledTrigger, events map[string]*event.Event, eventID string, f Firing) Firing {
	spec, built, err := t.prepare(x.e.sensor, events)
	if err != nil {
		f.Error = err.Error()
		return f
	}
	r, ok := built.(trigger.Renderer)
	if !ok {
		f.Error = fmt.Sprintf("trigger kind %s cannot be rendered", t.kind.Name)
		return f
	}
	req := &trigger.Request{Sensor: x.e.sensor, Trigger: spec, Events: events, EventID: eventID}
	rendered, err := r.Render(ctx, req, x.render)
	if err != nil {
		f.Error = err.Error()
		if len(rendered.Parameters) > 0 {
			f.Rendered = &trigger.Rendered{Operation: rendered.Operation, Parameters: rendered.Parameters}
		}
		return f
	}
	f.Rendered = &rendered
	return f
}
