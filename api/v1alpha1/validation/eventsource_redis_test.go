package validation

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestValidateRedisSource(t *testing.T) {
	const p = "spec.redis[messages]"
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.RedisEventSource)
		errs   []string
		warns  []string
	}{
		{name: "valid", mutate: func(*v1alpha1.RedisEventSource) {}},
		{name: "valid with everything", mutate: func(c *v1alpha1.RedisEventSource) {
			c.Password, c.Namespace, c.Username, c.DB = amqpSecret("redis", "password"), "other", "herald", 2
			c.TLS = &v1alpha1.TLSConfig{InsecureSkipVerify: true}
			c.JSONBody = true
			c.Filter = &v1alpha1.EventSourceFilter{Expression: "body.n > 1"}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.RedisEventSource) { *c = v1alpha1.RedisEventSource{} }, errs: []string{
			p + ".hostAddress: hostAddress is required: the Redis server as host:port, e.g. redis:6379",
			p + ".channels: channels is required: the channels (or patterns) to subscribe to",
		}},
		{name: "bad values", mutate: func(c *v1alpha1.RedisEventSource) {
			c.HostAddress, c.DB, c.Namespace = "redis", -1, "other"
			c.Channels = []string{""}
			c.Password = amqpSecret("", "password")
		}, errs: []string{
			p + `.hostAddress: "redis" is not a host:port address (e.g. redis:6379)`,
			p + ".db: db must not be negative",
			p + ".password.name: name is required: the Secret holding the Redis password",
			p + ".channels[0]: channel name is empty",
		}},
		{name: "namespace without password", mutate: func(c *v1alpha1.RedisEventSource) { c.Namespace = "other" }, warns: []string{
			p + ".namespace: namespace is ignored: it is where the password Secret is read, and no password is set",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.RedisEventSource{HostAddress: "redis:6379", Channels: []string{"orders.*"}}
			tt.mutate(&c)
			es := &v1alpha1.EventSource{
				ObjectMeta: metav1.ObjectMeta{Name: "es"},
				Spec:       v1alpha1.EventSourceSpec{Redis: map[string]v1alpha1.RedisEventSource{"messages": c}},
			}
			requireResult(t, ValidateEventSource(es, DefaultSupport()), tt.errs, tt.warns)
		})
	}
}

func TestValidateRedisStreamSource(t *testing.T) {
	const p = "spec.redisStream[entries]"
	tests := []struct {
		name   string
		mutate func(c *v1alpha1.RedisStreamEventSource)
		errs   []string
	}{
		{name: "valid", mutate: func(*v1alpha1.RedisStreamEventSource) {}},
		{name: "valid with everything", mutate: func(c *v1alpha1.RedisStreamEventSource) {
			c.Password, c.Username, c.DB, c.ConsumerGroup, c.MaxMsgCountPerRead = amqpSecret("redis", "password"), "herald", 1, "cg", 50
			c.TLS = &v1alpha1.TLSConfig{CACertSecret: amqpSecret("redis", "ca")}
		}},
		{name: "nothing set", mutate: func(c *v1alpha1.RedisStreamEventSource) { *c = v1alpha1.RedisStreamEventSource{} }, errs: []string{
			p + ".hostAddress: hostAddress is required: the Redis server as host:port, e.g. redis:6379",
			p + ".streams: streams is required: the streams to read",
		}},
		{name: "bad values", mutate: func(c *v1alpha1.RedisStreamEventSource) {
			c.MaxMsgCountPerRead = -1
			c.Streams = []string{"a", ""}
			c.TLS = &v1alpha1.TLSConfig{}
		}, errs: []string{
			p + ".tls: set caCertSecret, clientCertSecret and clientKeySecret, enabled (the system's trusted certificates), or insecureSkipVerify",
			p + ".streams[1]: stream name is empty",
			p + ".maxMsgCountPerRead: maxMsgCountPerRead must not be negative",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := v1alpha1.RedisStreamEventSource{HostAddress: "redis:6379", Streams: []string{"orders"}}
			tt.mutate(&c)
			es := &v1alpha1.EventSource{
				ObjectMeta: metav1.ObjectMeta{Name: "es"},
				Spec:       v1alpha1.EventSourceSpec{RedisStream: map[string]v1alpha1.RedisStreamEventSource{"entries": c}},
			}
			requireResult(t, ValidateEventSource(es, DefaultSupport()), tt.errs, nil)
		})
	}
}
