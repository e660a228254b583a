// Package manifest reads Kubernetes-style YAML manifests (EventSource, Sensor,
// EventBus and any other kind registered in [Kinds]) from files, directories
// or bytes, and reports every problem with the file and line it comes from.
//
// Loading a document happens in three steps:
//
//  1. The YAML is parsed with go.yaml.in/yaml/v3 to keep line and column
//     numbers, and converted to the JSON value that sigs.k8s.io/yaml (and so
//     kubectl and Argo Events) would produce: YAML 1.1 scalars, so unquoted
//     yes/on/off are booleans, 0x1F is 31 and ~ is null.
//  2. That value is checked against the Go type of the registered kind,
//     following the json struct tags exactly as encoding/json does. Unknown
//     fields are warnings (errors with [Options.Strict]), wrong types and
//     duplicate keys are errors. Messages suggest the intended field for
//     typos, case mismatches and fields put at the wrong level.
//  3. When the check found no error, the JSON is decoded into a fresh object
//     with encoding/json, which is what sigs.k8s.io/yaml.Unmarshal does.
//
// Every loaded [Document] carries [Positions], which map field paths in the
// format of k8s.io/apimachinery's field.Path to lines, so that later semantic
// validation can point at the right line too.
package manifest
