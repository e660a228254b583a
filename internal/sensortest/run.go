package sensortest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor"
	"github.com/herald-dev/herald/internal/trigger"
)

// DefaultTime is the time of an event of a test without context.time. The
// Sensor's clock, in a test, is the time of the event it handles: a test
// gives the same results whenever it runs.
var DefaultTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Options tune Run.
type Options struct {
	// Registry holds the trigger kinds (nil: trigger.Default).
	Registry *trigger.Registry
	// Env is given to the trigger kinds (a Kubernetes configuration only
	// with Server).
	Env trigger.Env
	// Server has the k8s triggers dry-run their operation on the API
	// server; a refusal fails the case.
	Server bool
}

// Result is the outcome of one SensorTest.
type Result struct {
	File string `json:"file"`
	// Test is the SensorTest's metadata.name.
	Test string `json:"test,omitempty"`
	// Sensor is the Sensor tested, as namespace/name.
	Sensor string       `json:"sensor,omitempty"`
	Cases  []CaseResult `json:"cases"`
	// Error is why the test could not run (no case ran).
	Error string `json:"error,omitempty"`
}

// Passed reports whether the test ran and every case passed.
func (r *Result) Passed() bool {
	if r.Error != "" {
		return false
	}
	for _, c := range r.Cases {
		if !c.Passed {
			return false
		}
	}
	return true
}

// CaseResult is the outcome of one case.
type CaseResult struct {
	Name     string    `json:"name"`
	Passed   bool      `json:"passed"`
	Failures []Failure `json:"failures,omitempty"`
}

// Failure is one expectation a case did not meet.
type Failure struct {
	// Trigger or Dependency names what the expectation is about.
	Trigger    string `json:"trigger,omitempty"`
	Dependency string `json:"dependency,omitempty"`
	Message    string `json:"message"`
	// Differences are the object's differences from the expected one.
	Differences []Difference `json:"differences,omitempty"`
}

// Run runs the SensorTest f read from path.
func Run(ctx context.Context, path string, f *File, opts Options) Result {
	res := Result{File: path, Test: f.Metadata.Name}
	s, err := LoadSensor(filepath.Join(filepath.Dir(path), f.Sensor), f.SensorName)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Sensor = s.Namespace + "/" + s.Name
	for i := range f.Cases {
		cr, err := runCase(ctx, path, s, &f.Cases[i], opts)
		if err != nil {
			cr = CaseResult{Name: f.Cases[i].Name, Failures: []Failure{{Message: err.Error()}}}
		}
		res.Cases = append(res.Cases, cr)
	}
	return res
}

