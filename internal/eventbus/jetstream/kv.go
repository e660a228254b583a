package jetstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/herald-dev/herald/internal/eventbus"
)

// ErrKeyNotFound is returned by KV.Get for a key that was never set or was
// deleted.
var ErrKeyNotFound = errors.New("key not found")

// ErrRevisionMismatch is returned by KV.Update when the key's current
// revision is not the one given (someone else wrote it first).
var ErrRevisionMismatch = errors.New("key revision mismatch")

// KV is a small key-value store kept by the server (e.g. sensor state,
// schedule checkpoints). Keys may be any non-empty string; values are bytes.
// Every write returns the key's new revision.
type KV interface {
	// Get returns the value of key and its revision, or ErrKeyNotFound.
	Get(ctx context.Context, key string) ([]byte, uint64, error)
	// Put sets key to val whatever its current revision.
	Put(ctx context.Context, key string, val []byte) (uint64, error)
	// Update sets key to val only if its current revision is rev, and fails
	// with ErrRevisionMismatch otherwise. Revision 0 means "the key does
	// not exist (or was deleted)".
	Update(ctx context.Context, key string, val []byte, rev uint64) (uint64, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// KeyValue opens the bucket named bucket, creating it with the stream's
// storage and replicas if needed. Bucket names are letters, digits, '-'
// and '_'.
func (b *Bus) KeyValue(ctx context.Context, bucket string) (KV, error) {
	if err := b.enter(); err != nil {
		return nil, fmt.Errorf("opening bucket %s: %w", bucket, err)
	}
	defer b.work.Done()
	storage := jetstream.FileStorage
	if b.opts.Stream.Storage == StorageMemory {
		storage = jetstream.MemoryStorage
	}
	var kv jetstream.KeyValue
	err := b.awaitCluster(ctx, "bucket "+bucket, func(ctx context.Context) error {
		var err error
		kv, err = b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:   bucket,
			History:  1,
			Storage:  storage,
			Replicas: b.opts.Stream.Replicas,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("opening bucket %s: %w", bucket, b.kvErr(err))
	}
	return &kvStore{kv: kv, bus: b}, nil
}

// kvErr maps the library's errors to this package's and marks transient ones.
func (b *Bus) kvErr(err error) error {
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return fmt.Errorf("%w: %w", ErrKeyNotFound, err)
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyExists):
		return fmt.Errorf("%w: %w", ErrRevisionMismatch, err)
	case isPermanent(err), errors.Is(err, jetstream.ErrInvalidKey), errors.Is(err, jetstream.ErrInvalidBucketName):
		return err
	case b.isClosed():
		return fmt.Errorf("%w: %w", eventbus.ErrClosed, err)
	case errors.Is(err, eventbus.ErrUnavailable):
		return err
	}
	return fmt.Errorf("%w: %w", eventbus.ErrUnavailable, err)
}

type kvStore struct {
	kv  jetstream.KeyValue
	bus *Bus
}

func (s *kvStore) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := s.kv.Get(ctx, kvKey(key))
	if err != nil {
		return nil, 0, fmt.Errorf("getting %s from bucket %s: %w", key, s.kv.Bucket(), s.bus.kvErr(err))
	}
	return e.Value(), e.Revision(), nil
}

func (s *kvStore) Put(ctx context.Context, key string, val []byte) (uint64, error) {
	rev, err := s.kv.Put(ctx, kvKey(key), val)
	if err != nil {
		return 0, fmt.Errorf("putting %s in bucket %s: %w", key, s.kv.Bucket(), s.bus.kvErr(err))
	}
	return rev, nil
}

func (s *kvStore) Update(ctx context.Context, key string, val []byte, rev uint64) (uint64, error) {
	var (
		n   uint64
		err error
	)
	if rev == 0 {
		n, err = s.kv.Create(ctx, kvKey(key), val)
	} else {
		n, err = s.kv.Update(ctx, kvKey(key), val, rev)
	}
	if err != nil {
		return 0, fmt.Errorf("updating %s in bucket %s at revision %d: %w", key, s.kv.Bucket(), rev, s.bus.kvErr(err))
	}
	return n, nil
}

func (s *kvStore) Delete(ctx context.Context, key string) error {
	if err := s.kv.Delete(ctx, kvKey(key)); err != nil {
		return fmt.Errorf("deleting %s from bucket %s: %w", key, s.kv.Bucket(), s.bus.kvErr(err))
	}
	return nil
}

// kvKey encodes key for the server, which takes only [-/_=.A-Za-z0-9] and
// no empty dot-separated parts: every other byte, '=' and '.' are written
// as =XX. An empty key stays empty and is refused by the server.
func kvKey(key string) string {
	var sb strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '/':
			sb.WriteByte(c)
		default:
			sb.WriteByte('=')
			sb.WriteByte(hexDigits[c>>4])
			sb.WriteByte(hexDigits[c&0x0f])
		}
	}
	return sb.String()
}
