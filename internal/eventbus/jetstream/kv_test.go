package jetstream

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyValue(t *testing.T) {
	b := newBus(t, Options{})
	ctx := t.Context()
	kv, err := b.KeyValue(ctx, "sensor-state")
	require.NoError(t, err)

	_, _, err = kv.Get(ctx, "missing")
	require.ErrorIs(t, err, ErrKeyNotFound)

	key := "my.sensor/trigger one"
	rev1, err := kv.Put(ctx, key, []byte("v1"))
	require.NoError(t, err)
	val, rev, err := kv.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, []byte("v1"), val)
	require.Equal(t, rev1, rev)

	rev2, err := kv.Update(ctx, key, []byte("v2"), rev1)
	require.NoError(t, err)
	require.Greater(t, rev2, rev1)
	_, err = kv.Update(ctx, key, []byte("stale"), rev1)
	require.ErrorIs(t, err, ErrRevisionMismatch)
	_, err = kv.Update(ctx, key, []byte("create"), 0)
	require.ErrorIs(t, err, ErrRevisionMismatch)

	require.NoError(t, kv.Delete(ctx, key))
	require.NoError(t, kv.Delete(ctx, "never-set"))
	_, _, err = kv.Get(ctx, key)
	require.ErrorIs(t, err, ErrKeyNotFound)

	// Revision 0 creates a deleted key again.
	rev3, err := kv.Update(ctx, key, []byte("v3"), 0)
	require.NoError(t, err)
	val, rev, err = kv.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, []byte("v3"), val)
	require.Equal(t, rev3, rev)

	// The same bucket opened again sees the data.
	again, err := b.KeyValue(ctx, "sensor-state")
	require.NoError(t, err)
	val, _, err = again.Get(ctx, key)
	require.NoError(t, err)
	require.Equal(t, []byte("v3"), val)

	_, err = b.KeyValue(ctx, "bad.bucket")
	require.Error(t, err)
	_, err = kv.Put(ctx, "", []byte("x"))
	require.Error(t, err)
}
