package v1alpha1

// TriggerType names a kind of trigger, as used in logs and metrics.
type TriggerType string

// Values of TriggerType.
const (
	TriggerTypeK8s             TriggerType = "Kubernetes"
	TriggerTypeArgoWorkflow    TriggerType = "ArgoWorkflow"
	TriggerTypeHTTP            TriggerType = "HTTP"
	TriggerTypeLambda          TriggerType = "Lambda"
	TriggerTypeCustom          TriggerType = "Custom"
	TriggerTypeKafka           TriggerType = "Kafka"
	TriggerTypeNATS            TriggerType = "NATS"
	TriggerTypeSlack           TriggerType = "Slack"
	TriggerTypeOpenWhisk       TriggerType = "OpenWhisk"
	TriggerTypeLog             TriggerType = "Log"
	TriggerTypeAzureEventHubs  TriggerType = "AzureEventHubs"
	TriggerTypePulsar          TriggerType = "Pulsar"
	TriggerTypeAzureServiceBus TriggerType = "AzureServiceBus"
	TriggerTypeEmail           TriggerType = "Email"
)

// Trigger is an action a Sensor runs when its conditions hold, with the options
// that govern how it is run.
type Trigger struct {
	// Template says what the trigger does.
	// +optional
	Template *TriggerTemplate `json:"template,omitempty"`
	// Parameters rewrite the trigger template itself from event values before
	// it runs (dest paths are relative to the template).
	// +optional
	Parameters []TriggerParameter `json:"parameters,omitempty"`
	// Policy decides when a run counts as successful.
	// +optional
	Policy *TriggerPolicy `json:"policy,omitempty"`
	// RetryStrategy retries a failing run. Defaults to no retry.
	// +optional
	RetryStrategy *Backoff `json:"retryStrategy,omitempty"`
	// RateLimit caps how often the trigger runs.
	// +optional
	RateLimit *RateLimit `json:"rateLimit,omitempty"`
	// AtLeastOnce says when the event is acknowledged. Herald acknowledges
	// only after the trigger succeeded or failed for good (at-least-once)
	// unless this is explicitly false, which keeps Argo Events' old
	// fire-and-forget behaviour. (Argo's own default is false; a pointer
	// tells "not set" from "false".)
	// +optional
	AtLeastOnce *bool `json:"atLeastOnce,omitempty"`
	// DlqTrigger runs with the same events when this trigger has failed all its
	// retries and AtLeastOnce is set. The type is recursive, so the CRD
	// schema does not describe it; Herald's validator checks it.
	// +optional
	// +kubebuilder:validation:Schemaless
	// +kubebuilder:validation:Type=object
	// +kubebuilder:pruning:PreserveUnknownFields
	DlqTrigger *Trigger `json:"dlqTrigger,omitempty"`
}

// RateLimiteUnit is the time unit of a RateLimit. (The spelling is Argo's.)
type RateLimiteUnit string

// Values of RateLimiteUnit.
const (
	// RateLimitUnitSecond counts runs per second.
	RateLimitUnitSecond RateLimiteUnit = "Second"
	// RateLimitUnitMinute counts runs per minute.
	RateLimitUnitMinute RateLimiteUnit = "Minute"
	// RateLimitUnitHour counts runs per hour.
	RateLimitUnitHour RateLimiteUnit = "Hour"
)

// RateLimit caps how many times a trigger runs per time unit.
type RateLimit struct {
	// Unit is the time unit. Defaults to Second.
	// +optional
	Unit RateLimiteUnit `json:"unit,omitempty"`
	// RequestsPerUnit is the number of runs allowed per unit.
	// +optional
	RequestsPerUnit int32 `json:"requestsPerUnit,omitempty"`
}

// TriggerTemplate names a trigger, gives the conditions under which it runs and
// holds exactly one trigger kind.
type TriggerTemplate struct {
	// Name identifies the trigger within the sensor.
	// +optional
	Name string `json:"name"`
	// Conditions is a boolean expression over dependency names, such as
	// "(dep01 || dep02) && dep04". Defaults to all dependencies.
	// +optional
	Conditions string `json:"conditions,omitempty"`
	// K8s creates, updates, patches, deletes or applies a Kubernetes object.
	// +optional
	K8s *StandardK8STrigger `json:"k8s,omitempty"`
	// ArgoWorkflow runs an operation on an Argo Workflow.
	// +optional
	ArgoWorkflow *ArgoWorkflowTrigger `json:"argoWorkflow,omitempty"`
	// HTTP sends an HTTP request.
	// +optional
	HTTP *HTTPTrigger `json:"http,omitempty"`
	// AWSLambda invokes an AWS Lambda function.
	// +optional
	AWSLambda *AWSLambdaTrigger `json:"awsLambda,omitempty"`
	// CustomTrigger calls a custom trigger gRPC server.
	// +optional
	CustomTrigger *CustomTrigger `json:"custom,omitempty"`
	// Kafka publishes a message to a Kafka topic.
	// +optional
	Kafka *KafkaTrigger `json:"kafka,omitempty"`
	// NATS publishes a message to a NATS subject.
	// +optional
	NATS *NATSTrigger `json:"nats,omitempty"`
	// Slack posts a Slack message.
	// +optional
	Slack *SlackTrigger `json:"slack,omitempty"`
	// OpenWhisk invokes an OpenWhisk action.
	// +optional
	OpenWhisk *OpenWhiskTrigger `json:"openWhisk,omitempty"`
	// Log writes the events to the sensor log.
	// +optional
	Log *LogTrigger `json:"log,omitempty"`
	// AzureEventHubs sends an event to an Azure Event Hub.
	// +optional
	AzureEventHubs *AzureEventHubsTrigger `json:"azureEventHubs,omitempty"`
	// Pulsar publishes a message to a Pulsar topic.
	// +optional
	Pulsar *PulsarTrigger `json:"pulsar,omitempty"`
	// ConditionsReset lists when the state of Conditions is cleared.
	// +optional
	ConditionsReset []ConditionsResetCriteria `json:"conditionsReset,omitempty"`
	// AzureServiceBus sends a message to an Azure Service Bus queue or topic.
	// +optional
	AzureServiceBus *AzureServiceBusTrigger `json:"azureServiceBus,omitempty"`
	// Email sends an email through SMTP.
	// +optional
	Email *EmailTrigger `json:"email,omitempty"`
}

