package sensor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/event"
)

func TestStates(t *testing.T) {
	for name, newState := range map[string]func(t *testing.T) State{
		"kv":     func(t *testing.T) State { return newHarness(t).state },
		"memory": func(*testing.T) State { return NewMemoryState() },
	} {
		t.Run(name, func(t *testing.T) {
			s := newState(t)
			key := "ns/sensor name/trigger.1"
			p, err := s.Load(t.Context(), key)
			require.NoError(t, err)
			require.Empty(t, p)

			at := time.Date(2026, 5, 1, 9, 30, 0, 0, time.UTC)
			ev := &event.Event{ID: "a1", Source: "es", Subject: "a", Type: "webhook", Time: at, DataContentType: event.ContentTypeJSON, Data: []byte(`{"x":1}`)}
			require.NoError(t, s.Save(t.Context(), key, Pending{"a": {Event: ev, At: at}}))
			p, err = s.Load(t.Context(), key)
			require.NoError(t, err)
			require.EqualExportedValues(t, Pending{"a": {Event: ev, At: at}}, p)

			require.NoError(t, s.Save(t.Context(), key, nil))
			p, err = s.Load(t.Context(), key)
			require.NoError(t, err)
			require.Empty(t, p)
		})
	}
}
