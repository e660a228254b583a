package nats

import (
	"context"
	"errors"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
)

// DefaultIdle is how long a connection nobody used is kept open.
const DefaultIdle = 5 * time.Minute

// Conns shares NATS connections among the nats triggers of a process, one
// per server URL and TLS setup: a trigger is built again whenever
// trigger-level parameters change its template, and those builds must not
// each hold a connection. A connection unused for the idle time is closed;
// the next firing dials again. It is safe for concurrent use.
type Conns struct {
	idle time.Duration

	mu     sync.Mutex
	m      map[string]*pooled
	closed bool
}

// pooled is one shared connection, being dialled until ready is closed.
type pooled struct {
	key   string
	ready chan struct{}
	nc    *natsgo.Conn
	err   error
	users int
	timer *time.Timer
}

// ErrConnsClosed is returned by a Conns that was closed.
var ErrConnsClosed = errors.New("nats connections closed")

// NewConns returns an empty set of connections closing those unused for
// idle (DefaultIdle when 0).
func NewConns(idle time.Duration) *Conns {
	if idle <= 0 {
		idle = DefaultIdle
	}
	return &Conns{idle: idle, m: map[string]*pooled{}}
}

// defaultConns are the connections of the triggers the herald binary runs;
// they live as long as the process (less their idle time).
var defaultConns = NewConns(0)

// acquire returns the connection for key, dialling it with dial when there
// is none (or it was closed), and the func that releases it. It gives up
// when ctx ends; the dial then goes on in the background for the next
// caller.
func (c *Conns) acquire(ctx context.Context, key string, dial func() (*natsgo.Conn, error)) (*natsgo.Conn, func(), error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, nil, ErrConnsClosed
	}
	p := c.m[key]
	if p != nil && p.nc != nil && p.nc.IsClosed() {
		delete(c.m, key)
		p = nil
	}
	if p == nil {
		p = &pooled{key: key, ready: make(chan struct{})}
		c.m[key] = p
		go c.dial(p, dial)
	}
	p.users++
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	c.mu.Unlock()
	release := func() { c.release(p) }
	select {
	case <-p.ready:
	case <-ctx.Done():
		release()
		return nil, nil, ctx.Err()
	}
	if p.err != nil {
		release()
		return nil, nil, p.err
	}
	return p.nc, release, nil
}

// dial connects p and forgets it when that failed, so that the next caller
// dials again.
func (c *Conns) dial(p *pooled, dial func() (*natsgo.Conn, error)) {
	nc, err := dial()
	c.mu.Lock()
	p.nc, p.err = nc, err
	closed := c.closed
	if err != nil && c.m[p.key] == p {
		delete(c.m, p.key)
	}
	c.mu.Unlock()
	if closed && nc != nil {
		nc.Close()
	}
	close(p.ready)
}

// release gives p back; the last user starts its idle timer.
func (c *Conns) release(p *pooled) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p.users--
	if p.users > 0 || p.nc == nil || c.closed || c.m[p.key] != p {
		return
	}
	p.timer = time.AfterFunc(c.idle, func() {
		c.mu.Lock()
		idle := p.users == 0 && c.m[p.key] == p
		if idle {
			delete(c.m, p.key)
		}
		c.mu.Unlock()
		if idle {
			p.nc.Close()
		}
	})
}

// Close closes every connection; acquire then fails with ErrConnsClosed.
func (c *Conns) Close() {
	c.mu.Lock()
	c.closed = true
	var open []*natsgo.Conn
	for key, p := range c.m {
		if p.timer != nil {
			p.timer.Stop()
		}
		if p.nc != nil {
			open = append(open, p.nc)
		}
		delete(c.m, key)
	}
	c.mu.Unlock()
	for _, nc := range open {
		nc.Close()
	}
}
