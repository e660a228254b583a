package trigger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
)

// Renderer is an optional ability of a Trigger, found by type assertion:
// Render shows what Execute would do for req without doing it (herald
// dry-run and herald test). It never changes anything outside the
// process. Unless opts.Server is set it does not talk to any server either,
// so what depends on one (a source read from a ConfigMap, the scope of a
// kind) is left out and said in Rendered.Notes. It must be safe for
// concurrent use. Errors are the ones Execute would return before acting
// (a parameter that does not resolve, an object that does not decode).
type Renderer interface {
	Render(ctx context.Context, req *Request, opts RenderOptions) (Rendered, error)
}

// RenderOptions tune Render.
type RenderOptions struct {
	// Server asks the kind to have its server check the request without
	// acting on it (Kubernetes dryRun=All) and to report the answer in
	// Rendered.Server.
	Server bool
	// Now is the clock for values Execute takes from it, such as the
	// action-timestamp label (nil: time.Now).
	Now func() time.Time
}

// Time returns the time the options' clock gives.
func (o RenderOptions) Time() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// Masked stands for secret values in what Render returns.
const Masked = "<masked>"

// Rendered is what a trigger would send for one firing.
type Rendered struct {
	// Operation is what would be done: the k8s operation ("create",
	// "update", ...), the HTTP method, "log".
	Operation string `json:"operation"`
	// Target names what it would be done to: the object
	// ("networking.k8s.io/v1 Ingress playground/fortune-svc-ingress"), the
	// URL, the log.
	Target string `json:"target"`
	// Object is the JSON document that would be sent: the Kubernetes
	// object, the HTTP body when it is JSON, the fields of the log line.
	Object json.RawMessage `json:"object,omitempty"`
	// Body is an HTTP body that is not JSON, as text.
	Body string `json:"body,omitempty"`
	// Headers are the HTTP headers, secret values replaced by Masked.
	Headers map[string]string `json:"headers,omitempty"`
	// Parameters are the kind's own parameters (k8s.parameters,
	// http.parameters and http.payload) with the values they resolved to,
	// in the order they apply.
	Parameters []ParamValue `json:"parameters,omitempty"`
	// Server is the server's answer to the dry run (RenderOptions.Server).
	Server *ServerCheck `json:"server,omitempty"`
	// Notes say what rendering could not know or left out.
	Notes []string `json:"notes,omitempty"`
}

// SetBody sets what would be sent as the message's body: Object when body
// is JSON, else Body as text. An empty body sets neither.
func (r *Rendered) SetBody(body []byte) {
	switch {
	case len(body) == 0:
	case json.Valid(body):
		r.Object = body
	default:
		r.Body = string(body)
	}
}

// MaskHeaders sets each of the secure headers to Masked in r.Headers
// (made when nil): their values come from Secrets Render does not read.
func (r *Rendered) MaskHeaders(secure []*v1alpha1.SecureHeader) {
	for _, h := range secure {
		if h == nil {
			continue
		}
		if r.Headers == nil {
			r.Headers = map[string]string{}
		}
		r.Headers[h.Name] = Masked
	}
}

// NoServerDryRun notes, when opts asked for a server-side check, that the
// kind (e.g. "http") has none, so nothing was done ("sent", "published").
func (r *Rendered) NoServerDryRun(opts RenderOptions, kind, done string) {
	if opts.Server {
		r.Notes = append(r.Notes, "the "+kind+" trigger has no server-side dry run: nothing was "+done)
	}
}

// ServerCheck is a server's answer to a request made in dry-run mode.
type ServerCheck struct {
	// Outcome says what the server would have done, e.g. "would create".
	Outcome string `json:"outcome,omitempty"`
	// Object is the object as the server returned it.
	Object json.RawMessage `json:"object,omitempty"`
	// Error is the server's refusal.
	Error string `json:"error,omitempty"`
}

// ParamValue is one parameter with the value it resolved to.
type ParamValue struct {
	// List names the parameter list, e.g. "parameters", "k8s.parameters",
	// "http.payload"; Index is the parameter's place in it.
	List  string `json:"list"`
	Index int    `json:"index"`
	// Dest is where the value is written; Operation how (overwrite,
	// append, prepend).
	Dest      string `json:"dest"`
	Operation string `json:"operation,omitempty"`
	// Dependency is the dependency whose event the value comes from.
	Dependency string `json:"dependency"`
	// From names the source field that gave the value (dataKey, value, ...).
	From string `json:"from,omitempty"`
	// Value is the value as it is written: JSON text when Raw, else the
	// string.
	Value string `json:"value"`
	// Type is the JSON type found (String, Number, ...); Raw says whether
	// the value keeps it (useRawData).
	Type string `json:"type,omitempty"`
	Raw  bool   `json:"raw,omitempty"`
	// Skipped is true when the dependency has no event and the source no
	// default: the parameter is left out.
	Skipped bool `json:"skipped,omitempty"`
	// Error is why the value did not resolve.
	Error string `json:"error,omitempty"`
}

// ResolveParams resolves each of params (the list named list) against
// events, for display: errors are recorded in the values, not returned.
func ResolveParams(list string, params []v1alpha1.TriggerParameter, events map[string]*event.Event) []ParamValue {
	out := make([]ParamValue, 0, len(params))
	for i := range params {
		p := &params[i]
		pv := ParamValue{List: list, Index: i, Dest: p.Dest, Operation: string(p.Operation)}
		if p.Src != nil {
			pv.Dependency = p.Src.DependencyName
		}
		v, err := param.Resolve(p.Src, events)
		switch {
		case err != nil:
			pv.Error = err.Error()
		case v.Skip:
			pv.Skipped = true
		default:
			pv.From, pv.Value, pv.Type, pv.Raw = v.From.String(), v.Text, v.Type.String(), v.Raw
		}
		out = append(out, pv)
	}
	return out
}
