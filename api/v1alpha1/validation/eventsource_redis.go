package validation

import (
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateRedisSources checks each redis (Pub/Sub) event.
func validateRedisSources(r *report, path *field.Path, sources map[string]v1alpha1.RedisEventSource) {
	for _, name := range sortedKeys(sources) {
		s := sources[name]
		p := path.Key(name)
		validateRedisConn(r, p, s.HostAddress, s.DB, s.TLS)
		if s.Password != nil {
			validateSecretKey(r, p.Child("password"), s.Password, "the Redis password")
		} else if s.Namespace != "" {
			r.warn(invalid(p.Child("namespace"), s.Namespace, "namespace is ignored: it is where the password Secret is read, and no password is set"))
		}
		if len(s.Channels) == 0 {
			r.add(required(p.Child("channels"), "channels is required: the channels (or patterns) to subscribe to"))
		}
		for i, c := range s.Channels {
			if c == "" {
				r.add(required(p.Child("channels").Index(i), "channel name is empty"))
			}
		}
		if s.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), s.Filter)
		}
	}
}

// validateRedisStreamSources checks each redisStream event.
func validateRedisStreamSources(r *report, path *field.Path, sources map[string]v1alpha1.RedisStreamEventSource) {
	for _, name := range sortedKeys(sources) {
		s := sources[name]
		p := path.Key(name)
		validateRedisConn(r, p, s.HostAddress, s.DB, s.TLS)
		if s.Password != nil {
			validateSecretKey(r, p.Child("password"), s.Password, "the Redis password")
		}
		if len(s.Streams) == 0 {
			r.add(required(p.Child("streams"), "streams is required: the streams to read"))
		}
		for i, st := range s.Streams {
			if st == "" {
				r.add(required(p.Child("streams").Index(i), "stream name is empty"))
			}
		}
		if s.MaxMsgCountPerRead < 0 {
			r.add(invalid(p.Child("maxMsgCountPerRead"), s.MaxMsgCountPerRead, "maxMsgCountPerRead must not be negative"))
		}
		if s.Filter != nil {
			validateSourceFilter(r, p.Child("filter"), s.Filter)
		}
	}
}

// validateRedisConn checks the address, database and TLS setup of a Redis
// connection.
func validateRedisConn(r *report, path *field.Path, addr string, db int32, tls *v1alpha1.TLSConfig) {
	switch {
	case addr == "":
		r.add(required(path.Child("hostAddress"), "hostAddress is required: the Redis server as host:port, e.g. redis:6379"))
	case !isHostPort(addr):
		r.add(invalid(path.Child("hostAddress"), addr, "%q is not a host:port address (e.g. redis:6379)", addr))
	}
	if db < 0 {
		r.add(invalid(path.Child("db"), db, "db must not be negative"))
	}
	if tls != nil {
		validateClientTLSConfig(r, path.Child("tls"), tls)
	}
}
