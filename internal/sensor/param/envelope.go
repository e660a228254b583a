package param

import (
	"encoding/json"
	"fmt"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/internal/event"
)

// Media types Argo accepts for the data a dataKey or dataTemplate reads.
const (
	mediaJSON = "application/json"
	mediaYAML = "application/yaml"
)

// argoContext is the CloudEvents context as Argo's sensor marshals it
// (v1alpha1.EventContext): every field present, in this order, time in
// RFC 3339 UTC with whole seconds, or null when unset. contextKey and
// contextTemplate read this document.
type argoContext struct {
	ID              string   `json:"id"`
	Source          string   `json:"source"`
	SpecVersion     string   `json:"specversion"`
	Type            string   `json:"type"`
	DataContentType string   `json:"datacontenttype"`
	Subject         string   `json:"subject"`
	Time            argoTime `json:"time"`
}

// argoEvent is Argo's v1alpha1.Event as encoding/json writes it: the data is
// a []byte and so comes out base64-encoded. A source with no key, template
// or value yields this document as a string.
type argoEvent struct {
	Context *argoContext `json:"context,omitempty"`
	Data    []byte       `json:"data"`
}

// argoTime marshals like metav1.Time.
type argoTime time.Time

// MarshalJSON writes null for the zero time, else RFC 3339 in UTC.
func (t argoTime) MarshalJSON() ([]byte, error) {
	tt := time.Time(t)
	if tt.IsZero() {
		return []byte("null"), nil
	}
	buf := make([]byte, 0, len(time.RFC3339)+2)
	buf = append(buf, '"')
	buf = tt.UTC().AppendFormat(buf, time.RFC3339)
	return append(buf, '"'), nil
}

// contentType is the event's media type. Herald leaves it empty for JSON
// payloads, where Argo always says application/json.
func contentType(ev *event.Event) string {
	if ev.DataContentType == "" {
		return mediaJSON
	}
	return ev.DataContentType
}

func newArgoContext(ev *event.Event) *argoContext {
	return &argoContext{
		ID:              ev.ID,
		Source:          ev.Source,
		SpecVersion:     event.SpecVersion,
		Type:            ev.Type,
		DataContentType: contentType(ev),
		Subject:         ev.Subject,
		Time:            argoTime(ev.Time),
	}
}

// contextJSON renders the document contextKey and contextTemplate read.
func contextJSON(ev *event.Event) []byte {
	out, err := json.Marshal(newArgoContext(ev))
	if err != nil { // only strings and a time: cannot fail
		panic(fmt.Sprintf("param: encoding event context: %v", err))
	}
	return out
}

// eventJSON renders the whole event the way Argo does when a source names
// neither a key, a template nor a value.
func eventJSON(ev *event.Event) []byte {
	out, err := json.Marshal(argoEvent{Context: newArgoContext(ev), Data: ev.Data})
	if err != nil {
		panic(fmt.Sprintf("param: encoding event: %v", err))
	}
	return out
}

// dataJSON returns the event data as JSON: JSON data as it is (it must be
// valid), YAML data converted, any other media type refused, as Argo does.
// The media type must match exactly: Argo does not parse parameters such as
// "; charset=utf-8".
func dataJSON(ev *event.Event) ([]byte, error) {
	switch ct := contentType(ev); ct {
	case mediaJSON:
		if !ev.ValidJSONData() {
			return nil, fmt.Errorf("%w: data is not valid JSON", ErrEventData)
		}
		return ev.Data, nil
	case mediaYAML:
		out, err := yaml.YAMLToJSON(ev.Data)
		if err != nil {
			return nil, fmt.Errorf("%w: converting YAML data to JSON: %w", ErrEventData, err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: unsupported content type %q", ErrEventData, ct)
	}
}
