package mqtt

import (
	"context"
	"errors"
	"fmt"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/herald-dev/herald/internal/clienttls"
)

// options are the client options of the source: a persistent session under
// clientId, manual acknowledgements, TLS and credentials, and a handler
// that (re)subscribes on every connection (a broker that lost the session,
// say after its own restart, gets the subscription again). The first
// subscription's outcome is sent on subscribed.
func (s *source) options(ctx context.Context, q *queue, subscribed chan<- error) (*paho.ClientOptions, error) {
	log := s.env.Logger
	opts := paho.NewClientOptions().
		AddBroker(s.cfg.URL).
		SetClientID(s.cfg.ClientID).
		SetCleanSession(false).
		SetAutoAckDisabled(true).
		SetOrderMatters(true).
		SetAutoReconnect(true).
		SetConnectRetry(false).
		SetConnectTimeout(connectTimeout).
		SetDefaultPublishHandler(q.push).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			log.Warn("mqtt connection lost; reconnecting", "error", err)
		})
	first := true
	opts.SetOnConnectHandler(func(c paho.Client) {
		tok := c.Subscribe(s.cfg.Topic, qos, q.push)
		report := first
		first = false
		go func() {
			var err error
			if !tok.WaitTimeout(subscribeWait) {
				err = errors.New("no answer from the broker")
			} else {
				err = tok.Error()
			}
			if report {
				subscribed <- err
			} else if err != nil {
				log.Error("mqtt subscription not restored", "topic", s.cfg.Topic, "error", err)
			}
		}()
	})
	tlsCfg, err := clienttls.Config(ctx, s.cfg.TLS, s.env.ReadSecret)
	if err != nil {
		return nil, fmt.Errorf("setting up TLS: %w", err)
	}
	if tlsCfg != nil {
		opts.SetTLSConfig(tlsCfg)
	}
	if a := s.cfg.Auth; a != nil {
		if a.Username == nil || a.Password == nil {
			return nil, errors.New("auth needs both username and password")
		}
		user, err := s.env.ReadSecret(ctx, a.Username)
		if err != nil {
			return nil, fmt.Errorf("reading auth.username: %w", err)
		}
		pass, err := s.env.ReadSecret(ctx, a.Password)
		if err != nil {
			return nil, fmt.Errorf("reading auth.password: %w", err)
		}
		opts.SetUsername(string(user)).SetPassword(string(pass))
	}
	return opts, nil
}
