package trace

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/herald-dev/herald/internal/event"
)

// Defaults of RecorderOptions.
const (
	DefaultBuffer     = 8192
	DefaultBatch      = 512
	DefaultFlushEvery = 100 * time.Millisecond
)

// Extension attributes of a replayed event (see the replay API).
const (
	// ExtReplayOf names the event a replay repeats.
	ExtReplayOf = "heraldreplayof"
	// ExtReplaySensor names the only Sensor ("name" or "namespace/name")
	// that should take a replay; other Sensors skip it.
	ExtReplaySensor = "heraldreplaysensor"
)

// RecorderOptions tune a Recorder.
type RecorderOptions struct {
	// Buffer is the number of steps waiting to be written beyond which new
	// ones are dropped (0: DefaultBuffer).
	Buffer int
	// Batch is the most steps written at once (0: DefaultBatch).
	Batch int
	// FlushEvery is how long steps may wait for a batch to fill
	// (0: DefaultFlushEvery).
	FlushEvery time.Duration
	// Logger logs failed writes (nil: nothing).
	Logger *slog.Logger
}

// Recorder takes the steps of events from the pipeline and has them written
// to a Store in the background. Its methods never block and are safe for
// concurrent use; a nil *Recorder records nothing, so the pipeline's
// packages take one optionally.
//
// Steps wait in a buffer that the writer takes whole: a step wakes the
// writer only when it fills a batch, never one by one (a wake per step
// cost the pipeline a goroutine switch each, and put the writer ahead of
// the pipeline's own goroutines on the processor).
type Recorder struct {
	store   *Store
	limit   int // the most records waiting
	batch   int
	every   time.Duration
	log     *slog.Logger
	dropped atomic.Uint64
	done    chan struct{}
	kick    chan struct{} // a batch is waiting

	mu      sync.Mutex
	waiting []*record
}

// NewRecorder returns a Recorder writing to s; Run must be running for
// anything to be written.
func NewRecorder(s *Store, o RecorderOptions) *Recorder {
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.FlushEvery <= 0 {
		o.FlushEvery = DefaultFlushEvery
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Recorder{
		store: s, limit: o.Buffer, batch: o.Batch, every: o.FlushEvery, log: o.Logger,
		done: make(chan struct{}), kick: make(chan struct{}, 1),
	}
}

// Dropped counts the records dropped because the buffer was full.
func (r *Recorder) Dropped() uint64 {
	if r == nil {
		return 0
	}
	return r.dropped.Load()
}

// Run writes the recorded steps until ctx ends, then writes what is left
// (within a second) and returns.
func (r *Recorder) Run(ctx context.Context) {
	defer close(r.done)
	tick := time.NewTicker(r.every)
	defer tick.Stop()
	var spare []*record
	for {
		select {
		case <-r.kick:
		case <-tick.C:
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			r.flush(fctx, spare)
			return
		}
		spare = r.flush(ctx, spare)
	}
}

// flush writes every waiting record, a batch at a time, and hands back the
// buffer they were in (emptied) for the next swap.
func (r *Recorder) flush(ctx context.Context, spare []*record) []*record {
	r.mu.Lock()
	pending := r.waiting
	r.waiting = spare[:0]
	r.mu.Unlock()
	for rest := pending; len(rest) > 0; {
		n := min(len(rest), r.batch)
		if err := r.store.file(ctx, merge(rest[:n])); err != nil {
			r.log.Warn("event traces not written", "records", n, "error", err)
		}
		rest = rest[n:]
	}
	clear(pending) // the records may go
	return pending[:0]
}

// Done is closed once Run has returned.
func (r *Recorder) Done() <-chan struct{} { return r.done }

// merge joins the records of each event into one, keeping the events'
// first-seen order.
func merge(recs []*record) []*record {
	byID := make(map[string]*record, len(recs))
	out := make([]*record, 0, len(recs))
	for _, rec := range recs {
		m, ok := byID[rec.ID]
		if !ok {
			byID[rec.ID] = rec
			out = append(out, rec)
			continue
		}
		m.absorb(rec)
	}
	return out
}

// put queues rec, or drops it when the buffer is full; the record that
// fills a batch wakes the writer.
func (r *Recorder) put(rec *record) {
	r.mu.Lock()
	n := len(r.waiting)
	if n >= r.limit {
		r.mu.Unlock()
		r.dropped.Add(1)
		return
	}
	r.waiting = append(r.waiting, rec)
	r.mu.Unlock()
	if n+1 == r.batch {
		select {
		case r.kick <- struct{}{}:
		default: // already woken
		}
	}
}

// header starts a record about ev.
func header(ev *event.Event) *record {
	rec := &record{ID: ev.ID, Time: ev.Time, EventSource: ev.Source, EventName: ev.Subject, Type: ev.Type}
	if ev.Extensions != nil {
		rec.ReplayOf = ev.Extensions[ExtReplayOf]
	}
	return rec
}

// Received records that a source of the namespace emitted ev, with its
// payload.
func (r *Recorder) Received(namespace string, ev *event.Event) {
	if r == nil || ev == nil {
		return
	}
	rec := header(ev)
	rec.Namespace, rec.ContentType = namespace, ev.DataContentType
	rec.raw = ev.Data
	rec.Steps = []Step{{Time: time.Now(), Stage: StageReceived}}
	r.put(rec)
}

// Published records that ev is on the bus at sequence seq.
func (r *Recorder) Published(ev *event.Event, seq uint64) {
	if r == nil || ev == nil {
		return
	}
	rec := header(ev)
	rec.Sequence = seq
	rec.Steps = []Step{{Time: time.Now(), Stage: StagePublished}}
	r.put(rec)
}

// Step records a step of ev; a zero Time is now.
func (r *Recorder) Step(ev *event.Event, s Step) {
	if r == nil || ev == nil {
		return
	}
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	rec := header(ev)
	rec.Steps = []Step{s}
	r.put(rec)
}

// maxData bounds the payload kept in a trace.
const maxData = 64 << 10

// textPlain is the content type of a payload recorded as a string whose
// event named none.
const textPlain = "text/plain; charset=utf-8"

// payload is a received event's data as JSON: the document itself when
// the content type allows, or a string (with the content type to read it
// back as); it is worked out by the writer, off the pipeline's path.
func payload(contentType string, data []byte) (json.RawMessage, string) {
	if len(data) == 0 || len(data) > maxData {
		return nil, contentType
	}
	isJSONType := contentType == "" || contentType == event.ContentTypeJSON
	if isJSONType && json.Valid(data) {
		return json.RawMessage(data), contentType
	}
	if !utf8.Valid(data) {
		return nil, contentType
	}
	b, err := json.Marshal(string(data))
	if err != nil {
		return nil, contentType
	}
	if isJSONType {
		contentType = textPlain
	}
	return b, contentType
}

// StepID records a step of the event id, for callers that no longer hold
// the event.
func (r *Recorder) StepID(id string, s Step) {
	if r == nil || id == "" {
		return
	}
	if s.Time.IsZero() {
		s.Time = time.Now()
	}
	r.put(&record{ID: id, Steps: []Step{s}})
}
