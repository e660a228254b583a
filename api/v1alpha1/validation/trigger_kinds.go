package validation

import (
	"github.com/herald-dev/herald/api/v1alpha1"
)

// triggerKind describes one kind of TriggerTemplate: its JSON name, whether a
// template sets it, and its parameter lists.
type triggerKind struct {
	name string
	// get returns whether the kind is set, and its parameters and payload
	// (nil for kinds that have none).
	get func(t *v1alpha1.TriggerTemplate) (set bool, params, payload paramList)
}

// paramList is a list of trigger parameters.
type paramList = []v1alpha1.TriggerParameter

// triggerKinds lists every trigger kind in the order TriggerTemplate
// declares them.
var triggerKinds = []triggerKind{
	{"k8s", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.K8s == nil {
			return false, nil, nil
		}
		return true, t.K8s.Parameters, nil
	}},
	{"argoWorkflow", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.ArgoWorkflow == nil {
			return false, nil, nil
		}
		return true, t.ArgoWorkflow.Parameters, nil
	}},
	{"http", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.HTTP == nil {
			return false, nil, nil
		}
		return true, t.HTTP.Parameters, t.HTTP.Payload
	}},
	{"awsLambda", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.AWSLambda == nil {
			return false, nil, nil
		}
		return true, t.AWSLambda.Parameters, t.AWSLambda.Payload
	}},
	{"custom", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.CustomTrigger == nil {
			return false, nil, nil
		}
		return true, t.CustomTrigger.Parameters, t.CustomTrigger.Payload
	}},
	{"kafka", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.Kafka == nil {
			return false, nil, nil
		}
		return true, t.Kafka.Parameters, t.Kafka.Payload
	}},
	{"nats", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.NATS == nil {
			return false, nil, nil
		}
		return true, t.NATS.Parameters, t.NATS.Payload
	}},
	{"slack", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.Slack == nil {
			return false, nil, nil
		}
		return true, t.Slack.Parameters, nil
	}},
	{"openWhisk", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.OpenWhisk == nil {
			return false, nil, nil
		}
		return true, t.OpenWhisk.Parameters, t.OpenWhisk.Payload
	}},
	{"log", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		return t.Log != nil, nil, nil
	}},
	{"azureEventHubs", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.AzureEventHubs == nil {
			return false, nil, nil
		}
		return true, t.AzureEventHubs.Parameters, t.AzureEventHubs.Payload
	}},
	{"pulsar", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.Pulsar == nil {
			return false, nil, nil
		}
		return true, t.Pulsar.Parameters, t.Pulsar.Payload
	}},
	{"azureServiceBus", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.AzureServiceBus == nil {
			return false, nil, nil
		}
		return true, t.AzureServiceBus.Parameters, t.AzureServiceBus.Payload
	}},
	{"email", func(t *v1alpha1.TriggerTemplate) (bool, paramList, paramList) {
		if t.Email == nil {
			return false, nil, nil
		}
		return true, t.Email.Parameters, nil
	}},
}

// triggerKindNames returns the JSON names of all trigger kinds.
func triggerKindNames() []string {
	names := make([]string, len(triggerKinds))
	for i, k := range triggerKinds {
		names[i] = k.name
	}
	return names
}
