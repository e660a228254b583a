package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	corev1 "k8s.io/api/core/v1"

	"github.com/herald-dev/herald/internal/clienttls"
	"github.com/herald-dev/herald/internal/kafkaclient"
	"github.com/herald-dev/herald/internal/trigger"
)

// errClosed is returned by Execute after Close.
var errClosed = errors.New("the kafka trigger is closed")

// client returns the producer for url, building it on first use with the
// trigger's TLS, SASL, version, acks, compression and linger. A setup
// mistake is terminal; a Secret not readable yet is transient.
func (t *Trigger) client(ctx context.Context, url string) (*kgo.Client, error) {
	key := trimmed(url)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errClosed
	}
	if cl, ok := t.clients[key]; ok {
		return cl, nil
	}
	opts, err := kafkaclient.Options(ctx, kafkaclient.Conn{URL: url, TLS: t.spec.TLS, SASL: t.spec.SASL, Version: t.spec.Version},
		func(ctx context.Context, sel *corev1.SecretKeySelector) ([]byte, error) {
			return t.secrets.Read(ctx, t.namespace, sel)
		})
	if err != nil {
		err = fmt.Errorf("connecting kafka trigger %s: %w", t.name, err)
		if errors.Is(err, kafkaclient.ErrInvalid) || errors.Is(err, clienttls.ErrInvalid) {
			return nil, trigger.Terminal(err)
		}
		return nil, err
	}
	opts = append(opts, t.producerOptions()...)
	opts = append(opts, t.extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, trigger.Terminal(fmt.Errorf("connecting kafka trigger %s: %w", t.name, err))
	}
	t.clients[key] = cl
	if t.done != nil && !t.watched {
		t.watched = true
		go func() {
			<-t.done
			t.Close()
		}()
	}
	return cl, nil
}

// producerOptions map requiredAcks, compress and flushFrequency.
func (t *Trigger) producerOptions() []kgo.Opt {
	opts := []kgo.Opt{kgo.RecordDeliveryTimeout(deliveryTimeout), kgo.AllowAutoTopicCreation()}
	if t.spec.RequiredAcks == -1 {
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	} else {
		// 0 is Argo's default, the leader's acknowledgement.
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
	}
	if t.spec.Compress {
		opts = append(opts, kgo.ProducerBatchCompression(kgo.SnappyCompression()))
	}
	if t.spec.FlushFrequency > 0 {
		opts = append(opts, kgo.ProducerLinger(time.Duration(t.spec.FlushFrequency)*time.Millisecond))
	}
	return opts
}

// Close closes the trigger's clients; later firings fail. Closing twice is
// harmless.
func (t *Trigger) Close() {
	t.mu.Lock()
	clients := t.clients
	t.clients, t.closed = nil, true
	t.mu.Unlock()
	for _, cl := range clients {
		cl.Close()
	}
}
