package v1alpha1

import (
	"time"

	corev1 "k8s.io/api/core/v1"
)

// HTTPTrigger sends an HTTP request built from the events.
type HTTPTrigger struct {
	// URL the request is sent to.
	// +optional
	URL string `json:"url"`
	// Payload builds the JSON request body from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// TLS is the TLS setup of the client.
	// +optional
	TLS *TLSConfig `json:"tls,omitempty"`
	// Method is the HTTP method. Defaults to POST.
	// +optional
	Method string `json:"method,omitempty"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Timeout of the request in seconds. Defaults to 60.
	// +optional
	Timeout int64 `json:"timeout,omitempty"`
	// BasicAuth sends a username and password.
	// +optional
	BasicAuth *BasicAuth `json:"basicAuth,omitempty"`
	// Headers added to the request.
	// +optional
	Headers map[string]string `json:"headers,omitempty"`
	// SecureHeaders are headers whose values are read from Secrets or ConfigMaps.
	// +optional
	SecureHeaders []*SecureHeader `json:"secureHeaders,omitempty"`
	// DynamicHeaders are headers whose values come from the events: each
	// parameter's dest is the header's name (Argo Events after v1.9).
	// +optional
	DynamicHeaders []TriggerParameter `json:"dynamicHeaders,omitempty"`
	// Host is the request's Host header (virtual hosting), when it is not
	// the URL's host (Argo Events after v1.9).
	// +optional
	Host string `json:"host,omitempty"`
}

// AWSLambdaTrigger invokes an AWS Lambda function.
type AWSLambdaTrigger struct {
	// FunctionName is the function to invoke.
	// +optional
	FunctionName string `json:"functionName"`
	// AccessKey is the Secret key holding the AWS access key id.
	// +optional
	AccessKey *corev1.SecretKeySelector `json:"accessKey,omitempty"`
	// SecretKey is the Secret key holding the AWS secret access key.
	// +optional
	SecretKey *corev1.SecretKeySelector `json:"secretKey,omitempty"`
	// Region is the AWS region.
	// +optional
	Region string `json:"region"`
	// Payload builds the JSON invocation payload from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// InvocationType is RequestResponse (the default, synchronous), Event
	// (asynchronous) or DryRun (checks parameters and permissions only).
	// +optional
	InvocationType *string `json:"invocationType,omitempty"`
	// RoleARN is the ARN of an IAM role to assume.
	// +optional
	RoleARN string `json:"roleARN,omitempty"`
}

// CustomTrigger hands the events to a custom trigger gRPC server.
type CustomTrigger struct {
	// ServerURL is the address of the gRPC server.
	// +optional
	ServerURL string `json:"serverURL"`
	// Secure, when true, connects with TLS.
	// +optional
	Secure bool `json:"secure"`
	// CertSecret is the Secret key holding the server certificate to trust.
	// +optional
	CertSecret *corev1.SecretKeySelector `json:"certSecret,omitempty"`
	// ServerNameOverride is the TLS server name to expect.
	// +optional
	ServerNameOverride string `json:"serverNameOverride,omitempty"`
	// Spec is the trigger definition, read by the server.
	// +optional
	Spec map[string]string `json:"spec"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Payload builds the payload sent to the server from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
}

// SlackTrigger posts a message to a Slack channel.
type SlackTrigger struct {
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// SlackToken is the Secret key holding the Slack bot token.
	// +optional
	SlackToken *corev1.SecretKeySelector `json:"slackToken,omitempty"`
	// Channel to post to.
	// +optional
	Channel string `json:"channel,omitempty"`
	// Message is the text to post.
	// +optional
	Message string `json:"message,omitempty"`
	// Attachments is a JSON array of Slack attachments, as a string.
	// +optional
	Attachments string `json:"attachments,omitempty"`
	// Blocks is a JSON array of Slack blocks, as a string.
	// +optional
	Blocks string `json:"blocks,omitempty"`
	// Thread groups messages into a thread.
	// +optional
	Thread SlackThread `json:"thread,omitempty,omitzero"`
	// Sender sets the name and icon the message is posted with.
	// +optional
	Sender SlackSender `json:"sender,omitempty,omitzero"`
}

// SlackSender is the name and icon a Slack message is posted with.
type SlackSender struct {
	// Username shown as the sender.
	// +optional
	Username string `json:"username,omitempty"`
	// Icon is an emoji such as :robot_face: or an image URL.
	// +optional
	Icon string `json:"icon,omitempty"`
}

// SlackThread groups Slack messages into threads.
type SlackThread struct {
	// MessageAggregationKey puts messages with the same key in one thread.
	// +optional
	MessageAggregationKey string `json:"messageAggregationKey,omitempty"`
	// BroadcastMessageToChannel, when true, also shows threaded messages in
	// the channel.
	// +optional
	BroadcastMessageToChannel bool `json:"broadcastMessageToChannel,omitempty"`
}

// OpenWhiskTrigger invokes an OpenWhisk action.
type OpenWhiskTrigger struct {
	// Host is the OpenWhisk URL.
	// +optional
	Host string `json:"host"`
	// Version of the API. Defaults to v1.
	// +optional
	Version string `json:"version,omitempty"`
	// Namespace of the action. Defaults to "_".
	// +optional
	Namespace string `json:"namespace,omitempty"`
	// AuthToken is the Secret key holding the auth token.
	// +optional
	AuthToken *corev1.SecretKeySelector `json:"authToken,omitempty"`
	// ActionName is the action to invoke.
	// +optional
	ActionName string `json:"actionName"`
	// Payload builds the action's parameters from event values.
	// +optional
	Payload []TriggerParameter `json:"payload"`
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
}

// LogTrigger writes the events to the sensor log.
type LogTrigger struct {
	// IntervalSeconds, when above 0, logs at most once per that many seconds.
	// It is a pointer (Argo uses a plain uint64) so that an explicit 0 is kept
	// when a manifest is read and written back.
	// +optional
	IntervalSeconds *uint64 `json:"intervalSeconds,omitempty"`
}

// GetInterval returns IntervalSeconds as a duration; 0 when unset.
func (t *LogTrigger) GetInterval() time.Duration {
	if t == nil || t.IntervalSeconds == nil {
		return 0
	}
	return time.Duration(*t.IntervalSeconds) * time.Second
}

// EmailTrigger sends an email through an SMTP server.
type EmailTrigger struct {
	// Parameters rewrite this trigger's fields from event values.
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Username to log in to the SMTP server with.
	// +optional
	Username string `json:"username,omitempty"`
	// SMTPPassword is the Secret key holding the SMTP password.
	// +optional
	SMTPPassword *corev1.SecretKeySelector `json:"smtpPassword,omitempty"`
	// Host of the SMTP server.
	// +optional
	Host string `json:"host,omitempty"`
	// Port of the SMTP server.
	// +optional
	Port int32 `json:"port,omitempty"`
	// To are the recipient addresses.
	// +optional
	To []string `json:"to,omitempty"`
	// From is the sender address.
	// +optional
	From string `json:"from,omitempty"`
	// Subject of the email.
	// +optional
	Subject string `json:"subject,omitempty"`
	// Body of the email.
	// +optional
	Body string `json:"body,omitempty"`
}
