package kafka

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/herald-dev/herald/internal/eventsource/connect"
	"github.com/herald-dev/herald/internal/kafkaclient"
)

// pingTimeout bounds one attempt to reach the brokers.
const pingTimeout = 10 * time.Second

// connect builds the client and waits until a broker answers, retrying as
// connectionBackoff says (Argo's default when unset: 5 tries, 1s apart
// with jitter). It returns an error naming the brokers once the tries are
// spent; the runner then starts the source again after its own backoff.
func (s *source) connect(ctx context.Context) (*kgo.Client, error) {
	opts, err := kafkaclient.Options(ctx, kafkaclient.Conn{
		URL: s.cfg.URL, TLS: s.cfg.TLS, SASL: s.cfg.SASL, Version: s.cfg.Version,
	}, s.secret)
	if err != nil {
		return nil, fmt.Errorf("connecting kafka %s: %w", s.spec.Name, err)
	}
	opts = append(opts, s.consumerOptions()...)
	opts = append(opts, s.extra...)
	backoff, err := connect.ResolveBackoff(s.cfg.ConnectionBackoff)
	if err != nil {
		return nil, fmt.Errorf("connecting kafka %s: %w", s.spec.Name, err)
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting kafka %s: %w", s.spec.Name, err)
	}
	err = connect.Retry(ctx, backoff, s.env.Logger.With("brokers", s.cfg.URL), func(ctx context.Context) error {
		pctx, cancel := context.WithTimeout(ctx, pingTimeout)
		defer cancel()
		return cl.Ping(pctx)
	})
	if err != nil {
		cl.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("connecting kafka %s: no broker of %s answered: %w", s.spec.Name, s.cfg.URL, err)
	}
	return cl, nil
}

// consumerOptions are the options of the consumer: a group, or one
// partition from the offset saved in the state store.
func (s *source) consumerOptions() []kgo.Opt {
	if g := s.cfg.ConsumerGroup; g != nil {
		bal := balancer(g.RebalanceStrategy)
		reset := kgo.NewOffset().AtEnd()
		if g.Oldest {
			reset = kgo.NewOffset().AtStart()
		}
		return []kgo.Opt{
			kgo.ConsumerGroup(g.GroupName),
			kgo.ConsumeTopics(s.cfg.Topic),
			kgo.Balancers(bal),
			kgo.ConsumeResetOffset(reset),
			kgo.DisableAutoCommit(),
			kgo.BlockRebalanceOnPoll(),
		}
	}
	// The partition's offsets are set in consumePartition, once the
	// starting offset is known.
	return nil
}

// balancer maps Argo's rebalanceStrategy to a group balancer.
func balancer(strategy string) kgo.GroupBalancer {
	switch strategy {
	case "", "range":
		return kgo.RangeBalancer()
	case "roundrobin":
		return kgo.RoundRobinBalancer()
	case "sticky":
		return kgo.StickyBalancer()
	default:
		// As Argo: any other value is range (lint warns).
		return kgo.RangeBalancer()
	}
}
