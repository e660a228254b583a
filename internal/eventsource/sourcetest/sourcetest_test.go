package sourcetest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventbus"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

// pokeSource emits one event per poke. A sender source reports a failed
// emit back through the poke's reply; a retrying one emits again on the
// next poke.
type pokeSource struct {
	pokes   chan chan error
	retries bool
}

func (s *pokeSource) Start(ctx context.Context, emit eventsource.Emit) error {
	var pending *event.Event
	for {
		select {
		case <-ctx.Done():
			return nil
		case reply := <-s.pokes:
			ev := pending
			if ev == nil {
				ev = &event.Event{Data: []byte(`{"n":1}`)}
			}
			err := emit(ctx, ev)
			pending = nil
			if err != nil && s.retries {
				pending = ev
				err = nil
			}
			reply <- err
		}
	}
}

func harness(retries bool) sourcetest.Harness {
	es := &v1alpha1.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "es", Namespace: "ns"}}
	return sourcetest.Harness{
		Kind:    "poke",
		Spec:    eventsource.Spec{EventSource: es, Name: "p"},
		Retries: retries,
		New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
			s := &pokeSource{pokes: make(chan chan error), retries: retries}
			return s, func(t *testing.T) error {
				reply := make(chan error)
				s.pokes <- reply
				return <-reply
			}
		},
	}
}

// TestSuiteAcceptsConformingSources runs the suite on minimal sources of
// both kinds of failure handling.
func TestSuiteAcceptsConformingSources(t *testing.T) {
	t.Run("reports failures", func(t *testing.T) { sourcetest.Run(t, harness(false)) })
	t.Run("retries failures", func(t *testing.T) { sourcetest.Run(t, harness(true)) })
}

func TestErrStatus(t *testing.T) {
	for code, unavailable := range map[int]bool{200: false, 204: false, 503: true, 500: false, 404: false} {
		err := sourcetest.ErrStatus(code)
		if (code < 300) != (err == nil) || errors.Is(err, eventbus.ErrUnavailable) != unavailable {
			t.Errorf("ErrStatus(%d) = %v", code, err)
		}
	}
}

func TestRecorderNextReturnsEventsInOrder(t *testing.T) {
	rec := &sourcetest.Recorder{}
	for _, id := range []string{"a", "b"} {
		require.NoError(t, rec.Emit(t.Context(), &event.Event{ID: id}))
	}
	require.Equal(t, "a", rec.Next(t).ID)
	go func() { _ = rec.Emit(context.Background(), &event.Event{ID: "c"}) }()
	require.Equal(t, "b", rec.Next(t).ID)
	require.Equal(t, "c", rec.Next(t).ID, "Next waits for an event to come")
	require.Len(t, rec.Events(), 3, "Events returns those Next returned too")
}

func TestRecordRunsAndRecordsASource(t *testing.T) {
	src := &pokeSource{pokes: make(chan chan error)}
	poke := func() error {
		reply := make(chan error)
		src.pokes <- reply
		return <-reply
	}
	r := sourcetest.Record(t, src)
	require.Same(t, src, r.Source)
	require.NoError(t, poke())
	require.JSONEq(t, `{"n":1}`, string(r.Next(t).Data))
	r.SetErr(eventbus.ErrUnavailable)
	require.ErrorIs(t, poke(), eventbus.ErrUnavailable)
	require.Equal(t, 2, r.Attempts())
	require.Len(t, r.Events(), 1, "a failed emit is not recorded")
	require.Len(t, r.Tried(), 2, "a failed emit is tried")
	require.JSONEq(t, `{"n":1}`, string(r.Tried()[1].Data))
	r.Stop()
	r.Stop() // a second stop does nothing
}
