package resource

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// Kind is the manifest name of this event source kind and the CloudEvent
// type of its events.
const Kind = "resource"

// Payload is the data of a resource event, field for field what Argo's
// resource event source publishes. Sensors read it with paths such as
// body.metadata.name.
type Payload struct {
	// Type is ADD, UPDATE or DELETE.
	Type string `json:"type"`
	// Body is the object after the change (the deleted object for DELETE).
	Body json.RawMessage `json:"body"`
	// OldBody is the object before an UPDATE, JSON null otherwise.
	OldBody json.RawMessage `json:"oldBody"`
	// Group, Version and Resource name the watched resource.
	Group    string `json:"group"`
	Version  string `json:"version"`
	Resource string `json:"resource"`
	// Metadata is the event source's metadata, when it sets one.
	Metadata map[string]string `json:"metadata,omitempty"`
}

var jsonNull = json.RawMessage("null")

// newEvent builds the CloudEvent for one change. Its id is derived from
// the EventSource, the event name, the object's uid and resourceVersion and
// the change type, so that an event emitted again after a crash carries the
// same id and the bus drops the repeat.
func (s *source) newEvent(t v1alpha1.ResourceEventType, uid, rv string, body, oldBody []byte, now time.Time) (*event.Event, error) {
	p := Payload{
		Type:     string(t),
		Body:     body,
		OldBody:  oldBody,
		Group:    s.cfg.gvr.Group,
		Version:  s.cfg.gvr.Version,
		Resource: s.cfg.gvr.Resource,
		Metadata: s.cfg.metadata,
	}
	if p.Body == nil {
		p.Body = jsonNull
	}
	if p.OldBody == nil {
		p.OldBody = jsonNull
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s event of %s: %w", t, uid, err)
	}
	return &event.Event{
		ID:              eventID(s.esNamespace, s.esName, s.eventName, uid, rv, t),
		Source:          s.esName,
		Subject:         s.eventName,
		Type:            Kind,
		Time:            now.UTC(),
		DataContentType: event.ContentTypeJSON,
		Data:            data,
	}, nil
}

// eventID is a stable id for one change of one object seen by one event.
func eventID(namespace, eventSource, eventName, uid, rv string, t v1alpha1.ResourceEventType) string {
	h := sha256.New()
	for _, part := range []string{namespace, eventSource, eventName, uid, rv, string(t)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
