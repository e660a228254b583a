package v1alpha1

import corev1 "k8s.io/api/core/v1"

// ArtifactLocation says where a trigger reads the manifest of the object it acts
// on. Exactly one field should be set.
type ArtifactLocation struct {
	// S3 reads the manifest from an S3 object.
	// +optional
	S3 *S3Artifact `json:"s3,omitempty"`
	// Inline is the manifest written as a string in the sensor.
	// +optional
	Inline *string `json:"inline,omitempty"`
	// File reads the manifest from a file in the sensor pod.
	// +optional
	File *FileArtifact `json:"file,omitempty"`
	// URL fetches the manifest over HTTP.
	// +optional
	URL *URLArtifact `json:"url,omitempty"`
	// Configmap reads the manifest from a ConfigMap key.
	// +optional
	Configmap *corev1.ConfigMapKeySelector `json:"configmap,omitempty"`
	// Git reads the manifest from a file in a Git repository.
	// +optional
	Git *GitArtifact `json:"git,omitempty"`
	// Resource is the manifest written as an object in the sensor.
	// +optional
	Resource *K8SResource `json:"resource,omitempty"`
}

// HasLocation reports whether an S3, inline, file or URL location is set.
// (Like Argo's, it does not look at configmap, git or resource.)
func (a *ArtifactLocation) HasLocation() bool {
	return a.S3 != nil || a.Inline != nil || a.File != nil || a.URL != nil
}

// FileArtifact is a manifest stored in a file.
type FileArtifact struct {
	// Path of the file.
	// +optional
	Path string `json:"path,omitempty"`
}

// URLArtifact is a manifest fetched from a URL.
type URLArtifact struct {
	// Path is the full URL.
	// +optional
	Path string `json:"path"`
	// VerifyCert, when true, checks the server's TLS certificate.
	// +optional
	VerifyCert bool `json:"verifyCert,omitempty"`
}

// GitArtifact is a manifest stored in a file of a Git repository.
type GitArtifact struct {
	// URL of the repository.
	// +optional
	URL string `json:"url"`
	// CloneDirectory is the directory the repository is cloned into.
	// +optional
	CloneDirectory string `json:"cloneDirectory"`
	// Creds are the username and password to clone with.
	// +optional
	Creds *GitCreds `json:"creds,omitempty"`
	// SSHKeySecret is the Secret key holding an SSH private key to clone with.
	// +optional
	SSHKeySecret *corev1.SecretKeySelector `json:"sshKeySecret,omitempty"`
	// GithubApp authenticates as a GitHub App (instead of Creds).
	// +optional
	GithubApp *GithubAppCreds `json:"githubApp,omitempty"`
	// FilePath is the path of the manifest inside the repository.
	// +optional
	FilePath string `json:"filePath"`
	// Branch to check out.
	// +optional
	Branch string `json:"branch,omitempty"`
	// Tag to check out.
	// +optional
	Tag string `json:"tag,omitempty"`
	// Ref to fetch and check out (shallow clone).
	// +optional
	Ref string `json:"ref,omitempty"`
	// Remote is the remote to fetch from. Defaults to "origin".
	// +optional
	Remote *GitRemoteConfig `json:"remote,omitempty"`
	// InsecureIgnoreHostKey, when true, skips checking the SSH host key.
	// +optional
	InsecureIgnoreHostKey bool `json:"insecureIgnoreHostKey,omitempty"`
}

// GitRemoteConfig is a named Git remote.
type GitRemoteConfig struct {
	// Name of the remote.
	// +optional
	Name string `json:"name"`
	// URLS are the remote's URLs; fetching uses the first.
	// +optional
	URLS []string `json:"urls"`
}

// GitCreds points at the Secret keys holding a Git username and password.
type GitCreds struct {
	// Username is the Secret key holding the user name.
	// +optional
	Username *corev1.SecretKeySelector `json:"username,omitempty"`
	// Password is the Secret key holding the password.
	// +optional
	Password *corev1.SecretKeySelector `json:"password,omitempty"`
}
