package resource

import "sync"

// keyedQueue is an unbounded FIFO of changes that hands out at most one
// change per key at a time: changes of one object (key namespace/name) are
// processed in the order they were pushed, changes of different objects in
// parallel by several workers. Pushing never blocks, so the informer's
// handler never waits for the bus.
type keyedQueue struct {
	mu      sync.Mutex
	cond    *sync.Cond
	pending map[string][]change // per key, oldest first
	ready   []string            // keys with pending changes and no worker, oldest first
	busy    map[string]bool     // keys a worker is processing
	closed  bool
	length  int
}

func newKeyedQueue() *keyedQueue {
	q := &keyedQueue{pending: map[string][]change{}, busy: map[string]bool{}}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// push appends c to its key's changes; after close it does nothing.
func (q *keyedQueue) push(c change) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.pending[c.key] = append(q.pending[c.key], c)
	q.length++
	if !q.busy[c.key] && len(q.pending[c.key]) == 1 {
		q.ready = append(q.ready, c.key)
		q.cond.Signal()
	}
}

// pop waits for a change whose key no worker holds and returns it; the
// caller must call done with its key. ok is false once the queue is closed.
func (q *keyedQueue) pop() (c change, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.ready) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return change{}, false
	}
	key := q.ready[0]
	q.ready[0] = ""
	q.ready = q.ready[1:]
	c = q.pending[key][0]
	q.pending[key][0] = change{}
	q.pending[key] = q.pending[key][1:]
	q.length--
	q.busy[key] = true
	return c, true
}

// done releases key after its change was processed.
func (q *keyedQueue) done(key string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.busy, key)
	if len(q.pending[key]) > 0 {
		q.ready = append(q.ready, key)
		q.cond.Signal()
	} else {
		delete(q.pending, key)
	}
}

// close wakes every waiting worker; changes still queued are dropped (they
// were not checkpointed, so the next start reports them again).
func (q *keyedQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.cond.Broadcast()
}
