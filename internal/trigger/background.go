package trigger

import "context"

// Background is one run of a Sensor as the kinds that keep working between
// firings see it (the k8s trigger's reconcile option watches the objects it
// wrote). Such work stops when Done is closed, keeps what must survive a
// restart of the process in Store and is counted in Metrics.
type Background struct {
	// Done is closed when the Sensor's run ends.
	Done <-chan struct{}
	// Store keeps state across restarts of the process; nil keeps it in
	// memory only.
	Store Store
	// Metrics counts the background work; nil counts nothing.
	Metrics BackgroundMetrics
}

// Store is a durable key-value store. Keys are opaque strings chosen by the
// kind (they may hold '/'); values are bytes. It is safe for concurrent use.
type Store interface {
	// Get returns key's value, or nil and no error when key is not set.
	Get(ctx context.Context, key string) ([]byte, error)
	// Put sets key to val.
	Put(ctx context.Context, key string, val []byte) error
	// Delete removes key; removing a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// BackgroundMetrics counts what kinds do between firings.
type BackgroundMetrics interface {
	// Reconciled counts one outcome of keeping an object trigger wrote in
	// the state it wrote it in: "restored" (an edit was undone),
	// "recreated" (a deletion was undone), "released" (the object is no
	// longer kept: deleted by the trigger, or its owner is gone) or
	// "failed" (a repair failed and will be retried).
	Reconciled(trigger, outcome string)
}
