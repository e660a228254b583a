package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// JetStreamBus is the setup of a NATS JetStream StatefulSet the controller runs.
type JetStreamBus struct {
	// Version of NATS JetStream to run, such as "2.10.10".
	// +optional
	Version string `json:"version,omitempty"`
	// Replicas is the StatefulSet size. Defaults to 3.
	// +optional
	// +kubebuilder:default=3
	Replicas *int32 `json:"replicas,omitempty"`
	// ContainerTemplate customises the NATS container.
	// +optional
	ContainerTemplate *ContainerTemplate `json:"containerTemplate,omitempty"`
	// ReloaderContainerTemplate customises the config reloader container.
	// +optional
	ReloaderContainerTemplate *ContainerTemplate `json:"reloaderContainerTemplate,omitempty"`
	// MetricsContainerTemplate customises the metrics container.
	// +optional
	MetricsContainerTemplate *ContainerTemplate `json:"metricsContainerTemplate,omitempty"`
	// Persistence gives the servers persistent volumes.
	// +optional
	Persistence *PersistenceStrategy `json:"persistence,omitempty"`
	// Metadata is the labels and annotations added to the pods.
	// +optional
	Metadata *Metadata `json:"metadata,omitempty"`
	// NodeSelector restricts the pods to nodes with these labels.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations of the pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// SecurityContext is the pod-level security context.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`
	// ImagePullSecrets are Secrets used to pull the images.
	// +optional
	// +patchMergeKey=name
	// +patchStrategy=merge
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	// PriorityClassName is the PriorityClass of the pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// Priority is the pod priority value; usually filled from PriorityClassName.
	// +optional
	Priority *int32 `json:"priority,omitempty"`
	// Affinity holds the pods' scheduling constraints.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// ServiceAccountName the StatefulSet runs as.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// Settings is the JetStream block of the server configuration (for
	// max_memory_store, max_file_store); the controller's default is used when
	// unset.
	// +optional
	Settings *string `json:"settings,omitempty"`
	// StartArgs are extra nats-server arguments, such as "-D".
	// +optional
	StartArgs []string `json:"startArgs,omitempty"`
	// StreamConfig is YAML merged into the default stream configuration
	// (maxBytes, maxMsgs, maxAge, replicas, duplicates, retention, discard).
	// +optional
	StreamConfig *string `json:"streamConfig,omitempty"`
	// MaxPayload is the largest message payload, such as "1MB"; 0 means no
	// limit. Defaults to 1MB.
	// +optional
	MaxPayload *string `json:"maxPayload,omitempty"`
}

// GetReplicas returns Replicas, 3 when unset.
func (j JetStreamBus) GetReplicas() int {
	if j.Replicas == nil {
		return 3
	}
	return int(*j.Replicas)
}

// JetStreamConfig is how to connect to a NATS JetStream server.
type JetStreamConfig struct {
	// URL of the server.
	// +optional
	URL string `json:"url,omitempty"`
	// AccessSecret is the Secret key holding the credentials.
	// +optional
	AccessSecret *corev1.SecretKeySelector `json:"accessSecret,omitempty"`
	// StreamConfig is the YAML stream configuration.
	// +optional
	StreamConfig string `json:"streamConfig,omitempty"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Auth is the authentication: none (the default), token or basic.
	// +optional
	Auth *AuthStrategy `json:"auth,omitempty"`
}
