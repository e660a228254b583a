package fault

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// sender posts {"n": n} to a webhook with Idempotency-Key event-<n>, and
// sends each n again until it gets a 200, as a careful client does. It
// counts the answers that were not 200.
type sender struct {
	url    string
	client *http.Client

	acked atomic.Int64
	// noRetryAfter counts 429 and 503 answers without Retry-After.
	noRetryAfter atomic.Int64
	mu           sync.Mutex
	refused      map[int]int // status → answers (0: no answer)
}

func newSender(port int) *sender {
	return &sender{
		url: fmt.Sprintf("http://127.0.0.1:%d/hook", port),
		client: &http.Client{
			Transport: &http.Transport{MaxIdleConnsPerHost: 2048, IdleConnTimeout: 30 * time.Second},
			Timeout:   10 * time.Second,
		},
		refused: map[int]int{},
	}
}

// send posts n once and returns the status (0 when there was no answer).
func (s *sender) send(ctx context.Context, n int) int {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(fmt.Appendf(nil, `{"n":%d}`, n)))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", fmt.Sprintf("event-%d", n))
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() == nil { // not the sender giving up on it at the end
			s.count(0)
		}
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		s.count(resp.StatusCode)
		if (resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests) &&
			resp.Header.Get("Retry-After") == "" {
			s.noRetryAfter.Add(1)
		}
	}
	return resp.StatusCode
}

func (s *sender) count(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[status]++
}

// refusals returns the counts of answers that were not 200, by status.
func (s *sender) refusals() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]int, len(s.refused))
	for k, v := range s.refused {
		out[k] = v
	}
	return out
}

// sendUntilOK sends n until it is answered 200 or ctx ends.
func (s *sender) sendUntilOK(ctx context.Context, n int) bool {
	for s.send(ctx, n) != http.StatusOK {
		t := time.NewTimer(20 * time.Millisecond) // back off before sending it again
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
	s.acked.Add(1)
	return true
}

// sendAll sends the events 0..total-1 with workers goroutines, each until
// it is answered 200; it returns when all are acknowledged or ctx ends.
func (s *sender) sendAll(ctx context.Context, total, workers int) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for n := range work {
				if !s.sendUntilOK(ctx, n) {
					return
				}
			}
		})
	}
	for n := range total {
		select {
		case work <- n:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}
