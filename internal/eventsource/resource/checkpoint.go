package resource

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/herald-dev/herald/internal/eventsource"
)

// checkpointVersion is the format of the saved checkpoint.
const checkpointVersion = 1

// entry is what a checkpoint remembers of one object the source has
// processed: enough to tell on restart whether it changed, and a body to
// report it with if it was deleted meanwhile.
type entry struct {
	UID string `json:"uid"`
	RV  string `json:"rv"`
	// Hash is a digest of the object's JSON without resourceVersion and
	// managedFields.
	Hash string `json:"hash"`
	// Body is the object's JSON without resourceVersion and managedFields,
	// or only its identifying metadata (see trimmedBody).
	Body json.RawMessage `json:"body,omitempty"`
	// trimmed is set when Body is the identifying metadata only.
	trimmed bool
}

// checkpointFile is the saved form, gzip-compressed JSON.
type checkpointFile struct {
	Version int `json:"v"`
	// View is the fingerprint of the configuration that selects objects.
	View string `json:"view"`
	// Started is when the source first started with this checkpoint; it
	// anchors afterStart across restarts.
	Started time.Time `json:"started"`
	// Gen is the generation of the in-memory record this file saved; the
	// count goes on across restarts (see intent.Done).
	Gen     uint64            `json:"gen,omitempty"`
	Objects map[string]*entry `json:"objects"`
}

// checkpoint is the in-memory record of what a source has processed, keyed
// by namespace/name, saved to a StateStore at most every save interval and
// always after the record changed. A change is recorded only once its
// event was emitted (or filtered out), so a saved checkpoint never claims
// more than the bus has.
type checkpoint struct {
	store   eventsource.StateStore
	key     string
	view    string
	started time.Time
	log     *slog.Logger

	mu      sync.Mutex
	objects map[string]*entry
	gen     uint64 // bumped on every change
	saved   uint64 // gen of the last successful save

	// intents are the ADDs emitted or about to be, by key (intents.go).
	intents      map[string]*intent
	intentsGen   uint64     // bumped on every change of intents
	intentsSaved uint64     // intentsGen of the last successful save
	intentsIO    sync.Mutex // serialises saves of the intents
	flushing     sync.Mutex // serialises flushes: the saver's, intend's first, the last
}

// loadCheckpoint reads the checkpoint saved under key and its intents. It
// returns the checkpoint to keep up to date and what is known of the objects
// to reconcile with those now in the cluster: nil when nothing usable was
// saved (first start, or a checkpoint of another view), in which case the
// source starts afresh.
func loadCheckpoint(ctx context.Context, store eventsource.StateStore, key, view string, now time.Time, log *slog.Logger) (*checkpoint, map[string]known, error) {
	// A fresh checkpoint starts unsaved, so that its start time is kept even
	// if no object ever shows up.
	cp := &checkpoint{store: store, key: key, view: view, started: now, log: log, objects: map[string]*entry{}, gen: 1, intents: map[string]*intent{}}
	data, err := store.Load(ctx, key)
	if err != nil {
		return nil, nil, fmt.Errorf("loading checkpoint %s: %w", key, err)
	}
	if len(data) == 0 {
		return cp, nil, nil
	}
	f, err := decodeCheckpoint(data)
	if err != nil {
		log.Warn("ignoring an unreadable checkpoint; starting afresh", "key", key, "error", err)
		return cp, nil, nil
	}
	if f.Version != checkpointVersion || f.View != view {
		log.Info("ignoring the checkpoint of another configuration; starting afresh", "key", key)
		return cp, nil, nil
	}
	if !f.Started.IsZero() {
		cp.started = f.Started
	}
	if f.Objects != nil {
		cp.objects = f.Objects
	}
	cp.gen, cp.saved = f.Gen, f.Gen
	adds, err := cp.loadIntents(ctx, f.Gen)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]known, len(cp.objects)+len(adds))
	for k, e := range cp.objects {
		out[k] = known{entry: e}
	}
	for k, e := range adds {
		kn := out[k]
		kn.add = e
		out[k] = kn
	}
	return cp, out, nil
}

func decodeCheckpoint(data []byte) (*checkpointFile, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompressing: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	return &f, nil
}

// record remembers e as the state of the object at key.
func (c *checkpoint) record(key string, e *entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.objects[key]; !ok || !old.equal(*e) {
		c.objects[key] = e
		c.gen++
	}
	c.resolve(key, e, c.gen)
}

// equal reports whether two entries describe the same state.
func (e entry) equal(o entry) bool {
	return e.UID == o.UID && e.RV == o.RV && e.Hash == o.Hash
}

// forget drops the object at key if it still is the object uid.
func (c *checkpoint) forget(key, uid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.objects[key]; ok && old.UID == uid {
		delete(c.objects, key)
		c.gen++
	}
}

// flush saves the checkpoint if it changed since the last save. The
// intents are saved first when they changed, so that an intent the new
// checkpoint covers says so, and again without the intents it covers.
func (c *checkpoint) flush(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	return c.flushLocked(ctx)
}

