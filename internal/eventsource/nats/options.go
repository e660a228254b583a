package nats

import (
	"context"
	"errors"
	"fmt"
	"time"

	natsgo "github.com/nats-io/nats.go"

	"github.com/herald-dev/herald/internal/clienttls"
	"github.com/herald-dev/herald/internal/natsauth"
)

// connectTimeout bounds one connection attempt.
const connectTimeout = 5 * time.Second

// options are the client options of the source's connection: its name, TLS,
// credentials and handlers that log what the connection goes through.
// After the first connection the client reconnects forever, restoring the
// subscription.
func (s *source) options(ctx context.Context) ([]natsgo.Option, error) {
	log := s.env.Logger
	opts := []natsgo.Option{
		natsgo.Name("herald " + s.scope),
		natsgo.Timeout(connectTimeout),
		natsgo.MaxReconnects(-1),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if err != nil {
				log.Warn("nats connection lost; reconnecting", "error", err)
			}
		}),
		natsgo.ReconnectHandler(func(c *natsgo.Conn) {
			log.Info("nats connection restored", "url", c.ConnectedUrlRedacted())
		}),
		natsgo.ErrorHandler(func(_ *natsgo.Conn, sub *natsgo.Subscription, err error) {
			if errors.Is(err, natsgo.ErrSlowConsumer) && sub != nil {
				n, _ := sub.Dropped()
				log.Warn("nats messages dropped: the buffer is full while the bus is slow", "dropped_total", n)
				return
			}
			log.Warn("nats connection error", "error", err)
		}),
	}
	tlsCfg, err := clienttls.Config(ctx, s.cfg.TLS, s.env.ReadSecret)
	if err != nil {
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	if tlsCfg != nil {
		opts = append(opts, natsgo.Secure(tlsCfg))
	}
	auth, err := natsauth.Option(ctx, s.cfg.Auth, s.env.ReadSecret)
	if err != nil {
		return nil, err
	}
	if auth != nil {
		opts = append(opts, auth)
	}
	return opts, nil
}
