package trace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

// ErrNotFound is returned by Store.Get for an event without a trace (never
// recorded, or dropped by the store's limits).
var ErrNotFound = errors.New("no trace of this event")

// Journal is where a Store keeps the records; *jetstream.Journal is one.
type Journal interface {
	// Append stores entries (each a record filed under its event id).
	Append(ctx context.Context, entries []jetstream.JournalEntry) error
	// Read returns the records filed under key, oldest first.
	Read(ctx context.Context, key string) ([][]byte, error)
	// Recent calls fn with the last n records, oldest first.
	Recent(ctx context.Context, n uint64, fn func(key string, data []byte)) error
}

// DefaultIndexSize is the number of recent events a Store lists.
const DefaultIndexSize = 10_000

// Options tune a Store.
type Options struct {
	// IndexSize bounds the summaries kept in memory (0: DefaultIndexSize).
	IndexSize int
	// MaxAge hides summaries older than this from listings, as the journal
	// drops their records (0: no limit).
	MaxAge time.Duration
	// Logger logs (nil: nothing).
	Logger *slog.Logger
	// Background rebuilds the index from the journal after Open returns
	// instead of before (Rebuilt tells when it is done): a large journal
	// then does not hold up a process's start. Records filed meanwhile are
	// indexed at once; the events read from the journal take their places
	// before them.
	Background bool
}

// Store files trace records in a Journal and indexes the summaries of
// recent events. It is safe for concurrent use.
type Store struct {
	journal Journal
	size    int
	maxAge  time.Duration
	log     *slog.Logger

	rebuilt chan struct{}

	mu sync.RWMutex
	// index holds the summaries by id; order the ids oldest first (a ring
	// of at most size ids from head).
	index map[string]*entry
	order []string
	head  int
	subs  map[*subscriber]struct{}
}