// flushFirst saves a first checkpoint unless one was saved: of the callers
// waiting for it at the same time, only the first saves.
func (c *checkpoint) flushFirst(ctx context.Context) error {
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	never := c.saved == 0
	c.mu.Unlock()
	if !never {
		return nil
	}
	return c.flushLocked(ctx)
}

// flushLocked is flush with c.flushing held.
func (c *checkpoint) flushLocked(ctx context.Context) error {
	if ig, dirty := c.intentsDirty(); dirty {
		if err := c.saveIntents(ctx, ig); err != nil {
			return err
		}
	}
	c.mu.Lock()
	gen := c.gen
	if gen == c.saved {
		c.mu.Unlock()
		return nil
	}
	f := checkpointFile{Version: checkpointVersion, View: c.view, Started: c.started.UTC(), Gen: gen, Objects: maps.Clone(c.objects)}
	c.mu.Unlock()

	raw, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding checkpoint %s: %w", c.key, err)
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(raw); err != nil {
		return fmt.Errorf("compressing checkpoint %s: %w", c.key, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing checkpoint %s: %w", c.key, err)
	}
	if err := c.store.Save(ctx, c.key, buf.Bytes()); err != nil {
		return fmt.Errorf("saving checkpoint %s: %w", c.key, err)
	}
	c.mu.Lock()
	c.saved = max(c.saved, gen)
	c.mu.Unlock()
	c.prune(gen)
	if ig, dirty := c.intentsDirty(); dirty {
		return c.saveIntents(ctx, ig)
	}
	return nil
}

// gzipWriters keeps gzip writers between saves: each holds about 800 KB of
// tables, and a process with many resource sources saves often.
var gzipWriters = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}

// run saves the checkpoint every interval while it changes, until ctx ends.
func (c *checkpoint) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := c.flush(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("saving the checkpoint failed; will try again", "error", err)
			}
		}
	}
}

// newEntry describes obj for the checkpoint. Bodies are kept whole (without
// resourceVersion and managedFields) up to bodyLimit bytes; larger ones, and
// all bodies when bodyLimit is 0 (Secrets), keep only identifying metadata.
func newEntry(obj *unstructured.Unstructured, bodyLimit int) (*entry, error) {
	stripped := stripVolatile(obj.Object)
	b, err := json.Marshal(stripped)
	if err != nil {
		return nil, fmt.Errorf("encoding %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	sum := sha256.Sum256(b)
	e := &entry{UID: string(obj.GetUID()), RV: obj.GetResourceVersion(), Hash: hex.EncodeToString(sum[:16])}
	if len(b) <= bodyLimit {
		e.Body = b
		return e, nil
	}
	e.trimmed = true
	if e.Body, err = json.Marshal(trimmedBody(obj)); err != nil {
		return nil, fmt.Errorf("encoding %s/%s: %w", obj.GetNamespace(), obj.GetName(), err)
	}
	return e, nil
}

// stripVolatile returns a shallow copy of an object without
// metadata.resourceVersion and metadata.managedFields.
func stripVolatile(obj map[string]any) map[string]any {
	out := maps.Clone(obj)
	if md, ok := obj["metadata"].(map[string]any); ok {
		md = maps.Clone(md)
		delete(md, "resourceVersion")
		delete(md, "managedFields")
		out["metadata"] = md
	}
	return out
}

// lastAppliedAnnotation holds kubectl's copy of the whole applied object,
// Secret data included; it is never kept in a trimmed body.
const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// trimmedBody keeps an object's apiVersion, kind and identifying metadata:
// name, namespace, uid, creationTimestamp, labels, annotations and owners.
func trimmedBody(obj *unstructured.Unstructured) map[string]any {
	md := map[string]any{"name": obj.GetName(), "uid": string(obj.GetUID())}
	if ns := obj.GetNamespace(); ns != "" {
		md["namespace"] = ns
	}
	if ts, ok, _ := unstructured.NestedFieldNoCopy(obj.Object, "metadata", "creationTimestamp"); ok {
		md["creationTimestamp"] = ts
	}
	if l := obj.GetLabels(); len(l) > 0 {
		md["labels"] = l
	}
	if a := obj.GetAnnotations(); len(a) > 0 {
		delete(a, lastAppliedAnnotation) // GetAnnotations returns a copy
		if len(a) > 0 {
			md["annotations"] = a
		}
	}
	if o, ok, _ := unstructured.NestedFieldNoCopy(obj.Object, "metadata", "ownerReferences"); ok {
		md["ownerReferences"] = o
	}
	return map[string]any{"apiVersion": obj.GetAPIVersion(), "kind": obj.GetKind(), "metadata": md}
}

// object rebuilds the last known object from the entry, with its
// resourceVersion put back.
func (e *entry) object() (*unstructured.Unstructured, error) {
	var m map[string]any
	if len(e.Body) > 0 {
		if err := json.Unmarshal(e.Body, &m); err != nil {
			return nil, fmt.Errorf("decoding the checkpointed body of %s: %w", e.UID, err)
		}
	}
	u := &unstructured.Unstructured{Object: m}
	if m == nil {
		u.Object = map[string]any{}
		u.SetUID(types.UID(e.UID))
	}
	u.SetResourceVersion(e.RV)
	return u, nil
}
