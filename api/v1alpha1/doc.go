// Package v1alpha1 holds the Go types of the argoproj.io/v1alpha1 API that Herald
// reads: EventSource, Sensor and EventBus. The JSON names match Argo Events v1.9 so
// that the same YAML round-trips. The types carry kubebuilder markers from which
// controller-gen writes the CRDs in config/crd and zz_generated.deepcopy.go.
//
// +kubebuilder:object:generate=true
// +groupName=argoproj.io
package v1alpha1
