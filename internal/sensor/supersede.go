package sensor

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/herald-dev/herald/internal/event"
)

// objectVersion is where an event about a Kubernetes object stands in that
// object's history: its resourceVersion, and whether it reports the
// deletion.
type objectVersion struct {
	rv      uint64
	deleted bool
}

// versionOf reads the object key and version of a resource event
// (body.metadata and type, as the resource source writes them); ok is false
// for other events and for resourceVersions that are not numbers (the API
// server's are etcd revisions, but clients must not rely on it: then no
// event is ever taken as superseded).
func versionOf(ev *event.Event) (key string, v objectVersion, ok bool) {
	if len(ev.Data) == 0 || (ev.DataContentType != "" && ev.DataContentType != event.ContentTypeJSON) {
		return "", v, false
	}
	r := gjson.GetManyBytes(ev.Data, "body.metadata.namespace", "body.metadata.name", "body.metadata.resourceVersion", "type")
	if r[1].Type != gjson.String || r[1].Str == "" || r[2].Type != gjson.String {
		return "", v, false
	}
	rv, err := strconv.ParseUint(r[2].Str, 10, 64)
	if err != nil {
		return "", v, false
	}
	return r[0].String() + "/" + r[1].Str, objectVersion{rv: rv, deleted: r[3].Str == "DELETE"}, true
}

// handledVersions remembers, per Kubernetes object, the latest version an
// event handled to the end was about, so that an older event the bus
// delivers again later (its first delivery was cut short by a crash, and
// newer events of the object went through meanwhile) is recognised and not
// allowed to undo what the newer ones did. It holds at most limit objects;
// when full it forgets them all, which only loses that protection for the
// redeliveries of the moment.
type handledVersions struct {
	mu    sync.Mutex
	m     map[string]objectVersion
	limit int
}

// maxHandledVersions bounds the objects a Sensor remembers versions of.
const maxHandledVersions = 100_000

// supersededBy returns a reason when ev, about key at version v, is older
// than what was already handled for key: a lower resourceVersion, or the
// same one as a handled deletion (the last state of a deleted object).
func (h *handledVersions) supersededBy(key string, v objectVersion) (string, bool) {
	h.mu.Lock()
	last, seen := h.m[key]
	h.mu.Unlock()
	switch {
	case !seen:
		return "", false
	case v.rv < last.rv:
		return fmt.Sprintf("superseded: an event about %s at resourceVersion %d was already handled", key, last.rv), true
	case v.rv == last.rv && last.deleted && !v.deleted:
		return fmt.Sprintf("superseded: the deletion of %s was already handled", key), true
	}
	return "", false
}

// handled records that an event about key at version v was handled.
func (h *handledVersions) handled(key string, v objectVersion) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil || len(h.m) >= h.limit {
		h.m = make(map[string]objectVersion)
	}
	if last, ok := h.m[key]; ok && (last.rv > v.rv || (last.rv == v.rv && last.deleted)) {
		return
	}
	h.m[key] = v
}
