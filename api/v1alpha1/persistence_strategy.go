package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// PersistenceStrategy is the persistent volume given to each bus server.
type PersistenceStrategy struct {
	// StorageClassName is the StorageClass of the volume claim.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
	// AccessMode of the volume, such as ReadWriteOnce.
	// +optional
	AccessMode *corev1.PersistentVolumeAccessMode `json:"accessMode,omitempty"`
	// VolumeSize is the size of the volume, such as 10Gi.
	// +optional
	VolumeSize *resource.Quantity `json:"volumeSize,omitempty"`
}
