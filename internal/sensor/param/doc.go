// Package param resolves trigger parameters and writes their values into JSON
// documents, the way Argo Events v1.9 does.
//
// A parameter (v1alpha1.TriggerParameter) takes one value from the event of a
// dependency and writes it at a path of a document:
//
//   - trigger-level parameters (spec.triggers[i].parameters) rewrite the
//     trigger template itself (ApplyToTemplate);
//   - a kind's own parameters (template.k8s.parameters, ...) rewrite the
//     object or request that trigger uses (Apply, ApplyToObject);
//   - a kind's payload (template.http.payload, ...) builds a JSON body from
//     nothing (Payload).
//
// Resolve picks the value: a gjson path (dataKey, contextKey) or a Go
// template with the sprig functions (dataTemplate, contextTemplate) over the
// event data or over the CloudEvents context as Argo renders it, with value
// as the fallback. Values are written as JSON strings unless useRawData is set
// and the path found a number, a boolean, null, an object or an array.
// Herald's extension adds expression, a jq program over the event data whose
// first output is the value with its JSON type kept (see expression.go and
// docs/extension.md).
//
// Everything here is pure: no I/O, no clock except the time limit on
// templates. Compile prepares a parameter list once (templates parsed, paths
// checked) for the hot path; the package-level functions compile and run in
// one call. Compiled values are safe for concurrent use.
//
// Where Herald knowingly departs from Argo v1.9 (a raw null, a dependency
// without an event in a payload, template limits, the env and getHostByName
// template functions) the doc comment of the function says so.
package param
