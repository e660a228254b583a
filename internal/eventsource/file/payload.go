package file

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/fsnotify/fsnotify"
	"github.com/google/uuid"

	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/deliver"
)

// payload is a file event's data, in Argo's shape: metadata is written
// even when empty (null), as Argo does.
type payload struct {
	Name     string            `json:"name"`
	Op       uint32            `json:"op"`
	Metadata map[string]string `json:"metadata"`
}

// publish emits the event of one change, retrying while the bus is
// unavailable.
func (s *source) publish(ctx context.Context, emit eventsource.Emit, ev fsnotify.Event) error {
	data, err := json.Marshal(payload{Name: ev.Name, Op: uint32(s.op), Metadata: s.cfg.Metadata})
	if err != nil {
		return fmt.Errorf("encoding the event data: %w", err)
	}
	e := &event.Event{ID: uuid.NewString(), DataContentType: event.ContentTypeJSON, Data: data}
	return deliver.Emit(ctx, emit, e, s.env.Logger)
}
