// Package event defines the CloudEvents 1.0 envelope every layer of Herald
// shares: sources build it, the bus carries it, Sensors read it. Its attributes
// are the ones Argo Events sets, so a Sensor sees the same payload shape as
// under Argo.
package event

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
	"unsafe"
)

// SpecVersion is the CloudEvents version Herald writes.
const SpecVersion = "1.0"

// ContentTypeJSON is the data content type of JSON payloads.
const ContentTypeJSON = "application/json"

// Event is one occurrence published by an EventSource.
type Event struct {
	// ID identifies the event; the bus drops a re-publish of the same ID
	// within its deduplication window.
	ID string
	// Source is the name of the EventSource that produced the event.
	Source string
	// Subject is the event's name within its EventSource (the key under the
	// source kind in the manifest).
	Subject string
	// Type is the event source kind, e.g. "webhook", "resource", "calendar".
	Type string
	// Time is when the source saw the occurrence.
	Time time.Time
	// DataContentType is the media type of Data; application/json for JSON.
	DataContentType string
	// Data is the payload. For JSON content it is the raw JSON document.
	Data []byte
	// Extensions are further CloudEvents attributes (lower-case names).
	Extensions map[string]string

	// checked is Data when it is known to be one valid JSON document, so
	// that the stages an event passes through do not check it again.
	checked []byte
}

// wire is the structured-mode JSON form of a CloudEvent.
type wire struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            *time.Time      `json:"time,omitempty"`
	DataContentType string          `json:"datacontenttype,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
	DataBase64      string          `json:"data_base64,omitempty"`
}

// ErrInvalid is wrapped by errors about events that break the CloudEvents
// rules (a missing id, source or type).
var ErrInvalid = errors.New("invalid event")

// Validate checks the attributes CloudEvents requires.
func (e *Event) Validate() error {
	switch {
	case e.ID == "":
		return fmt.Errorf("%w: no id", ErrInvalid)
	case e.Source == "":
		return fmt.Errorf("%w: no source", ErrInvalid)
	case e.Type == "":
		return fmt.Errorf("%w: no type", ErrInvalid)
	}
	return nil
}

// IsJSON reports whether Data holds a JSON document.
func (e *Event) IsJSON() bool {
	return (e.DataContentType == "" || e.DataContentType == ContentTypeJSON) && e.ValidJSONData()
}

// ValidJSONData reports whether Data is one valid JSON document, whatever
// the content type says.
func (e *Event) ValidJSONData() bool {
	if len(e.Data) > 0 && len(e.checked) == len(e.Data) && unsafe.SliceData(e.checked) == unsafe.SliceData(e.Data) {
		return true
	}
	return json.Valid(e.Data)
}

// MarkValidJSON records that Data is one valid JSON document, as its
// producer knows (it wrote it with an encoder, or a parser validated it).
// The mark is for these bytes: it does not follow a new Data.
func (e *Event) MarkValidJSON() { e.checked = e.Data }

// MarshalJSON writes the event in CloudEvents structured JSON: data inline
// when it is JSON, data_base64 otherwise.
func (e *Event) MarshalJSON() ([]byte, error) {
	w := wire{SpecVersion: SpecVersion, ID: e.ID, Source: e.Source, Type: e.Type, Subject: e.Subject, DataContentType: e.DataContentType}
	if !e.Time.IsZero() {
		t := e.Time.UTC()
		w.Time = &t
	}
	if len(e.Data) > 0 {
		if e.IsJSON() {
			// encoding/json compacts a RawMessage as it writes it.
			w.Data = e.Data
		} else {
			w.DataBase64 = base64.StdEncoding.EncodeToString(e.Data)
		}
	}
	out, err := json.Marshal(w)
	if err != nil || len(e.Extensions) == 0 {
		return out, err
	}
	// Extensions are top-level attributes next to the standard ones.
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, err
	}
	for k, v := range e.Extensions {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads an event in CloudEvents structured JSON. The document
// is parsed once; the attributes are read from its members.
func (e *Event) UnmarshalJSON(data []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var w wire
	for k, v := range m {
		var err error
		switch k {
		case "specversion":
			w.SpecVersion, err = rawString(v)
		case "id":
			w.ID, err = rawString(v)
		case "source":
			w.Source, err = rawString(v)
		case "type":
			w.Type, err = rawString(v)
		case "subject":
			w.Subject, err = rawString(v)
		case "datacontenttype":
			w.DataContentType, err = rawString(v)
		case "data_base64":
			w.DataBase64, err = rawString(v)
		case "data":
			w.Data = v
		case "time":
			if string(v) != "null" {
				w.Time = new(time.Time)
				err = w.Time.UnmarshalJSON(v)
			}
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%w: attribute %s: %w", ErrInvalid, k, err)
		}
	}
	if w.SpecVersion != SpecVersion {
		return fmt.Errorf("%w: specversion %q (want %s)", ErrInvalid, w.SpecVersion, SpecVersion)
	}
	*e = Event{ID: w.ID, Source: w.Source, Subject: w.Subject, Type: w.Type, DataContentType: w.DataContentType}
	if w.Time != nil {
		e.Time = *w.Time
	}
	switch {
	case w.DataBase64 != "":
		d, err := base64.StdEncoding.DecodeString(w.DataBase64)
		if err != nil {
			return fmt.Errorf("%w: data_base64: %w", ErrInvalid, err)
		}
		e.Data = d
	case len(w.Data) > 0 && string(w.Data) != "null":
		e.Data = []byte(w.Data)
		e.MarkValidJSON() // json.Unmarshal checked it
	}
	for k, v := range m {
		switch k {
		case "specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data", "data_base64":
			continue
		}
		if s, err := rawString(v); err == nil {
			if e.Extensions == nil {
				e.Extensions = map[string]string{}
			}
			e.Extensions[k] = s
		}
	}
	return e.Validate()
}

// rawString reads a JSON string (null reads as ""), without encoding/json
// when it has no escapes.
func rawString(raw json.RawMessage) (string, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw[1:n-1], '\\') < 0 && bytes.IndexByte(raw[1:n-1], '"') < 0 && utf8.Valid(raw[1:n-1]) {
		return string(raw[1 : n-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}
