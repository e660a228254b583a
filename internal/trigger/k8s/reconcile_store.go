package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/herald-dev/herald/internal/trigger"
)

// storePrefix starts every key reconcile writes in a trigger.Store.
const storePrefix = "k8s-reconcile/"

// recordStore keeps the records of one trigger of one Sensor in a
// trigger.Store: an index key listing the objects, and one key per object.
// Its methods are safe for concurrent use.
type recordStore struct {
	store trigger.Store
	// base is "k8s-reconcile/<sensor namespace>/<sensor>/<trigger>".
	base string

	mu    sync.Mutex
	index []string // object keys, sorted
}

func newRecordStore(s trigger.Store, sensorNamespace, sensor, triggerName string) *recordStore {
	return &recordStore{store: s, base: storePrefix + sensorNamespace + "/" + sensor + "/" + triggerName}
}

// load returns every record stored, by object key. Records that no longer
// decode are skipped.
func (s *recordStore) load(ctx context.Context) (map[objKey]*record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, err := s.store.Get(ctx, s.base)
	if err != nil {
		return nil, fmt.Errorf("loading the reconcile index %s: %w", s.base, err)
	}
	s.index = nil
	if raw != nil {
		if err := json.Unmarshal(raw, &s.index); err != nil {
			return nil, fmt.Errorf("decoding the reconcile index %s: %w", s.base, err)
		}
	}
	out := make(map[objKey]*record, len(s.index))
	for _, k := range s.index {
		key, ok := parseObjKey(k)
		if !ok {
			continue
		}
		raw, err := s.store.Get(ctx, s.base+"/"+k)
		if err != nil {
			return nil, fmt.Errorf("loading the reconcile record %s: %w", k, err)
		}
		if rec := decodeRecord(raw); rec != nil {
			out[key] = rec
		}
	}
	return out, nil
}

// decodeRecord decodes a stored record, its objects with the API
// machinery's number rules (integers stay int64); nil when it does not
// decode.
func decodeRecord(raw []byte) *record {
	rec := &record{}
	var objects struct {
		Desired json.RawMessage `json:"desired"`
		Written json.RawMessage `json:"written"`
	}
	if raw == nil || json.Unmarshal(raw, rec) != nil || json.Unmarshal(raw, &objects) != nil ||
		utiljson.Unmarshal(objects.Desired, &rec.Desired) != nil || utiljson.Unmarshal(objects.Written, &rec.Written) != nil ||
		rec.Desired == nil {
		return nil
	}
	return rec
}

// save stores rec under key and adds key to the index.
func (s *recordStore) save(ctx context.Context, key objKey, rec *record) error {
	val, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encoding the reconcile record of %s: %w", key, err)
	}
	k := key.String()
	if err := s.store.Put(ctx, s.base+"/"+k, val); err != nil {
		return fmt.Errorf("saving the reconcile record of %s: %w", key, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := slices.BinarySearch(s.index, k)
	if found {
		return nil
	}
	index := slices.Insert(slices.Clone(s.index), i, k)
	if err := s.putIndex(ctx, index); err != nil {
		return err
	}
	s.index = index
	return nil
}

// remove deletes the record of key and drops key from the index.
func (s *recordStore) remove(ctx context.Context, key objKey) error {
	k := key.String()
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := slices.BinarySearch(s.index, k); found {
		index := slices.Delete(slices.Clone(s.index), i, i+1)
		if err := s.putIndex(ctx, index); err != nil {
			return err
		}
		s.index = index
	}
	if err := s.store.Delete(ctx, s.base+"/"+k); err != nil {
		return fmt.Errorf("deleting the reconcile record of %s: %w", key, err)
	}
	return nil
}

func (s *recordStore) putIndex(ctx context.Context, index []string) error {
	if len(index) == 0 {
		if err := s.store.Delete(ctx, s.base); err != nil {
			return fmt.Errorf("deleting the reconcile index %s: %w", s.base, err)
		}
		return nil
	}
	val, err := json.Marshal(index)
	if err != nil {
		return fmt.Errorf("encoding the reconcile index %s: %w", s.base, err)
	}
	if err := s.store.Put(ctx, s.base, val); err != nil {
		return fmt.Errorf("saving the reconcile index %s: %w", s.base, err)
	}
	return nil
}

// objKey names one object: its resource, namespace ("" when
// cluster-scoped) and name.
type objKey struct {
	Group, Version, Resource, Namespace, Name string
}

// String encodes k as group/version/resource/namespace/name, "_" standing
// for an empty group or namespace.
func (k objKey) String() string {
	return orUnderscore(k.Group) + "/" + k.Version + "/" + k.Resource + "/" + orUnderscore(k.Namespace) + "/" + k.Name
}

func parseObjKey(s string) (objKey, bool) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 {
		return objKey{}, false
	}
	un := func(p string) string {
		if p == "_" {
			return ""
		}
		return p
	}
	return objKey{Group: un(parts[0]), Version: parts[1], Resource: parts[2], Namespace: un(parts[3]), Name: parts[4]}, true
}

func orUnderscore(s string) string {
	if s == "" {
		return "_"
	}
	return s
}
