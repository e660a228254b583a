package sensor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
)

func TestVersionOf(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    string
		key     string
		version objectVersion
		ok      bool
	}{
		{"update", `{"type":"UPDATE","body":{"metadata":{"namespace":"ns","name":"web","resourceVersion":"42"}}}`, "ns/web", objectVersion{rv: 42}, true},
		{"delete", `{"type":"DELETE","body":{"metadata":{"namespace":"ns","name":"web","resourceVersion":"43"}}}`, "ns/web", objectVersion{rv: 43, deleted: true}, true},
		{"cluster-scoped", `{"type":"ADD","body":{"metadata":{"name":"team","resourceVersion":"7"}}}`, "/team", objectVersion{rv: 7}, true},
		{"resourceVersion not a number", `{"type":"ADD","body":{"metadata":{"name":"web","resourceVersion":"v7"}}}`, "", objectVersion{}, false},
		{"no resourceVersion", `{"type":"ADD","body":{"metadata":{"name":"web"}}}`, "", objectVersion{}, false},
		{"not an object event", `{"body":{"x":1}}`, "", objectVersion{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key, v, ok := versionOf(&event.Event{ID: "e", Data: []byte(tc.data)})
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.key, key)
			require.Equal(t, tc.version, v)
		})
	}
}

func TestHandledVersions(t *testing.T) {
	for _, tc := range []struct {
		name       string
		handled    []objectVersion
		event      objectVersion
		superseded bool
	}{
		{"nothing handled", nil, objectVersion{rv: 5}, false},
		{"older than handled", []objectVersion{{rv: 7}}, objectVersion{rv: 5}, true},
		{"same as handled", []objectVersion{{rv: 7}}, objectVersion{rv: 7}, false},
		{"newer than handled", []objectVersion{{rv: 7}}, objectVersion{rv: 9}, false},
		{"last state of a handled deletion", []objectVersion{{rv: 7, deleted: true}}, objectVersion{rv: 7}, true},
		{"the deletion again", []objectVersion{{rv: 7, deleted: true}}, objectVersion{rv: 7, deleted: true}, false},
		{"older handled later does not lower the mark", []objectVersion{{rv: 9}, {rv: 3}}, objectVersion{rv: 5}, true},
		{"recreated object", []objectVersion{{rv: 7, deleted: true}}, objectVersion{rv: 12}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := handledVersions{limit: 10}
			for _, v := range tc.handled {
				h.handled("ns/web", v)
			}
			reason, stale := h.supersededBy("ns/web", tc.event)
			require.Equal(t, tc.superseded, stale, reason)
			_, other := h.supersededBy("ns/other", tc.event)
			require.False(t, other, "other objects are not affected")
		})
	}
}

func TestHandledVersionsForgetsWhenFull(t *testing.T) {
	h := handledVersions{limit: 2}
	h.handled("a", objectVersion{rv: 9})
	h.handled("b", objectVersion{rv: 9})
	h.handled("c", objectVersion{rv: 9})
	_, stale := h.supersededBy("a", objectVersion{rv: 1})
	require.False(t, stale, "forgotten when the limit was reached")
	_, stale = h.supersededBy("c", objectVersion{rv: 1})
	require.True(t, stale)
}