// ConditionsResetCriteria is one rule for clearing the events gathered toward a
// trigger's conditions.
type ConditionsResetCriteria struct {
	// ByTime clears them on a cron schedule.
	// +optional
	ByTime *ConditionsResetByTime `json:"byTime,omitempty"`
}

// ConditionsResetByTime is a cron schedule on which gathered events are cleared.
type ConditionsResetByTime struct {
	// Cron is a standard five-field cron expression.
	// +optional
	Cron string `json:"cron,omitempty"`
	// Timezone is the IANA time zone the schedule is read in. Defaults to UTC.
	// +optional
	Timezone string `json:"timezone,omitempty"`
}

// TriggerParameterOperation says how a parameter value is combined with the
// value already at its destination.
type TriggerParameterOperation string

// Values of TriggerParameterOperation.
const (
	// TriggerParameterOpNone is the unset value; it means overwrite.
	TriggerParameterOpNone TriggerParameterOperation = ""
	// TriggerParameterOpAppend appends the new value to the existing one.
	TriggerParameterOpAppend TriggerParameterOperation = "append"
	// TriggerParameterOpOverwrite replaces the existing value.
	TriggerParameterOpOverwrite TriggerParameterOperation = "overwrite"
	// TriggerParameterOpPrepend puts the new value before the existing one.
	TriggerParameterOpPrepend TriggerParameterOperation = "prepend"
)

// TriggerParameter copies a value taken from an event into a trigger's
// resource, request or template.
type TriggerParameter struct {
	// Src says where the value comes from.
	// +optional
	Src *TriggerParameterSource `json:"src,omitempty"`
	// Dest is the sjson path the value is written to; a final key of -1
	// appends to an array.
	// +optional
	Dest string `json:"dest"`
	// Operation combines the value with what is already at Dest: overwrite (the
	// default), append or prepend.
	// +optional
	Operation TriggerParameterOperation `json:"operation,omitempty"`
}

// TriggerParameterSource picks a value from the event of one dependency.
type TriggerParameterSource struct {
	// DependencyName is the dependency whose event supplies the value.
	// +optional
	DependencyName string `json:"dependencyName"`
	// ContextKey is a gjson path into the event's CloudEvents context.
	// +optional
	ContextKey string `json:"contextKey,omitempty"`
	// ContextTemplate is a Go template (with sprig functions) over the event
	// context; tried before ContextKey.
	// +optional
	ContextTemplate string `json:"contextTemplate,omitempty"`
	// DataKey is a gjson path into the event data.
	// +optional
	DataKey string `json:"dataKey,omitempty"`
	// DataTemplate is a Go template (with sprig functions) over the event data;
	// tried before DataKey.
	// +optional
	DataTemplate string `json:"dataTemplate,omitempty"`
	// Value is the fallback used when the keys and templates give nothing.
	// +optional
	Value *string `json:"value,omitempty"`
	// UseRawData, when true, keeps the JSON type of the value found (number,
	// bool, object) instead of turning it into a string.
	// +optional
	UseRawData bool `json:"useRawData,omitempty"`
	// Expression is a Herald extension (Argo Events rejects it): a jq
	// program run on the event data whose first output is the value, with
	// its JSON type kept (a number stays a number, a list stays a list), so
	// it can build whole blocks of the object. jq's `//` gives fallbacks.
	// When the program gives no output, null or an error, Value is used
	// instead; with no Value the parameter does not resolve.
	// +optional
	Expression string `json:"expression,omitempty"`
}

// TriggerPolicy decides whether a trigger run succeeded.
type TriggerPolicy struct {
	// K8s checks the labels of the object a k8s trigger created.
	// +optional
	K8s *K8SResourcePolicy `json:"k8s,omitempty"`
	// Status checks the response status of the trigger.
	// +optional
	Status *StatusPolicy `json:"status,omitempty"`
}

// K8SResourcePolicy waits for the object a trigger created to carry given labels.
type K8SResourcePolicy struct {
	// Labels the object must carry to count as successful.
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// Backoff says how long and how often to check the object.
	// +optional
	Backoff *Backoff `json:"backoff"`
	// ErrorOnBackoffTimeout, when true, fails the sensor round if the labels
	// never appear.
	// +optional
	ErrorOnBackoffTimeout bool `json:"errorOnBackoffTimeout"`
}

// StatusPolicy lists the response statuses that count as success.
type StatusPolicy struct {
	// Allow lists the successful response statuses.
	// +optional
	Allow []int32 `json:"allow"`
}

// GetAllow returns Allow as ints.
func (p *StatusPolicy) GetAllow() []int {
	out := make([]int, len(p.Allow))
	for i, s := range p.Allow {
		out[i] = int(s)
	}
	return out
}

// IsAtLeastOnce reports whether the trigger's events are acknowledged only
// after it ran: unless atLeastOnce is explicitly false.
func (t *Trigger) IsAtLeastOnce() bool { return t.AtLeastOnce == nil || *t.AtLeastOnce }
