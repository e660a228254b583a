package webhook

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
	"github.com/herald-dev/herald/internal/eventsource/webhook/webhooktest"
)

func TestPayload(t *testing.T) {
	port := webhooktest.FreePort(t)
	cfg := hook(port, "/push", "POST")
	cfg.Metadata = map[string]string{"team": "ops"}
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(nil), testSpec("push", cfg), rec.Emit)
	getPort := webhooktest.FreePort(t)
	get := start(t, webhooktest.Env(nil), testSpec("get", hook(getPort, "/get", "GET")), rec.Emit)

	tests := []struct {
		name        string
		method, url string
		contentType string
		header      http.Header
		body        string
		wantBody    string
		wantMeta    bool
	}{
		{name: "JSON object", method: "POST", url: s.url, contentType: "application/json", body: `{"message": "hi", "n": [1, 2]}`, wantBody: `{"message":"hi","n":[1,2]}`, wantMeta: true},
		{name: "JSON without a content type", method: "POST", url: s.url, body: `[1,true,null]`, wantBody: `[1,true,null]`, wantMeta: true},
		{name: "JSON scalar", method: "POST", url: s.url, contentType: "application/json", body: `42`, wantBody: `42`, wantMeta: true},
		{name: "text becomes a JSON string", method: "POST", url: s.url, contentType: "text/plain", body: "hello <world>\n", wantBody: `"hello \u003cworld\u003e\n"`, wantMeta: true},
		{name: "empty body is null", method: "POST", url: s.url, contentType: "application/json", body: "", wantBody: `null`, wantMeta: true},
		{name: "form fields", method: "POST", url: s.url, contentType: "application/x-www-form-urlencoded", body: "a=1&a=2&b=x+y", wantBody: `{"a":["1","2"],"b":["x y"]}`, wantMeta: true},
		{name: "form with a charset", method: "POST", url: s.url, contentType: "application/x-www-form-urlencoded; charset=utf-8", body: "a=1", wantBody: `{"a":["1"]}`, wantMeta: true},
		{name: "GET query", method: "GET", url: get.url + "?x=1&y=2&y=3", wantBody: `{"x":["1"],"y":["2","3"]}`},
		{name: "GET without a query", method: "GET", url: get.url, wantBody: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.Events())
			h := http.Header{"X-Custom": {"v1", "v2"}}
			resp, _ := webhooktest.Send(t, tt.method, tt.url, tt.contentType, tt.body, h)
			require.Equal(t, http.StatusOK, resp.StatusCode)
			evs := rec.Events()
			require.Len(t, evs, before+1)
			var got struct {
				Header   map[string][]string `json:"header"`
				Body     any                 `json:"body"`
				Metadata map[string]string   `json:"metadata"`
			}
			requireJSON(t, evs[before].Data, &got)
			require.Equal(t, []string{"v1", "v2"}, got.Header["X-Custom"])
			require.Contains(t, got.Header, "User-Agent")
			require.NotContains(t, got.Header, "Host", "Go moves Host out of the header map, as under Argo")
			if tt.contentType != "" {
				require.Equal(t, []string{tt.contentType}, got.Header["Content-Type"])
			}
			require.JSONEq(t, tt.wantBody, string(bodyOf(t, evs[before].Data)))
			if tt.wantMeta {
				require.Equal(t, map[string]string{"team": "ops"}, got.Metadata)
			} else {
				require.Nil(t, got.Metadata, "no metadata key without metadata")
			}
		})
	}
}

func TestPayloadMasksAuthorization(t *testing.T) {
	port := webhooktest.FreePort(t)
	rec := &sourcetest.Recorder{}
	s := start(t, webhooktest.Env(nil), testSpec("push", hook(port, "/push", "POST")), rec.Emit)
	resp, _ := webhooktest.Send(t, "POST", s.url, "application/json", `{}`, http.Header{"Authorization": {"Bearer anything"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got struct {
		Header map[string][]string `json:"header"`
	}
	requireJSON(t, rec.Events()[0].Data, &got)
	require.Equal(t, []string{MaskedValue}, got.Header["Authorization"])
}

// TestPayloadExactShape pins the bytes of the event data of a request built
// by hand.
func TestPayloadExactShape(t *testing.T) {
	req, err := http.NewRequest("POST", "http://x/push", nil)
	require.NoError(t, err)
	req.Header = http.Header{"Content-Type": {"application/json"}}
	data, err := buildPayload(req, []byte("{ \"a\" : 1 }"), nil)
	require.NoError(t, err)
	require.Equal(t, `{"header":{"Content-Type":["application/json"]},"body":{"a":1}}`, string(data))
	data, err = buildPayload(req, []byte(`{}`), map[string]string{"k": "v"})
	require.NoError(t, err)
	require.Equal(t, `{"header":{"Content-Type":["application/json"]},"body":{},"metadata":{"k":"v"}}`, string(data))
}
