package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/kube"
	"github.com/herald-dev/herald/internal/sensor"
	"github.com/herald-dev/herald/internal/sensortest"
	"github.com/herald-dev/herald/internal/trigger"
	_ "github.com/herald-dev/herald/internal/trigger/all" // every trigger kind
)

type dryRunOptions struct {
	file        string
	sensorName  string
	events      []string
	dependency  string
	source      string
	subject     string
	eventType   string
	at          string
	server      bool
	kubeconfig  string
	kubeContext string
	output      string
}

func newDryRunCommand() *cobra.Command {
	var o dryRunOptions
	cmd := &cobra.Command{
		Use:   "dry-run -f SENSOR.yaml --event [DEPENDENCY=]EVENT.json...",
		Short: "Show what a Sensor does with events, step by step, without firing anything",
		Long: `Dry-run passes events through a Sensor as "herald run" does — transform, filters,
conditions, parameters — and shows each step: for each dependency whether it took
the event (and which filter rejected it, and why), the transformed data; for each
trigger whether its condition holds, each parameter's value and what the trigger
would send (the Kubernetes object, the HTTP request, the log line). No trigger
fires and, without --server, nothing leaves the process.

An event file holds either a structured CloudEvent (JSON with "specversion", as
the event bus carries it) or the bare event data. Bare data needs the EventSource
event it belongs to: DEPENDENCY=FILE or --dependency take the names of a
dependency, --source and --subject give them directly. Events are handled in
order on one Sensor, so a condition over several dependencies can be completed.

--server sends each k8s operation to the API server with dryRun=All (the
kubeconfig is found as "herald run" finds it): the server validates and
defaults the object and reports what it would do, without storing anything.

Exit status: 0 when the events were explained (whatever the Sensor made of them).`,
		Example: `  herald dry-run -f examples/auto-ingress/ingress-sn.yaml \
    --event svc-dep=examples/auto-ingress/.events/C1-add.json --type resource
  herald dry-run -f sensor.yaml --event a=order.json --event b=payment.json -o json
  herald dry-run -f sensor.yaml --event cloudevent.json --server`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDryRun(cmd.Context(), cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.file, "file", "f", "", "the Sensor's manifest file")
	f.StringVar(&o.sensorName, "sensor", "", "the Sensor's name, when the file holds several")
	f.StringArrayVar(&o.events, "event", nil, "event file, [DEPENDENCY=]FILE (repeatable, in order)")
	f.StringVar(&o.dependency, "dependency", "", "dependency whose EventSource event bare data belongs to")
	f.StringVar(&o.source, "source", "", "EventSource name of bare data (CloudEvents source)")
	f.StringVar(&o.subject, "subject", "", "event name of bare data (CloudEvents subject)")
	f.StringVar(&o.eventType, "type", "", "CloudEvents type of bare data (default "+sensortest.DefaultType+")")
	f.StringVar(&o.at, "time", "", "RFC 3339 time of events without one, and the Sensor's clock (default: now)")
	f.BoolVar(&o.server, "server", false, "dry-run the k8s operations on the API server (dryRun=All)")
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file for --server (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringVar(&o.kubeContext, "context", "", "kubeconfig context for --server")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("event")
	return cmd
}

// dryRunReport is the JSON output of dry-run.
type dryRunReport struct {
	Sensor string               `json:"sensor"`
	Events []*sensor.EventTrace `json:"events"`
}

func runDryRun(ctx context.Context, w io.Writer, o dryRunOptions) error {
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("unknown --output %q (want text or json)", o.output)
	}
	clock := time.Now
	if o.at != "" {
		at, err := time.Parse(time.RFC3339Nano, o.at)
		if err != nil {
			return fmt.Errorf("reading --time: %w", err)
		}
		clock = func() time.Time { return at }
	}
	s, err := sensortest.LoadSensor(o.file, o.sensorName)
	if err != nil {
		return err
	}
	env, err := renderEnv(o.server, o.kubeconfig, o.kubeContext)
	if err != nil {
		return err
	}
	x, err := sensor.NewExplainer(sensor.Config{Sensor: s, Registry: trigger.Default, Env: env, Now: clock},
		trigger.RenderOptions{Server: o.server, Now: clock})
	if err != nil {
		return err
	}
	rep := dryRunReport{Sensor: s.Namespace + "/" + s.Name}
	for i, spec := range o.events {
		ev, err := dryRunEvent(s, o, spec, i, clock())
		if err != nil {
			return err
		}
		tr, err := x.Explain(ctx, ev)
		if err != nil {
			return err
		}
		rep.Events = append(rep.Events, tr)
	}
	if o.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("writing the report: %w", err)
		}
		return nil
	}
	fmt.Fprintf(w, "Sensor %s\n", rep.Sensor)
	for _, tr := range rep.Events {
		writeTrace(w, tr)
	}
	return nil
}

