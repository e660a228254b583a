package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/herald-dev/herald/internal/api"
	"github.com/herald-dev/herald/internal/trace"
)

// eventsClient talks to the events API of a running herald.
type eventsClient struct {
	server string
	token  string
	http   *http.Client
}

func newEventsCommand() *cobra.Command {
	c := &eventsClient{http: &http.Client{}}
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Follow, inspect and replay the events a running herald handles",
		Long: `The events commands talk to the events API of a running "herald run" or
"herald dev" (its --ui-addr). Every event has a trace: when its source received
it, its bus sequence, what each Sensor's dependencies made of it (with the
reason for a rejection) and each trigger's result.`,
		Example: `  herald events tail --sensor auto-ingress
  herald events show 5c1f0e7e-9a0b-4f43-8f0e-2b0a3a3e0c11
  herald events replay 5c1f0e7e-9a0b-4f43-8f0e-2b0a3a3e0c11 --sensor auto-ingress`,
	}
	f := cmd.PersistentFlags()
	f.StringVar(&c.server, "server", "http://127.0.0.1:9092", "address of the running herald's web UI and events API (its --ui-addr)")
	f.StringVar(&c.token, "token", "", "bearer token of the events API (default: $HERALD_UI_TOKEN)")
	cmd.AddCommand(newEventsTailCommand(c), newEventsShowCommand(c), newEventsReplayCommand(c))
	return cmd
}

func newEventsTailCommand(c *eventsClient) *cobra.Command {
	var sensor, source string
	cmd := &cobra.Command{
		Use:   "tail",
		Short: "Follow events live, one line each time an event's outcome changes",
		Long: `Tail prints a line each time an event's outcome changes: time, id,
eventsource/event, outcome (published, filtered, triggered, failed) and the
Sensors it reached. It runs until interrupted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			q := url.Values{}
			if sensor != "" {
				q.Set("sensor", sensor)
			}
			if source != "" {
				q.Set("eventSource", source)
			}
			err := c.tail(ctx, q, cmd.OutOrStdout())
			if ctx.Err() != nil {
				return nil
			}
			return err
		},
	}
	cmd.Flags().StringVar(&sensor, "sensor", "", "only events delivered to this Sensor")
	cmd.Flags().StringVar(&source, "source", "", "only events of this EventSource")
	return cmd
}

// tail prints the summaries of the event stream until it ends.
func (c *eventsClient) tail(ctx context.Context, q url.Values, out io.Writer) error {
	resp, err := c.do(ctx, http.MethodGet, "/api/v1/events/stream?"+q.Encode())
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// The stream repeats an event as its trace grows: print it when its
	// outcome changes.
	last := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var s trace.Summary
		if err := json.Unmarshal([]byte(data), &s); err != nil {
			continue
		}
		if last[s.ID] == s.Outcome {
			continue
		}
		if len(last) >= 10_000 {
			clear(last)
		}
		last[s.ID] = s.Outcome
		fmt.Fprintln(out, summaryLine(s))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading the event stream: %w", err)
	}
	return errors.New("the event stream ended (herald stopped?)")
}

// summaryLine is the one-line view of an event.
func summaryLine(s trace.Summary) string {
	sensors := strings.Join(s.Sensors, ",")
	if sensors == "" {
		sensors = "-"
	}
	line := fmt.Sprintf("%s  %s  %s/%s  %-9s  %s", s.Time.UTC().Format(time.RFC3339), s.ID, s.EventSource, s.EventName, s.Outcome, sensors)
	if s.ReplayOf != "" {
		line += "  (replay of " + s.ReplayOf + ")"
	}
	return line
}

func newEventsShowCommand(c *eventsClient) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print the full trace of one event",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return fmt.Errorf("--output %q: want text or json", output)
			}
			resp, err := c.do(cmd.Context(), http.MethodGet, "/api/v1/events/"+url.PathEscape(args[0]))
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var t trace.Trace
			if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
				return fmt.Errorf("reading the trace of event %s: %w", args[0], err)
			}
			out := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(&t)
			}
			writeEventTrace(out, &t)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func newEventsReplayCommand(c *eventsClient) *cobra.Command {
	var sensor string
	cmd := &cobra.Command{
		Use:   "replay ID",
		Short: "Publish a recorded event again, as a new event, for one Sensor or all",
		Long: `Replay publishes the recorded payload of an event again as a new event of the
same EventSource event, so that Sensors run it again (after fixing a Sensor, to
re-apply it). With --sensor only that Sensor takes it; the others skip it. The
new event's trace names the original.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := "/api/v1/events/" + url.PathEscape(args[0]) + "/replay"
			if sensor != "" {
				path += "?sensor=" + url.QueryEscape(sensor)
			}
			resp, err := c.do(cmd.Context(), http.MethodPost, path)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			var r api.Replayed
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
				return fmt.Errorf("reading the replay's answer: %w", err)
			}
			who := "every Sensor listening"
			if r.Sensor != "" {
				who = "Sensor " + r.Sensor
			}
			fmt.Fprintf(cmd.OutOrStdout(), "replayed %s as %s for %s\n", r.ReplayOf, r.ID, who)
			return nil
		},
	}
	cmd.Flags().StringVar(&sensor, "sensor", "", "the only Sensor to take the replay (name or namespace/name)")
	return cmd
}

