package v1alpha1

import corev1 "k8s.io/api/core/v1"

// WatchPathConfig names the files a file-like source watches inside a
// directory, by exact relative path or by regular expression.
type WatchPathConfig struct {
	// Directory is the absolute directory to watch.
	// +optional
	Directory string `json:"directory"`
	// Path is a file path relative to Directory.
	// +optional
	Path string `json:"path,omitempty"`
	// PathRegexp matches file paths relative to Directory.
	// +optional
	PathRegexp string `json:"pathRegexp,omitempty"`
}

// FileEventSource watches files in a directory of the event source pod.
type FileEventSource struct {
	// EventType is the file operation to report: CREATE, WRITE, REMOVE,
	// RENAME or CHMOD.
	// +optional
	EventType string `json:"eventType"`
	// WatchPathConfig names the watched files.
	// +optional
	WatchPathConfig WatchPathConfig `json:"watchPathConfig"`
	// Polling checks the directory periodically instead of using inotify.
	// +optional
	Polling bool `json:"polling,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}

// SFTPEventSource polls a directory on an SFTP server.
type SFTPEventSource struct {
	// EventType is the file operation to report, e.g. CREATE or REMOVE.
	// +optional
	EventType string `json:"eventType"`
	// WatchPathConfig names the watched files on the server.
	// +optional
	WatchPathConfig WatchPathConfig `json:"watchPathConfig"`
	// Username selects the login name.
	// +optional
	Username *corev1.SecretKeySelector `json:"username,omitempty"`
	// Password selects the login password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
	// SSHKeySecret selects an SSH private key to log in with.
	// +optional
	SSHKeySecret *corev1.SecretKeySelector `json:"sshKeySecret,omitempty"`
	// Address selects the server address (host:port).
	// +optional
	Address *corev1.SecretKeySelector `json:"address,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
	// PollIntervalDuration is the time between two listings, e.g. "10s";
	// ten seconds when empty.
	// +optional
	PollIntervalDuration string `json:"pollIntervalDuration"`
}

// HDFSEventSource watches files on an HDFS file system.
type HDFSEventSource struct {
	// WatchPathConfig names the watched files (inlined).
	WatchPathConfig `json:",inline"`
	// Type is the file operation to report, e.g. CREATE.
	// +optional
	Type string `json:"type"`
	// CheckInterval is the time between two directory checks, e.g. "1m"
	// (the default).
	// +optional
	CheckInterval string `json:"checkInterval,omitempty"`
	// Addresses are the name node addresses (host:port).
	// +optional
	Addresses []string `json:"addresses"`
	// HDFSUser is the user to act as when Kerberos is not used.
	// +optional
	HDFSUser string `json:"hdfsUser,omitempty"`
	// KrbCCacheSecret selects a Kerberos credential cache.
	// +optional
	KrbCCacheSecret *corev1.SecretKeySelector `json:"krbCCacheSecret,omitempty"`
	// KrbKeytabSecret selects a Kerberos keytab.
	// +optional
	KrbKeytabSecret *corev1.SecretKeySelector `json:"krbKeytabSecret,omitempty"`
	// KrbUsername is the Kerberos user; needed with a keytab.
	// +optional
	KrbUsername string `json:"krbUsername,omitempty"`
	// KrbRealm is the Kerberos realm; needed with a keytab.
	// +optional
	KrbRealm string `json:"krbRealm,omitempty"`
	// KrbConfigConfigMap selects the Kerberos configuration (krb5.conf);
	// needed with a credential cache or keytab.
	// +optional
	KrbConfigConfigMap *corev1.ConfigMapKeySelector `json:"krbConfigConfigMap,omitempty"`
	// KrbServicePrincipalName is the Kerberos principal of the HDFS service;
	// needed with a credential cache or keytab.
	// +optional
	KrbServicePrincipalName string `json:"krbServicePrincipalName,omitempty"`
	// Metadata is copied into every event.
	// +optional
	Metadata map[string]string `json:"metadata,omitempty"`
	// Filter drops events that do not match an expression.
	// +optional
	Filter *EventSourceFilter `json:"filter,omitempty"`
}
