package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateWebhookHMAC(t *testing.T) {
	withHMAC := func(sel *corev1.SecretKeySelector) func(es *v1alpha1.EventSource) {
		return func(es *v1alpha1.EventSource) {
			h := es.Spec.Webhook["hook"]
			h.HMACSecret = sel
			es.Spec.Webhook["hook"] = h
		}
	}
	const extension = "spec.webhook[hook].hmacSecret: hmacSecret is a Herald extension: Argo Events rejects this event source"
	runEventSourceCases(t, []eventSourceCase{
		{
			name:   "hmacSecret",
			mutate: withHMAC(&corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "hook"}, Key: "hmac"}),
			warns:  []string{extension},
		},
		{
			name:   "hmacSecret incomplete",
			mutate: withHMAC(&corev1.SecretKeySelector{}),
			errs: []string{
				"spec.webhook[hook].hmacSecret.name: name is required: the Secret holding the HMAC key",
				"spec.webhook[hook].hmacSecret.key: key is required: the Secret key holding the HMAC key",
			},
			warns: []string{extension},
		},
	})
}
