package webhook

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
)

// payload is the event data of a webhook request, in Argo's shape.
type payload struct {
	Header   http.Header       `json:"header"`
	Body     json.RawMessage   `json:"body"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// buildPayload turns a request and its body into event data.
func buildPayload(r *http.Request, raw []byte, metadata map[string]string) ([]byte, error) {
	body, err := requestBody(r, raw)
	if err != nil {
		return nil, err
	}
	header := MaskHeaders(r.Header, "Authorization")
	data, err := json.Marshal(payload{Header: header, Body: body, Metadata: metadata})
	if err != nil {
		return nil, fmt.Errorf("encoding the event data: %w", err)
	}
	return data, nil
}

// requestBody is the "body" of the event data: the query parameters of a
// GET (name → [values]), the fields of a form (name → [values]), the JSON
// document of a JSON body; Herald adds null for an empty body and a JSON
// string for any other body, where Argo refuses the request.
func requestBody(r *http.Request, raw []byte) (json.RawMessage, error) {
	if r.Method == http.MethodGet {
		return json.Marshal(r.URL.Query())
	}
	if isForm(r.Header.Get("Content-Type")) {
		form, err := url.ParseQuery(string(raw))
		if err != nil {
			return nil, fmt.Errorf("parsing the form body: %w", err)
		}
		return json.Marshal(form)
	}
	switch {
	case len(raw) == 0:
		return json.RawMessage("null"), nil
	case json.Valid(raw):
		return raw, nil
	default:
		return json.Marshal(string(raw))
	}
}

// isForm reports whether a Content-Type is a URL-encoded form.
func isForm(contentType string) bool {
	if contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/x-www-form-urlencoded"
}