// dryRunEvent builds event i from its --event value, [DEPENDENCY=]FILE.
func dryRunEvent(s *v1alpha1.Sensor, o dryRunOptions, spec string, i int, now time.Time) (*event.Event, error) {
	dep, path := o.dependency, spec
	if name, file, ok := strings.Cut(spec, "="); ok && !strings.ContainsAny(name, `/\`) {
		dep, path = name, file
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading event file: %w", err)
	}
	in := sensortest.EventInput{
		Raw: raw, Source: o.source, Subject: o.subject,
		Context: sensortest.Context{Type: o.eventType},
		ID:      fmt.Sprintf("dryrun-%d", i+1), Time: now,
	}
	if dep != "" {
		d := sensortest.DependencyOf(s, dep)
		if d == nil {
			return nil, fmt.Errorf("event %s: the Sensor has no dependency %q", path, dep)
		}
		in.Source, in.Subject = d.EventSourceName, d.EventName
	}
	ev, err := sensortest.BuildEvent(in)
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", path, err)
	}
	return ev, nil
}

// renderEnv is the trigger environment of a dry run: a cluster only with
// server.
func renderEnv(server bool, kubeconfig, kubeContext string) (trigger.Env, error) {
	env := trigger.Env{Logger: slog.New(slog.DiscardHandler)}
	if !server {
		return env, nil
	}
	cfg, err := kube.Config(kube.Options{Kubeconfig: kubeconfig, Context: kubeContext, QPS: kube.DefaultQPS, Burst: kube.DefaultBurst})
	if err != nil {
		return env, fmt.Errorf("--server: %w", err)
	}
	env.Kube = cfg
	return env, nil
}

// writeTrace prints what the Sensor made of one event.
func writeTrace(w io.Writer, tr *sensor.EventTrace) {
	ev := tr.Event
	fmt.Fprintf(w, "\nevent %s (%s/%s, type %s)\n", ev.ID, ev.Source, ev.Subject, ev.Type)
	for _, d := range tr.Dependencies {
		writeDependency(w, d)
	}
	for _, t := range tr.Triggers {
		writeTrigger(w, t)
	}
}

func writeDependency(w io.Writer, d sensor.DependencyTrace) {
	head := fmt.Sprintf("  dependency %s (%s/%s): ", d.Name, d.EventSourceName, d.EventName)
	switch {
	case !d.Listens:
		fmt.Fprintln(w, head+"not its event")
		return
	case d.Matched:
		fmt.Fprintln(w, head+"matched")
	default:
		fmt.Fprintln(w, head+"rejected")
	}
	if t := d.Transform; t != nil {
		if t.Error != "" {
			fmt.Fprintf(w, "    transform failed: %s\n", t.Error)
		} else {
			fmt.Fprintln(w, "    transformed data:")
			writeJSONAsYAML(w, t.Data, "      ")
		}
	}
	if f := d.Filter; f != nil {
		switch {
		case f.Error != "":
			fmt.Fprintf(w, "    filters: error: %s\n", f.Error)
		case f.Pass:
			fmt.Fprintln(w, "    filters: passed")
		default:
			fmt.Fprintln(w, "    filters: rejected")
		}
		for _, r := range f.Reasons {
			fmt.Fprintf(w, "      %s\n", r)
		}
	}
}

func writeTrigger(w io.Writer, t sensor.TriggerTrace) {
	head := fmt.Sprintf("  trigger %s (condition %s): ", t.Name, t.Condition)
	switch t.Status {
	case sensor.StatusFired:
		fmt.Fprintln(w, head+"fired")
	case sensor.StatusWaiting:
		fmt.Fprintf(w, "%swaiting: condition not met, gathered %s\n", head, strings.Join(t.Gathered, ", "))
	default:
		fmt.Fprintln(w, head+"not fired: no dependency of its condition took the event")
	}
	for _, f := range t.Firings {
		if len(t.Firings) > 1 {
			fmt.Fprintf(w, "    firing with %s:\n", strings.Join(f.Dependencies, ", "))
		}
		for _, p := range f.Parameters {
			writeParam(w, p)
		}
		if r := f.Rendered; r != nil {
			for _, p := range r.Parameters {
				writeParam(w, p)
			}
		}
		if f.Error != "" {
			fmt.Fprintf(w, "    error: %s\n", f.Error)
			continue
		}
		writeRendered(w, f.Rendered)
	}
}

func writeParam(w io.Writer, p trigger.ParamValue) {
	op := ""
	if p.Operation != "" {
		op = " (" + p.Operation + ")"
	}
	fmt.Fprintf(w, "    %s[%d] %s%s <- %s: ", p.List, p.Index, p.Dest, op, p.Dependency)
	switch {
	case p.Error != "":
		fmt.Fprintf(w, "error: %s\n", p.Error)
	case p.Skipped:
		fmt.Fprintln(w, "skipped (no event of the dependency, no default)")
	case p.Raw:
		fmt.Fprintf(w, "%s (%s %s, raw)\n", p.Value, p.From, p.Type)
	default:
		fmt.Fprintf(w, "%s (%s)\n", strconv.Quote(p.Value), p.From)
	}
}

func writeRendered(w io.Writer, r *trigger.Rendered) {
	fmt.Fprintf(w, "    %s %s\n", r.Operation, r.Target)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "    note: %s\n", n)
	}
	if len(r.Headers) > 0 {
		names := make([]string, 0, len(r.Headers))
		for n := range r.Headers {
			names = append(names, n)
		}
		slices.Sort(names)
		fmt.Fprintln(w, "    headers:")
		for _, n := range names {
			fmt.Fprintf(w, "      %s: %s\n", n, r.Headers[n])
		}
	}
	if len(r.Object) > 0 {
		fmt.Fprintln(w, "    object:")
		writeJSONAsYAML(w, r.Object, "      ")
	}
	if r.Body != "" {
		fmt.Fprintf(w, "    body: %s\n", strconv.Quote(r.Body))
	}
	if s := r.Server; s != nil {
		if s.Error != "" {
			fmt.Fprintf(w, "    server: refused: %s\n", s.Error)
		} else {
			fmt.Fprintf(w, "    server: %s\n", s.Outcome)
		}
	}
}

// writeJSONAsYAML prints a JSON document as YAML, each line indented.
func writeJSONAsYAML(w io.Writer, doc json.RawMessage, indent string) {
	out, err := yaml.JSONToYAML(doc)
	if err != nil {
		out = doc
	}
	for line := range strings.Lines(string(out)) {
		fmt.Fprint(w, indent+line)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		fmt.Fprintln(w)
	}
}