// LoadSensor loads the Sensor called name (any name when empty; there
// must then be one Sensor) from path, a file or folder, as herald run
// would: a manifest with errors is an error.
func LoadSensor(path, name string) (*v1alpha1.Sensor, error) {
	b, diags, err := bundle.Load([]string{path}, bundle.Options{})
	if err != nil {
		return nil, err
	}
	if errs := diags.Errors(); len(errs) > 0 {
		return nil, fmt.Errorf("the Sensor's manifest has errors:\n%s", errs.String())
	}
	var found []*v1alpha1.Sensor
	for _, s := range b.Sensors() {
		if name == "" || s.Name == name {
			found = append(found, s)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && name != "":
		return nil, fmt.Errorf("no Sensor %q in %s", name, path)
	case len(found) == 0:
		return nil, fmt.Errorf("no Sensor in %s", path)
	}
	return nil, fmt.Errorf("%d Sensors in %s: name the one to use", len(found), path)
}

// caseRun is what a case's events made.
type caseRun struct {
	traces []*sensor.EventTrace
}

func runCase(ctx context.Context, path string, s *v1alpha1.Sensor, c *Case, opts Options) (CaseResult, error) {
	now := DefaultTime
	clock := func() time.Time { return now }
	reg := opts.Registry
	if reg == nil {
		reg = trigger.Default
	}
	x, err := sensor.NewExplainer(sensor.Config{Sensor: s, Registry: reg, Env: opts.Env, Now: clock},
		trigger.RenderOptions{Server: opts.Server, Now: clock})
	if err != nil {
		return CaseResult{}, err
	}
	var run caseRun
	for i := range c.Events {
		ev, err := caseEvent(path, s, &c.Events[i], i)
		if err != nil {
			return CaseResult{}, fmt.Errorf("events[%d]: %w", i, err)
		}
		if !ev.Time.IsZero() {
			now = ev.Time
		}
		tr, err := x.Explain(ctx, ev)
		if err != nil {
			return CaseResult{}, fmt.Errorf("events[%d]: %w", i, err)
		}
		run.traces = append(run.traces, tr)
	}
	cr := CaseResult{Name: c.Name}
	for i := range c.Expect.Triggers {
		cr.Failures = append(cr.Failures, run.checkTrigger(&c.Expect.Triggers[i], opts.Server)...)
	}
	for _, fe := range c.Expect.Filtered {
		if f := run.checkFiltered(fe); f != nil {
			cr.Failures = append(cr.Failures, *f)
		}
	}
	cr.Passed = len(cr.Failures) == 0
	return cr, nil
}

// caseEvent builds event i of a case.
func caseEvent(path string, s *v1alpha1.Sensor, e *Event, i int) (*event.Event, error) {
	in := EventInput{
		Raw: e.Data, Source: e.EventSourceName, Subject: e.EventName, Context: e.Context,
		ID: fmt.Sprintf("event-%d", i+1), Time: DefaultTime,
	}
	if e.DataFile != "" {
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.DataFile))
		if err != nil {
			return nil, fmt.Errorf("reading dataFile: %w", err)
		}
		in.Raw = raw
	}
	if e.Dependency != "" {
		d := DependencyOf(s, e.Dependency)
		if d == nil {
			return nil, fmt.Errorf("the Sensor has no dependency %q", e.Dependency)
		}
		in.Source, in.Subject = d.EventSourceName, d.EventName
	}
	return BuildEvent(in)
}

// DependencyOf returns the dependency of s called name, or nil.
func DependencyOf(s *v1alpha1.Sensor, name string) *v1alpha1.EventDependency {
	for i := range s.Spec.Dependencies {
		if s.Spec.Dependencies[i].Name == name {
			return &s.Spec.Dependencies[i]
		}
	}
	return nil
}

// firings returns every firing of trigger name over the case, and whether
// the Sensor has such a trigger.
func (r *caseRun) firings(name string) ([]sensor.Firing, bool) {
	var out []sensor.Firing
	known := false
	for _, tr := range r.traces {
		for _, tt := range tr.Triggers {
			if tt.Name == name {
				known = true
				out = append(out, tt.Firings...)
			}
		}
	}
	return out, known
}

