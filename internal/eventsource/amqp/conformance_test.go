package amqp

import (
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/eventsource/sourcetest"
)

func TestConformance(t *testing.T) {
	secrets := map[string]string{"rabbit/url": broker.URL + "\n", "rabbit/user": "guest", "rabbit/pass": "guest"}
	for name, configure := range map[string]func(t *testing.T, c *v1alpha1.AMQPEventSource){
		// Argo's defaults: a server-named exclusive queue.
		"defaults": func(*testing.T, *v1alpha1.AMQPEventSource) {},
		"durable queue, urlSecret and auth": func(t *testing.T, c *v1alpha1.AMQPEventSource) {
			durableQueue(t, c)
			c.URL = ""
			c.URLSecret = &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "rabbit"}, Key: "url"}
			c.Auth = &v1alpha1.BasicAuth{
				Username: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "rabbit"}, Key: "user"},
				Password: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "rabbit"}, Key: "pass"},
			}
			c.JSONBody = true
			c.Metadata = map[string]string{"team": "payments"}
		},
		"explicit autoAck": func(_ *testing.T, c *v1alpha1.AMQPEventSource) {
			c.Consume = &v1alpha1.AMQPConsumeConfig{AutoAck: true, ConsumerTag: "herald-test"}
		},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := directConfig(t)
			configure(t, cfg)
			spec := testSpec(cfg)
			env := testEnv()
			env.Secrets = testSecrets(secrets)
			pub := newPublisher(t)
			sourcetest.Run(t, sourcetest.Harness{
				Kind:    KindName,
				Spec:    spec,
				Retries: true,
				New: func(t *testing.T) (eventsource.Source, sourcetest.Trigger) {
					src, err := New(env, spec)
					require.NoError(t, err)
					return src, func(t *testing.T) error {
						pub.publish(t, cfg.ExchangeName, cfg.RoutingKey, amqp.Publishing{ContentType: "application/json", Body: []byte(`{"order":1}`)})
						return nil
					}
				},
			})
		})
	}
}
