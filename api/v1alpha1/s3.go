package v1alpha1

import corev1 "k8s.io/api/core/v1"

// S3Artifact describes a connection to an S3-compatible store and a bucket in it.
// Triggers read a resource from it; the minio event source watches it.
type S3Artifact struct {
	// Endpoint is the host (and port) of the S3 service.
	// +optional
	Endpoint string `json:"endpoint"`
	// Bucket is the bucket, and for triggers the object key, to use.
	// +optional
	Bucket *S3Bucket `json:"bucket"`
	// Region is the S3 region.
	// +optional
	Region string `json:"region,omitempty"`
	// Insecure, when true, connects over plain HTTP.
	// +optional
	Insecure bool `json:"insecure,omitempty"`
	// AccessKey is the Secret key holding the access key id.
	// +optional
	AccessKey *corev1.SecretKeySelector `json:"accessKey"`
	// SecretKey is the Secret key holding the secret access key.
	// +optional
	SecretKey *corev1.SecretKeySelector `json:"secretKey"`
	// Events lists the bucket notification types to listen to.
	// +optional
	Events []string `json:"events,omitempty"`
	// Filter limits notifications to objects with a name prefix and suffix.
	// +optional
	Filter *S3Filter `json:"filter,omitempty"`
	// Metadata is user data added to every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// CACertificate is the Secret key holding a CA certificate to trust.
	// +optional
	CACertificate *corev1.SecretKeySelector `json:"caCertificate,omitempty"`
}

// S3Bucket names a bucket and, optionally, an object key in it.
type S3Bucket struct {
	// Key is the object key.
	// +optional
	Key string `json:"key,omitempty"`
	// Name is the bucket name.
	// +optional
	Name string `json:"name"`
}

// S3Filter limits bucket notifications to object names with a prefix and suffix.
type S3Filter struct {
	// Prefix the object name must start with.
	// +optional
	Prefix string `json:"prefix"`
	// Suffix the object name must end with.
	// +optional
	Suffix string `json:"suffix"`
}