// Open returns a Store over j, its index rebuilt from j's recent records:
// before it returns, or after with Options.Background (an error of the
// rebuild is then logged, and the index holds what was filed since).
func Open(ctx context.Context, j Journal, o Options) (*Store, error) {
	if o.IndexSize <= 0 {
		o.IndexSize = DefaultIndexSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{
		journal: j, size: o.IndexSize, maxAge: o.MaxAge, log: o.Logger, rebuilt: make(chan struct{}),
		index: map[string]*entry{}, subs: map[*subscriber]struct{}{},
	}
	if o.Background {
		go func() {
			defer close(s.rebuilt)
			start := time.Now()
			if err := s.rebuild(ctx); err != nil {
				if ctx.Err() != nil {
					return // stopped while starting
				}
				s.log.Warn("trace index not rebuilt: earlier events are not listed", "error", err)
				return
			}
			s.log.Debug("trace index rebuilt", "took", time.Since(start))
		}()
		return s, nil
	}
	defer close(s.rebuilt)
	if err := s.rebuild(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Rebuilt is closed once the index holds what the journal had when the
// Store was opened (at once unless Options.Background).
func (s *Store) Rebuilt() <-chan struct{} { return s.rebuilt }

// rebuild indexes the journal's recent records and puts the events it
// finds before those indexed since Open, keeping the newest s.size.
func (s *Store) rebuild(ctx context.Context) error {
	old := &Store{size: s.size, index: map[string]*entry{}}
	// Events have a few records each: read enough of the journal's end to
	// fill the index. Records filed since Open may be among them: adding
	// one twice changes nothing.
	err := s.journal.Recent(ctx, uint64(s.size)*4, func(_ string, data []byte) {
		var r record
		if json.Unmarshal(data, &r) == nil && r.ID != "" {
			old.add(&r)
		}
	})
	if err != nil {
		return fmt.Errorf("rebuilding the trace index: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.order)
	for i := range n {
		id := s.order[(s.head+i)%n]
		e := s.index[id]
		if o, ok := old.index[id]; ok {
			o.absorb(e)
			continue
		}
		old.index[id] = e
		old.push(id)
	}
	s.index, s.order, s.head = old.index, old.order, old.head
	return nil
}

// add folds r into the index (the caller holds mu or owns s) and returns
// the event's updated summary.
func (s *Store) add(r *record) Summary {
	e, ok := s.index[r.ID]
	if !ok {
		e = &entry{}
		s.index[r.ID] = e
		s.push(r.ID)
	}
	e.add(r)
	sum := e.Summary
	sum.Sensors = slices.Clone(e.Sensors)
	return sum
}

// entry is what the index keeps of an event: its summary, and the stages
// its steps reached (all the outcome needs). The steps themselves, with
// their details and the payload, are read from the journal when asked for:
// the index holds 10,000 entries.
type entry struct {
	Summary
	reached stages
}

// add merges r into e as Trace.merge would, and updates the outcome.
func (e *entry) add(r *record) {
	m := record{Time: e.Time, Namespace: e.Namespace, EventSource: e.EventSource, EventName: e.EventName, ReplayOf: e.ReplayOf}
	m.absorbAttrs(r)
	e.ID, e.Time, e.Namespace, e.EventSource, e.EventName, e.ReplayOf = r.ID, m.Time, m.Namespace, m.EventSource, m.EventName, m.ReplayOf
	for _, st := range r.Steps {
		e.reached |= stageOf(st)
		e.Sensors = addSensor(e.Sensors, st.Sensor)
	}
	e.Outcome = e.reached.outcome(len(e.Sensors) > 0)
}

// absorb merges into e what o, a later entry of the same event, knows.
func (e *entry) absorb(o *entry) {
	e.add(&record{ID: o.ID, Time: o.Time, Namespace: o.Namespace, EventSource: o.EventSource, EventName: o.EventName, ReplayOf: o.ReplayOf})
	e.reached |= o.reached
	for _, name := range o.Sensors {
		e.Sensors = addSensor(e.Sensors, name)
	}
	e.Outcome = e.reached.outcome(len(e.Sensors) > 0)
}

// push appends id to the ring, evicting the oldest id when full.
func (s *Store) push(id string) {
	if len(s.order) < s.size {
		s.order = append(s.order, id)
		return
	}
	delete(s.index, s.order[s.head])
	s.order[s.head] = id
	s.head = (s.head + 1) % s.size
}

// Recent returns the summaries of the latest events that pass f, newest
// first, at most limit of them (0: all in the index).
func (s *Store) Recent(_ context.Context, f Filter, limit int) ([]Summary, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var cutoff time.Time
	if s.maxAge > 0 {
		cutoff = time.Now().Add(-s.maxAge)
	}
	out := []Summary{}
	n := len(s.order)
	for i := n - 1; i >= 0; i-- {
		id := s.order[(s.head+i)%n]
		t := s.index[id]
		if t == nil || !f.Matches(t.Summary) || (!cutoff.IsZero() && t.Time.Before(cutoff)) {
			continue
		}
		sum := t.Summary
		sum.Sensors = append([]string(nil), t.Sensors...)
		out = append(out, sum)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, nil
}

// Get returns the full trace of the event id, read from the journal, or
// ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*Trace, error) {
	raw, err := s.journal.Read(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the trace of event %s: %w", id, err)
	}
	t := &Trace{Steps: []Step{}}
	for _, data := range raw {
		var r record
		if err := json.Unmarshal(data, &r); err != nil || r.ID != id {
			continue
		}
		t.merge(&r)
	}
	if t.ID == "" {
		return nil, fmt.Errorf("event %s: %w", id, ErrNotFound)
	}
	SortSteps(t.Steps)
	t.summarize()
	return t, nil
}

// file writes records to the journal, then indexes them and tells the
// subscribers; it is the Recorder's writer.
func (s *Store) file(ctx context.Context, recs []*record) error {
	entries := make([]jetstream.JournalEntry, 0, len(recs))
	for _, r := range recs {
		if r.raw != nil {
			r.Data, r.ContentType = payload(r.ContentType, r.raw)
			r.raw = nil
		}
		data, err := json.Marshal(r)
		if err != nil {
			s.log.Warn("trace record not encoded", "event_id", r.ID, "error", err)
			continue
		}
		entries = append(entries, jetstream.JournalEntry{Key: r.ID, Data: data})
	}
	err := s.journal.Append(ctx, entries)
	s.mu.Lock()
	sums := make([]Summary, 0, len(recs))
	for _, r := range recs {
		sums = append(sums, s.add(r))
	}
	s.mu.Unlock()
	s.mu.RLock()
	for sub := range s.subs {
		for _, sum := range sums {
			sub.send(sum)
		}
	}
	s.mu.RUnlock()
	return err
}

// subscriber receives the summaries of updated events that pass its
// filter; a slow one misses some rather than hold up the writer.
type subscriber struct {
	f  Filter
	ch chan Summary
}

func (sub *subscriber) send(sum Summary) {
	if !sub.f.Matches(sum) {
		return
	}
	select {
	case sub.ch <- sum:
	default:
	}
}

// Subscribe returns a channel receiving the summary of each event passing
// f each time its trace grows, and the function that ends the
// subscription (the channel is then closed).
func (s *Store) Subscribe(f Filter) (<-chan Summary, func()) {
	sub := &subscriber{f: f, ch: make(chan Summary, 256)}
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			s.mu.Lock()
			delete(s.subs, sub)
			s.mu.Unlock()
			close(sub.ch)
		})
	}
}
