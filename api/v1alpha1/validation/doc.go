// Package validation checks the meaning of decoded EventSource, Sensor and
// EventBus objects: the rules Argo Events enforces, plus what Herald can tell
// for certain before running anything (jq programs, Lua scripts, templates,
// regular expressions, cron schedules, gjson and sjson paths compile or
// parse). It is pure: no I/O, no clock, no cluster.
//
// The lint and run commands, the controller and the admission webhook all
// call ValidateEventSource, ValidateSensor and ValidateEventBus. Each returns a
// Result whose errors and warnings are field errors: Field is the JSON path of
// the offending value in field.Path form (`spec.triggers[0].template.k8s.operation`,
// `spec.webhook[example].port`) so that a loader can point at the file line,
// and Detail is a complete sentence meant to be printed as `path: Detail`.
//
// Decoding problems (unknown fields, wrong types) are not reported here; the
// manifest loader finds them.
//
// Anything Herald does not run (a trigger kind, an event source kind, an
// artifact location, the kafka bus) is an error whose Detail starts with
// "unsupported: ", so that it is never silently ignored and tools can tell it
// from a mistake in the manifest.
package validation
