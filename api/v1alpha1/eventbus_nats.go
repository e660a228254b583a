package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
)

// AuthStrategy is how clients authenticate to a bus the controller runs.
type AuthStrategy string

// Values of AuthStrategy.
const (
	// AuthStrategyNone uses no authentication.
	AuthStrategyNone AuthStrategy = "none"
	// AuthStrategyToken uses a token.
	AuthStrategyToken AuthStrategy = "token"
	// AuthStrategyBasic uses a username and password.
	AuthStrategyBasic AuthStrategy = "basic"
	// AuthStrategyJWT uses a NATS credentials file (user JWT and NKey seed)
	// held by the access Secret (Argo Events after v1.9).
	AuthStrategyJWT AuthStrategy = "jwt"
)

// NATSBus is a NATS Streaming bus: either one the controller runs (Native) or
// an existing one (Exotic).
type NATSBus struct {
	// Native asks the controller to run a NATS Streaming server.
	// +optional
	Native *NativeStrategy `json:"native,omitempty"`
	// Exotic connects to an existing NATS Streaming server.
	// +optional
	Exotic *NATSConfig `json:"exotic,omitempty"`
}

// NativeStrategy is the setup of a NATS Streaming StatefulSet the controller runs.
type NativeStrategy struct {
	// Replicas is the StatefulSet size; values below 3 are raised to 3.
	// +optional
	Replicas int32 `json:"replicas,omitempty"`
	// Auth is the client authentication: none (the default), token or basic.
	// +optional
	Auth *AuthStrategy `json:"auth,omitempty"`
	// Persistence gives the servers persistent volumes.
	// +optional
	Persistence *PersistenceStrategy `json:"persistence,omitempty"`
	// ContainerTemplate customises the NATS container.
	// +optional
	ContainerTemplate *ContainerTemplate `json:"containerTemplate,omitempty"`
	// MetricsContainerTemplate customises the metrics container.
	// +optional
	MetricsContainerTemplate *ContainerTemplate `json:"metricsContainerTemplate,omitempty"`
	// NodeSelector restricts the pods to nodes with these labels.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`
	// Tolerations of the pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`
	// Metadata is the labels and annotations added to the pods.
	// +optional
	Metadata *Metadata `json:"metadata,omitempty"`
	// SecurityContext is the pod-level security context.
	// +optional
	SecurityContext *corev1.PodSecurityContext `json:"securityContext,omitempty"`
	// MaxAge is how long messages are kept, such as "72h".
	// +optional
	MaxAge *string `json:"maxAge,omitempty"`
	// ImagePullSecrets are Secrets used to pull the images.
	// +optional
	// +patchMergeKey=name
	// +patchStrategy=merge
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty" patchStrategy:"merge" patchMergeKey:"name"`
	// ServiceAccountName the StatefulSet runs as.
	// +optional
	ServiceAccountName string `json:"serviceAccountName,omitempty"`
	// PriorityClassName is the PriorityClass of the pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
	// Priority is the pod priority value; usually filled from PriorityClassName.
	// +optional
	Priority *int32 `json:"priority,omitempty"`
	// Affinity holds the pods' scheduling constraints.
	// +optional
	Affinity *corev1.Affinity `json:"affinity,omitempty"`
	// MaxMsgs is the most messages kept per channel; 0 means no limit.
	// Defaults to 1000000.
	// +optional
	MaxMsgs *uint64 `json:"maxMsgs,omitempty"`
	// MaxBytes is the most bytes kept per channel, such as "1GB"; 0 means no
	// limit. Defaults to 1GB.
	// +optional
	MaxBytes *string `json:"maxBytes,omitempty"`
	// MaxSubs is the most subscriptions per channel; 0 means no limit.
	// Defaults to 1000.
	// +optional
	MaxSubs *uint64 `json:"maxSubs,omitempty"`
	// MaxPayload is the largest message payload, such as "1MB"; 0 means no
	// limit. Defaults to 1MB.
	// +optional
	MaxPayload *string `json:"maxPayload,omitempty"`
	// RaftHeartbeatTimeout is how long a follower waits without a leader
	// before calling an election. Defaults to 2s.
	// +optional
	RaftHeartbeatTimeout *string `json:"raftHeartbeatTimeout,omitempty"`
	// RaftElectionTimeout is how long a candidate waits without a leader
	// before calling an election. Defaults to 2s.
	// +optional
	RaftElectionTimeout *string `json:"raftElectionTimeout,omitempty"`
	// RaftLeaseTimeout is how long a leader waits without reaching a quorum
	// before stepping down. Defaults to 1s.
	// +optional
	RaftLeaseTimeout *string `json:"raftLeaseTimeout,omitempty"`
	// RaftCommitTimeout is how long without an Apply before a heartbeat is
	// sent. Defaults to 100ms.
	// +optional
	RaftCommitTimeout *string `json:"raftCommitTimeout,omitempty"`
}

// GetReplicas returns Replicas as an int.
func (n *NativeStrategy) GetReplicas() int {
	return int(n.Replicas)
}

// NATSConfig is how to connect to a NATS Streaming server.
type NATSConfig struct {
	// URL of the server.
	// +optional
	URL string `json:"url,omitempty"`
	// ClusterID is the NATS Streaming cluster id.
	// +optional
	ClusterID *string `json:"clusterID,omitempty"`
	// Auth is the authentication: none (the default), token or basic.
	// +optional
	Auth *AuthStrategy `json:"auth,omitempty"`
	// AccessSecret is the Secret key holding the credentials.
	// +optional
	AccessSecret *corev1.SecretKeySelector `json:"accessSecret,omitempty"`
}
