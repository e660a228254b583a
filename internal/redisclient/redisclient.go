// Package redisclient turns the connection fields Argo's redis and
// redisStream event sources share (hostAddress, password, username, db,
// tls) into go-redis client options.
package redisclient

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/clienttls"
)

// Conn is how to reach and authenticate to a Redis server.
type Conn struct {
	// HostAddress is host:port.
	HostAddress string
	// Password selects the password Secret key; nil for none.
	Password *corev1.SecretKeySelector
	// Username is the ACL user; empty for the default user.
	Username string
	// DB is the database number.
	DB int32
	// TLS is the TLS setup; nil for plain TCP.
	TLS *v1alpha1.TLSConfig
}

// ErrInvalid marks a connection setup that no retry can fix.
var ErrInvalid = errors.New("invalid redis connection setup")

// Options returns the client options of c, reading Secrets through read.
func Options(ctx context.Context, c Conn, read clienttls.SecretFunc) (*redis.Options, error) {
	if c.HostAddress == "" {
		return nil, fmt.Errorf("%w: no hostAddress", ErrInvalid)
	}
	opts := &redis.Options{Addr: c.HostAddress, Username: c.Username, DB: int(c.DB)}
	if c.Password != nil {
		v, err := read(ctx, c.Password)
		if err != nil {
			return nil, fmt.Errorf("reading the redis password: %w", err)
		}
		opts.Password = strings.TrimSuffix(string(v), "\n")
	}
	tlsCfg, err := clienttls.Config(ctx, c.TLS, read)
	if err != nil {
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	opts.TLSConfig = tlsCfg
	return opts, nil
}
