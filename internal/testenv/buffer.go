package testenv

import (
	"bytes"
	"sync"
)

// Buffer collects what loggers and processes write, safe for concurrent
// writes and reads (a bytes.Buffer is not).
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Tail returns the last n bytes written (all of them when fewer), marked
// with "..." when cut: the end of a server's log for an error message.
func (b *Buffer) Tail(n int) string {
	s := b.String()
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
