package jetstream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// JournalOptions bound a Journal's stream: entries older than MaxAge, and
// the oldest entries past MaxBytes, are dropped by the server (0: no limit).
type JournalOptions struct {
	MaxAge   time.Duration
	MaxBytes int64
	// Lazy lets the server acknowledge an append before it has written
	// it to its file (JetStream's async persist mode, one write for many
	// entries): a crash of the server may lose the last few milliseconds
	// of entries. It applies to a file-backed journal on one server, when
	// the journal is created; an existing journal keeps its mode.
	Lazy bool
}

// JournalEntry is one record of a Journal, filed under a key.
type JournalEntry struct {
	Key  string
	Data []byte
}

// Journal is an append-only log of records by key, kept in its own stream
// on the bus's server (file storage unless the bus keeps its events in
// memory) under the subjects <name>.<escaped key>. It survives a restart
// within its limits. It is safe for concurrent use.
type Journal struct {
	bus    *Bus
	name   string
	stream jetstream.Stream
}

// Journal opens the journal called name, creating its stream or updating
// its limits. The name is a stream name and a subject token: letters,
// digits, '-' and '_'; it must not be the bus's subject prefix.
func (b *Bus) Journal(ctx context.Context, name string, o JournalOptions) (*Journal, error) {
	if err := validName(name); err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", name, err)
	}
	if name == b.subjects.prefix {
		return nil, fmt.Errorf("opening journal %s: the name is the bus's subject prefix", name)
	}
	if err := b.enter(); err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", name, err)
	}
	defer b.work.Done()
	storage := jetstream.FileStorage
	if b.opts.Stream.Storage == StorageMemory {
		storage = jetstream.MemoryStorage
	}
	maxBytes := o.MaxBytes
	if maxBytes <= 0 {
		maxBytes = -1
	}
	cfg := jetstream.StreamConfig{
		Name:      name,
		Subjects:  []string{name + ".>"},
		Storage:   storage,
		Replicas:  b.opts.Stream.Replicas,
		MaxAge:    max(o.MaxAge, 0),
		MaxBytes:  maxBytes,
		Discard:   jetstream.DiscardOld,
		Retention: jetstream.LimitsPolicy,
	}
	if o.Lazy && storage == jetstream.FileStorage && cfg.Replicas <= 1 {
		cfg.PersistMode = jetstream.AsyncPersistMode
	}
	var s jetstream.Stream
	err := b.awaitCluster(ctx, "journal "+name, func(ctx context.Context) error {
		// A stream's persist mode is fixed when it is created: an
		// existing journal keeps its own.
		if old, err := b.js.Stream(ctx, name); err == nil {
			cfg.PersistMode = old.CachedInfo().Config.PersistMode
		}
		var err error
		s, err = b.js.CreateOrUpdateStream(ctx, cfg)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("opening journal %s: %w", name, b.kvErr(err))
	}
	return &Journal{bus: b, name: name, stream: s}, nil
}

func (j *Journal) subject(key string) string { return j.name + "." + EscapeToken(key) }

// Append stores the entries and waits for the server's acks.
func (j *Journal) Append(ctx context.Context, entries []JournalEntry) error {
	if err := j.bus.enter(); err != nil {
		return fmt.Errorf("appending to journal %s: %w", j.name, err)
	}
	defer j.bus.work.Done()
	futs := make([]jetstream.PubAckFuture, 0, len(entries))
	var errs []error
	for _, e := range entries {
		if e.Key == "" {
			continue
		}
		f, err := j.bus.js.PublishAsync(j.subject(e.Key), e.Data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		futs = append(futs, f)
	}
	for _, f := range futs {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs = append(errs, err)
		case <-ctx.Done():
			return fmt.Errorf("appending to journal %s: %w", j.name, ctx.Err())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("appending to journal %s: %w", j.name, j.bus.kvErr(errors.Join(errs...)))
	}
	return nil
}

// Read returns the records filed under key, oldest first; none is not an
// error.
func (j *Journal) Read(ctx context.Context, key string) ([][]byte, error) {
	subj := j.subject(key)
	info, err := j.stream.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return nil, fmt.Errorf("reading %s from journal %s: %w", key, j.name, j.bus.kvErr(err))
	}
	n := info.State.Subjects[subj]
	if n == 0 {
		return nil, nil
	}
	var out [][]byte
	err = j.each(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}}, func(_ string, data []byte) {
		out = append(out, data)
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s from journal %s: %w", key, j.name, err)
	}
	return out, nil
}

// Recent calls fn with the last n records of the journal (all keys),
// oldest first, with the key each was filed under.
func (j *Journal) Recent(ctx context.Context, n uint64, fn func(key string, data []byte)) error {
	info, err := j.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("reading journal %s: %w", j.name, j.bus.kvErr(err))
	}
	st := info.State
	if st.Msgs == 0 || n == 0 {
		return nil
	}
	start := st.FirstSeq
	if st.LastSeq >= n && st.LastSeq-n+1 > start {
		start = st.LastSeq - n + 1
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: start}
	prefix := len(j.name) + 1
	err = j.each(ctx, cfg, func(subject string, data []byte) {
		if len(subject) <= prefix {
			return
		}
		if key, err := UnescapeToken(subject[prefix:]); err == nil {
			fn(key, data)
		}
	})
	if err != nil {
		return fmt.Errorf("reading journal %s: %w", j.name, err)
	}
	return nil
}

// each reads the messages an ordered consumer delivers until none is
// pending.
func (j *Journal) each(ctx context.Context, cfg jetstream.OrderedConsumerConfig, fn func(subject string, data []byte)) error {
	c, err := j.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return j.bus.kvErr(err)
	}
	waited := false
	for {
		batch, err := c.FetchNoWait(256)
		if err != nil {
			return j.bus.kvErr(err)
		}
		got, last := 0, false
		for m := range batch.Messages() {
			got++
			fn(m.Subject(), m.Data())
			if md, err := m.Metadata(); err == nil && md.NumPending == 0 {
				last = true
			}
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return j.bus.kvErr(err)
		}
		switch {
		case last:
			return nil
		case got == 0 && waited:
			return nil
		case got == 0:
			// The consumer may not have its first messages in hand yet.
			waited = true
			batch, err := c.Fetch(256, jetstream.FetchMaxWait(300*time.Millisecond))
			if err != nil {
				return j.bus.kvErr(err)
			}
			for m := range batch.Messages() {
				waited = false
				fn(m.Subject(), m.Data())
				if md, err := m.Metadata(); err == nil && md.NumPending == 0 {
					return nil
				}
			}
		}
	}
}

// DropJournal deletes the journal called name and what it holds, if it
// exists; it reports whether it did.
func (b *Bus) DropJournal(ctx context.Context, name string) (bool, error) {
	if err := validName(name); err != nil {
		return false, fmt.Errorf("dropping journal %s: %w", name, err)
	}
	if err := b.enter(); err != nil {
		return false, fmt.Errorf("dropping journal %s: %w", name, err)
	}
	defer b.work.Done()
	err := b.js.DeleteStream(ctx, name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, jetstream.ErrStreamNotFound):
		return false, nil
	default:
		return false, fmt.Errorf("dropping journal %s: %w", name, err)
	}
}
