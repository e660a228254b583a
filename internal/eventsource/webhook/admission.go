package webhook

// maxConcurrentRequests bounds the endpoint requests one port handles at
// once (reading the body, publishing to the bus, answering). Past it a
// request is answered 503 with Retry-After at once, without reading its
// body: a flood of clients, or a bus that is slow to acknowledge, then
// holds a bounded number of bodies and goroutines instead of growing the
// process's memory with every waiting client. Tests lower it.
var maxConcurrentRequests = 1024

// admission counts the requests in progress up to a limit.
type admission struct{ slots chan struct{} }

func newAdmission(limit int) admission {
	return admission{slots: make(chan struct{}, limit)}
}

// enter takes a slot, or reports false when all are taken.
func (a admission) enter() bool {
	select {
	case a.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// leave gives back the slot taken by enter.
func (a admission) leave() { <-a.slots }
