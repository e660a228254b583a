package mqtt

import (
	"sync"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// queue holds the messages received and not yet handled, in order. The
// client's handler pushes without blocking (paho requires it); the broker
// bounds how many unacknowledged messages it sends at once.
type queue struct {
	mu    sync.Mutex
	items []paho.Message
	// ready has a value when items may be non-empty.
	ready chan struct{}
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

// push is the client's message handler.
func (q *queue) push(_ paho.Client, m paho.Message) {
	q.mu.Lock()
	q.items = append(q.items, m)
	q.mu.Unlock()
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop returns the oldest message, nil when there is none.
func (q *queue) pop() paho.Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return nil
	}
	m := q.items[0]
	q.items[0] = nil
	q.items = q.items[1:]
	return m
}
