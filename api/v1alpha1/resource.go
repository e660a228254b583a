package v1alpha1

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// K8SResource is an arbitrary Kubernetes object written inline in a manifest,
// such as the resource a k8s trigger creates. Its raw JSON is kept unchanged;
// it is decoded only when the object is used.
//
// +kubebuilder:validation:Type=object
// +kubebuilder:pruning:PreserveUnknownFields
type K8SResource struct {
	// Value is the raw JSON of the object.
	Value []byte `json:"value"`
}

// NewK8SResource returns a K8SResource holding v encoded as JSON.
func NewK8SResource(v any) (K8SResource, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return K8SResource{}, fmt.Errorf("encoding resource: %w", err)
	}
	return K8SResource{Value: data}, nil
}

// UnmarshalJSON keeps a copy of the raw JSON, which must be an object.
func (r *K8SResource) UnmarshalJSON(data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasPrefix(trimmed, []byte("{")) || !json.Valid(trimmed) {
		return fmt.Errorf("decoding resource: want a JSON object, got %.40q", string(trimmed))
	}
	r.Value = bytes.Clone(trimmed)
	return nil
}

// MarshalJSON writes the raw JSON back; an empty resource is written as {}.
func (r K8SResource) MarshalJSON() ([]byte, error) {
	if len(r.Value) == 0 {
		return []byte("{}"), nil
	}
	return r.Value, nil
}
