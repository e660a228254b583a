package validation

// Checks of the connection settings several kinds share: client TLS, basic
// auth, NATS server URLs (nats source and trigger), Kafka brokers and their
// connection fields (kafka source and trigger).

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// validateClientTLSConfig checks a TLS setup as Argo does: at least one Secret,
// enabled or insecureSkipVerify, and the client certificate and key together.
func validateClientTLSConfig(r *report, path *field.Path, t *v1alpha1.TLSConfig) {
	if !t.InsecureSkipVerify && !t.Enabled && t.CACertSecret == nil && t.ClientCertSecret == nil && t.ClientKeySecret == nil {
		r.add(required(path, "set caCertSecret, clientCertSecret and clientKeySecret, enabled (the system's trusted certificates), or insecureSkipVerify"))
	}
	if (t.ClientCertSecret == nil) != (t.ClientKeySecret == nil) {
		r.add(required(path, "clientCertSecret and clientKeySecret go together"))
	}
	if t.CACertSecret != nil {
		validateSecretKey(r, path.Child("caCertSecret"), t.CACertSecret, "the CA certificate")
	}
	if t.ClientCertSecret != nil {
		validateSecretKey(r, path.Child("clientCertSecret"), t.ClientCertSecret, "the client certificate")
	}
	if t.ClientKeySecret != nil {
		validateSecretKey(r, path.Child("clientKeySecret"), t.ClientKeySecret, "the client key")
	}
}

// validateBasicAuth checks that a username and a password are both selected.
func validateBasicAuth(r *report, path *field.Path, a *v1alpha1.BasicAuth) {
	if a.Username == nil {
		r.add(required(path.Child("username"), "username is required: the Secret key holding the user name"))
	} else {
		validateSecretKey(r, path.Child("username"), a.Username, "the user name")
	}
	if a.Password == nil {
		r.add(required(path.Child("password"), "password is required: the Secret key holding the password"))
	} else {
		validateSecretKey(r, path.Child("password"), a.Password, "the password")
	}
}

// natsURLSchemes are the schemes a NATS client accepts in a server URL.
var natsURLSchemes = map[string]bool{"nats": true, "tls": true, "ws": true, "wss": true}

// validateNATSURLs checks a comma-separated list of server URLs: each one
// host:port or a nats, tls, ws or wss URL with a host.
func validateNATSURLs(r *report, path *field.Path, urls string) {
	for raw := range strings.SplitSeq(urls, ",") {
		raw = strings.TrimSpace(raw)
		if !strings.Contains(raw, "://") {
			// host or host:port; the client adds nats:// and port 4222.
			if raw == "" || strings.ContainsAny(raw, "/ \t") {
				r.add(invalid(path, raw, "%q is not a NATS server URL (want nats://host:4222 or host:4222)", raw))
			}
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || !natsURLSchemes[u.Scheme] || u.Host == "" {
			shown := raw
			if err == nil {
				shown = u.Redacted()
			}
			r.add(invalid(path, shown, "%q is not a NATS server URL (want nats://, tls://, ws:// or wss:// with a host)", shown))
		}
	}
}

// kafkaVersion matches Argo's version field: "2.8.0", "v1.0.0", "0.11.0.2".
var kafkaVersion = regexp.MustCompile(`^v?\d+\.\d+(\.\d+){0,2}$`)

// validateKafkaURL checks a comma-separated list of host:port brokers.
func validateKafkaURL(r *report, path *field.Path, url string) {
	if strings.TrimSpace(url) == "" {
		r.add(required(path, "url is required: the brokers, comma separated, e.g. kafka:9092"))
		return
	}
	for b := range strings.SplitSeq(url, ",") {
		b = strings.TrimSpace(b)
		if !isHostPort(b) {
			r.add(invalid(path, b, "%q is not a broker address (want host:port, e.g. kafka:9092)", b))
		}
	}
}

// isHostPort reports whether s is host:port with a host and a port from 1
// to 65535 ("[::1]:9092" for an IPv6 address).
func isHostPort(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || strings.ContainsAny(s, "/ ") {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// validateKafkaConn checks the connection fields the kafka source and
// trigger share: version, tls and sasl.
func validateKafkaConn(r *report, path *field.Path, version string, tls *v1alpha1.TLSConfig, sasl *v1alpha1.SASLConfig) {
	if version != "" && !kafkaVersion.MatchString(version) {
		r.add(invalid(path.Child("version"), version, "%q is not a Kafka version (want e.g. 2.8.0)", version))
	}
	if tls != nil {
		validateClientTLSConfig(r, path.Child("tls"), tls)
	}
	if sasl == nil {
		return
	}
	sp := path.Child("sasl")
	switch sasl.Mechanism {
	case "", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
	case "OAUTHBEARER", "GSSAPI":
		r.add(unsupported(sp.Child("mechanism"), "SASL mechanism %s (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", sasl.Mechanism))
	default:
		r.add(invalid(sp.Child("mechanism"), sasl.Mechanism, "unknown SASL mechanism %q (want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)", sasl.Mechanism))
	}
	if sasl.UserSecret == nil {
		r.add(required(sp.Child("userSecret"), "userSecret is required with sasl"))
	} else {
		validateSecretKey(r, sp.Child("userSecret"), sasl.UserSecret, "the SASL user")
	}
	if sasl.PasswordSecret == nil {
		r.add(required(sp.Child("passwordSecret"), "passwordSecret is required with sasl"))
	} else {
		validateSecretKey(r, sp.Child("passwordSecret"), sasl.PasswordSecret, "the SASL password")
	}
}