// do sends a request to the API and returns a successful answer; other
// answers become errors carrying the API's message.
func (c *eventsClient) do(ctx context.Context, method, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.server, "/")+path, nil)
	if err != nil {
		return nil, fmt.Errorf("building the request: %w", err)
	}
	token := c.token
	if token == "" {
		token = os.Getenv("HERALD_UI_TOKEN")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("asking herald at %s (is it running with --ui-addr?): %w", c.server, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e api.Error
	if json.NewDecoder(resp.Body).Decode(&e) != nil || e.Error == "" {
		e.Error = resp.Status
	}
	return nil, fmt.Errorf("herald answered %d: %s", resp.StatusCode, e.Error)
}

// writeEventTrace prints a trace for people.
func writeEventTrace(out io.Writer, t *trace.Trace) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "Event:\t%s\n", t.ID)
	fmt.Fprintf(tw, "Source:\t%s/%s, event %s (%s)\n", t.Namespace, t.EventSource, t.EventName, t.Type)
	fmt.Fprintf(tw, "Time:\t%s\n", t.Time.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(tw, "Sequence:\t%d\n", t.Sequence)
	fmt.Fprintf(tw, "Outcome:\t%s\n", t.Outcome)
	if len(t.Sensors) > 0 {
		fmt.Fprintf(tw, "Sensors:\t%s\n", strings.Join(t.Sensors, ", "))
	}
	if t.ReplayOf != "" {
		fmt.Fprintf(tw, "Replay of:\t%s\n", t.ReplayOf)
	}
	_ = tw.Flush()
	fmt.Fprintln(out, "\nSteps:")
	var steps strings.Builder
	tw = tabwriter.NewWriter(&steps, 0, 0, 2, ' ', 0)
	for _, s := range t.Steps {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Time.UTC().Format("15:04:05.000"), s.Stage, stepWhere(s), stepDetail(s))
	}
	_ = tw.Flush()
	for line := range strings.Lines(steps.String()) {
		fmt.Fprintln(out, strings.TrimRight(line, " \n"))
	}
	if len(t.Data) > 0 {
		fmt.Fprintln(out, "\nData:")
		fmt.Fprintln(out, indentJSON(t.Data, "  "))
	}
}

// stepWhere names the Sensor and its dependency or trigger.
func stepWhere(s trace.Step) string {
	switch {
	case s.Sensor == "":
		return "-"
	case s.Dependency != "":
		return s.Sensor + "/" + s.Dependency
	case s.Trigger != "":
		return s.Sensor + "/" + s.Trigger
	}
	return s.Sensor
}

// stepDetail is what a step found: a reason, a result, an error.
func stepDetail(s trace.Step) string {
	var parts []string
	if s.Reason != "" {
		parts = append(parts, s.Reason)
	}
	if s.Ref != "" {
		parts = append(parts, s.Ref)
	}
	if s.Attempts > 1 {
		parts = append(parts, fmt.Sprintf("after %d attempts", s.Attempts))
	}
	if s.Error != "" {
		first, _, _ := strings.Cut(s.Error, "\n")
		parts = append(parts, "error: "+first)
	}
	if len(s.Data) > 0 {
		parts = append(parts, "output "+indentJSON(s.Data, ""))
	}
	return strings.Join(parts, "; ")
}

// indentJSON pretty-prints a JSON document with prefix before each line,
// or returns it as it is when it does not parse. With an empty prefix it
// stays on one line.
func indentJSON(raw json.RawMessage, prefix string) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	var b []byte
	var err error
	if prefix == "" {
		b, err = json.Marshal(v)
	} else {
		b, err = json.MarshalIndent(v, prefix, "  ")
	}
	if err != nil {
		return string(raw)
	}
	return prefix + string(b)
}
