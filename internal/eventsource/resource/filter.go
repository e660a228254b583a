package resource

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// inView reports whether obj is one of the objects the source watches: its
// name has the prefix and its labels match the selector. Argo passes the
// label selector to the watch, so an object whose labels stop matching is
// seen as deleted and one whose labels start matching as added; the handler
// reproduces that on top of a shared, unfiltered informer.
func (c *config) inView(obj *unstructured.Unstructured) bool {
	if c.prefix != "" && !strings.HasPrefix(obj.GetName(), c.prefix) {
		return false
	}
	return c.labels == nil || c.labels.Matches(labels.Set(obj.GetLabels()))
}

// passes reports whether the event of change ch (whose object's JSON is
// body) should be emitted: its type is wanted and it passes the time and
// field filters. started is when the source first started.
//
// Object timestamps have whole seconds, so afterStart compares seconds; in
// the second the source started, an ADD from the informer's initial list
// counts as before the start and any other event as after it.
func (c *config) passes(ch change, body []byte, started time.Time, now time.Time) bool {
	t, obj := ch.typ, ch.obj
	if !c.types[t] {
		return false
	}
	if c.afterStart {
		at, start := eventTime(obj, t, now), started.Truncate(time.Second)
		if at.Before(start) || (ch.initial && t == v1alpha1.ADD && !at.After(start)) {
			return false
		}
	}
	if !c.createdBy.IsZero() {
		if created := obj.GetCreationTimestamp(); created.UTC().After(c.createdBy) {
			return false
		}
	}
	for _, m := range c.fields {
		if !m.matches(body) {
			return false
		}
	}
	return true
}

// matches evaluates the condition on an object's JSON: a missing path never
// matches; otherwise the regular expression is searched (unanchored) in the
// value's text.
func (m fieldMatcher) matches(body []byte) bool {
	res := gjson.GetBytes(body, m.path)
	if !res.Exists() {
		return false
	}
	return m.re.MatchString(res.String()) != m.negate
}

// eventTime is when the change behind an event happened, as Argo estimates
// it for afterStart: the creation time for ADD; the deletion time (or now)
// for DELETE; for UPDATE the latest time of a managedFields entry written by
// an Update operation, or the creation time.
func eventTime(obj *unstructured.Unstructured, t v1alpha1.ResourceEventType, now time.Time) time.Time {
	switch t {
	case v1alpha1.DELETE:
		if d := obj.GetDeletionTimestamp(); d != nil {
			return d.Time
		}
		return now
	case v1alpha1.UPDATE:
		latest := obj.GetCreationTimestamp().Time
		for _, f := range obj.GetManagedFields() {
			if f.Time != nil && f.Operation == metav1.ManagedFieldsOperationUpdate && f.Time.After(latest) {
				latest = f.Time.Time
			}
		}
		return latest
	default:
		return obj.GetCreationTimestamp().Time
	}
}