func (r *caseRun) checkTrigger(te *TriggerExpect, server bool) []Failure {
	fail := func(format string, args ...any) []Failure {
		return []Failure{{Trigger: te.Name, Message: fmt.Sprintf(format, args...)}}
	}
	firings, known := r.firings(te.Name)
	wantFired := te.Fired == nil || *te.Fired
	switch {
	case !known:
		return fail("the Sensor has no trigger %q", te.Name)
	case !wantFired && len(firings) > 0:
		return fail("fired %d time(s), want no firing", len(firings))
	case !wantFired:
		return nil
	case len(firings) == 0:
		return fail("did not fire: %s", r.whyNot(te.Name))
	case te.Firings != nil && len(firings) != *te.Firings:
		return fail("fired %d time(s), want %d", len(firings), *te.Firings)
	}
	last := firings[len(firings)-1]
	if te.Error != "" {
		switch {
		case last.Error == "":
			return fail("fired without error, want an error containing %q", te.Error)
		case !strings.Contains(last.Error, te.Error):
			return fail("failed with %q, want an error containing %q", last.Error, te.Error)
		}
		return nil
	}
	if last.Error != "" {
		return fail("failed: %s", last.Error)
	}
	rd := last.Rendered
	var out []Failure
	if te.Operation != "" && rd.Operation != te.Operation {
		out = append(out, fail("operation %q, want %q", rd.Operation, te.Operation)...)
	}
	if te.Target != "" && rd.Target != te.Target {
		out = append(out, fail("target %q, want %q", rd.Target, te.Target)...)
	}
	if len(te.Object) > 0 {
		diffs, err := Compare(te.Object, rd.Object, te.Match == MatchExact)
		switch {
		case err != nil:
			out = append(out, fail("comparing the object: %s", err)...)
		case len(diffs) > 0:
			mode := MatchSubset
			if te.Match == MatchExact {
				mode = MatchExact
			}
			out = append(out, Failure{Trigger: te.Name, Message: fmt.Sprintf("object differs (%s match)", mode), Differences: diffs})
		}
	}
	for name, want := range te.Headers {
		if got, ok := rd.Headers[name]; !ok || got != want {
			out = append(out, fail("header %s: %q, want %q", name, got, want)...)
		}
	}
	if server && rd.Server != nil && rd.Server.Error != "" {
		out = append(out, fail("the server refused it: %s", rd.Server.Error)...)
	}
	return out
}

// whyNot explains why a trigger did not fire over the case, from its last
// event.
func (r *caseRun) whyNot(name string) string {
	if len(r.traces) == 0 {
		return "the case has no events"
	}
	last := r.traces[len(r.traces)-1]
	for _, tt := range last.Triggers {
		if tt.Name != name {
			continue
		}
		if tt.Status == sensor.StatusWaiting {
			return fmt.Sprintf("condition %q not met, gathered %s", tt.Condition, strings.Join(tt.Gathered, ", "))
		}
		var rejected []string
		for _, d := range last.Dependencies {
			if d.Listens && !d.Matched {
				rejected = append(rejected, d.Name+" ("+strings.Join(reasonsOf(d), "; ")+")")
			}
		}
		if len(rejected) > 0 {
			return fmt.Sprintf("condition %q not met; rejected by %s", tt.Condition, strings.Join(rejected, ", "))
		}
		return fmt.Sprintf("condition %q not met; no dependency takes the event", tt.Condition)
	}
	return "unknown trigger"
}

func (r *caseRun) checkFiltered(fe FilteredExpect) *Failure {
	seen := false
	var reasons []string
	for _, tr := range r.traces {
		for _, d := range tr.Dependencies {
			if d.Name != fe.Dependency {
				continue
			}
			seen = true
			if d.Listens && !d.Matched {
				rs := reasonsOf(d)
				if fe.Reason == "" || strings.Contains(strings.Join(rs, "\n"), fe.Reason) {
					return nil
				}
				reasons = append(reasons, rs...)
			}
		}
	}
	switch {
	case !seen:
		return &Failure{Dependency: fe.Dependency, Message: fmt.Sprintf("the Sensor has no dependency %q", fe.Dependency)}
	case len(reasons) == 0:
		return &Failure{Dependency: fe.Dependency, Message: "no event of the case was rejected"}
	}
	return &Failure{Dependency: fe.Dependency, Message: fmt.Sprintf("rejected for %q, want a reason containing %q", strings.Join(reasons, "; "), fe.Reason)}
}

// reasonsOf lists why a dependency rejected an event.
func reasonsOf(d sensor.DependencyTrace) []string {
	var out []string
	if d.Transform != nil && d.Transform.Error != "" {
		out = append(out, "transform: "+d.Transform.Error)
	}
	if d.Filter != nil {
		out = append(out, d.Filter.Reasons...)
		if d.Filter.Error != "" {
			out = append(out, d.Filter.Error)
		}
	}
	return out
}
