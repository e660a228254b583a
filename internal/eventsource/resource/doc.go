// Package resource is the "resource" event source kind: it watches
// Kubernetes objects of one group, version and resource, in one namespace or
// all of them, and emits an event when one is added, updated or deleted.
//
// # Events
//
// The data of each event is a Payload, the shape Argo Events publishes:
//
//	{"type":"ADD|UPDATE|DELETE","body":{...},"oldBody":{...}|null,
//	 "group":"","version":"v1","resource":"services"[,"metadata":{...}]}
//
// body is the object as the API server returned it (managedFields and status
// included), oldBody the object before an UPDATE and null for ADD and
// DELETE. The CloudEvent's type is "resource", its source the EventSource's
// name and its subject the event's name. Its id is derived from the
// EventSource, the event name, the object's uid and resourceVersion and the
// change type, so an event emitted again after a crash is dropped by the
// bus's deduplication.
//
// # Filters
//
// As in Argo: eventTypes lists the changes to report (it must not be empty;
// an unknown type is a configuration error). filter.prefix keeps objects
// whose name starts with it. filter.labels is a label selector built like
// Argo's (operation defaults to "=", values of "in"/"notin" are comma
// separated). filter.fields keeps events whose object has a value at a gjson
// path that matches (operation "==" or "=") or does not match ("!=") a
// regular expression, searched unanchored; a missing path drops the event.
// filter.createdBy drops objects created after that time. filter.afterStart
// drops events that happened before the source started: the creation time
// for ADD, the latest managedFields "Update" time for UPDATE, the deletion
// time (or now) for DELETE.
//
// Deliberate differences from Argo, each where Argo drops events silently:
// an empty field operation means "==" (Argo drops every event), a field that
// is not a string is matched through its JSON text (Argo matches an empty
// string), a DELETE the informer only learnt about by relisting is reported
// (Argo drops it), an invalid regular expression or operation is a
// configuration error, and afterStart compares whole seconds, as object
// timestamps have no finer precision (in the second the source started, an
// object found by the initial list counts as older, one seen by the watch
// as newer). An object that the informer finds
// replaced by another of the same name after a relist is reported as a
// DELETE then an ADD rather than an UPDATE.
//
// # Sharing
//
// All resource sources of a process that watch the same resource in the
// same namespace share one informer (kept in eventsource.Shared), which
// lists and watches without a label selector. Each source registers its own
// handler and applies its label selector and prefix there, reproducing what
// a server-side selector does: an object whose labels start matching is
// reported as ADD, one whose labels stop matching as DELETE. The informer
// stops when its last source stops. The price of sharing is memory: the
// informer caches every object of the resource in the namespace, including
// those no source's selector matches.
//
// # Ordering and delivery
//
// The handler never blocks the informer: it appends changes to an unbounded
// per-source queue. Changes of one object (one namespace/name) are emitted
// one at a time in order; changes of different objects go out in parallel
// on a few workers. An emit failing with eventbus.ErrUnavailable is retried
// with backoff until it succeeds or the source stops; other errors are
// retried a few times, then logged and the event given up.
//
// # Restarts
//
// When the Env has a StateStore, each source keeps a checkpoint under
// "resource/<namespace>/<eventsource>/<event>": for every object of its view
// (name prefix and labels) the uid, resourceVersion, a hash of its content
// (without resourceVersion and managedFields) and its last body (also
// without those two fields). An object is recorded only after its event was
// emitted or filtered out. The checkpoint is saved gzip-compressed at most
// every 100 ms while it changes, and when the source stops. An ADD is the
// one change a checkpoint saved before it cannot account for, so each ADD
// is first written, with its body, to the source's intents
// ("<checkpoint key>/adds", one small write shared by the ADDs waiting at
// the same time) and only then emitted; an intent is dropped once a saved
// checkpoint covers it. A restart after a crash emits the ADDs of the
// intents the checkpoint does not cover again, with their first event ids
// (a bus that still remembers them drops them), each after the DELETE of
// the checkpointed object it replaced if any, and then compares the object
// with that ADD's state as below. So a Service added, then changed or
// deleted around a crash is never reported as new with a later state, nor
// forgotten. An intent keeps bodies up to 512 KiB (a Secret's: its
// identifying metadata only, as in the checkpoint).
//
// On start with a checkpoint, the informer's initial list is compared with
// it instead of being reported as ADDs: an object not in the checkpoint is an
// ADD; one whose resourceVersion moved is an UPDATE whose oldBody is the
// checkpointed body (so without managedFields), even when its content is the
// checkpointed one again (a state in between may have been emitted after the
// checkpoint was saved, and the object's current state must be the last one
// reported); an unchanged one emits nothing; a checkpointed object missing from the list, or now outside the
// view, is a DELETE whose body is the checkpointed body; an object replaced
// by another of the same name is a DELETE then an ADD. Several changes made
// while Herald was down thus arrive as one event. The first start's time is
// kept in the checkpoint, so afterStart still lets through objects created
// while Herald was down. Without a checkpoint (first start, no StateStore, or
// a checkpoint saved for another resource, namespace, prefix or selector),
// every listed object is reported as an ADD, as Argo does.
//
// To keep checkpoints small and free of secrets, bodies over 64 KiB, and all
// Secret bodies, are kept as apiVersion, kind and identifying metadata only
// (name, namespace, uid, creationTimestamp, labels, annotations without
// kubectl's last-applied configuration, ownerReferences). A DELETE found on
// restart then carries that reduced body, and field filters on other paths
// drop it.
package resource
