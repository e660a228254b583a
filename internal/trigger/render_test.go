package trigger_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestRenderedSetBody(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		object     json.RawMessage
		text       string
	}{
		{name: "empty"},
		{name: "JSON object", body: `{"a":1}`, object: json.RawMessage(`{"a":1}`)},
		{name: "JSON string", body: `"hi"`, object: json.RawMessage(`"hi"`)},
		{name: "text", body: "hello, world", text: "hello, world"},
		{name: "truncated JSON", body: `{"a":`, text: `{"a":`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r trigger.Rendered
			r.SetBody([]byte(tc.body))
			assert.Equal(t, tc.object, r.Object)
			assert.Equal(t, tc.text, r.Body)
		})
	}
}

func TestRenderedMaskHeaders(t *testing.T) {
	var r trigger.Rendered
	r.MaskHeaders(nil)
	assert.Nil(t, r.Headers, "no secure header, no map")
	r.MaskHeaders([]*v1alpha1.SecureHeader{{Name: "X-Token"}, nil, {Name: "Authorization"}})
	assert.Equal(t, map[string]string{"X-Token": trigger.Masked, "Authorization": trigger.Masked}, r.Headers)
}

func TestRenderedNoServerDryRun(t *testing.T) {
	var r trigger.Rendered
	r.NoServerDryRun(trigger.RenderOptions{}, "nats", "published")
	assert.Empty(t, r.Notes, "no server check asked for")
	r.NoServerDryRun(trigger.RenderOptions{Server: true}, "nats", "published")
	assert.Equal(t, []string{"the nats trigger has no server-side dry run: nothing was published"}, r.Notes)
}
