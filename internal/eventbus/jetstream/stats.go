package jetstream

import "sync/atomic"

// Stats are the bus's counters since Connect, for export as metrics.
type Stats struct {
	// Published counts publishes the server acknowledged, duplicates included.
	Published uint64
	// Duplicates counts acknowledged publishes the server dropped as
	// re-publishes of a stored event id.
	Duplicates uint64
	// PublishErrors counts publishes that failed.
	PublishErrors uint64
	// InFlight is the number of publishes awaiting their ack now.
	InFlight int64
	// Delivered counts messages handed to subscription handlers.
	Delivered uint64
	// Undecodable counts delivered messages that were not events; they were
	// terminated.
	Undecodable uint64
	// HandedBack counts deliveries an earlier run left unacknowledged that
	// a subscription's start delivered again at once (handBack).
	HandedBack uint64
	// Refused counts publishes refused because a subscription's backlog
	// neared the stream's limits (backlog.go) or the store failed.
	Refused uint64
	// BacklogFull is set while publishes are refused for that reason.
	BacklogFull bool
	// StoreFailed is set while the embedded server cannot write to its
	// store (storefault.go); publishes are refused meanwhile.
	StoreFailed bool
}

type counters struct {
	published, duplicates, publishErrors atomic.Uint64
	inFlight                             atomic.Int64
	delivered, undecodable, handedBack   atomic.Uint64
	refused                              atomic.Uint64
}

// Stats returns a snapshot of the bus's counters.
func (b *Bus) Stats() Stats {
	c := &b.stats
	return Stats{
		Published:     c.published.Load(),
		Duplicates:    c.duplicates.Load(),
		PublishErrors: c.publishErrors.Load(),
		InFlight:      c.inFlight.Load(),
		Delivered:     c.delivered.Load(),
		Undecodable:   c.undecodable.Load(),
		HandedBack:    c.handedBack.Load(),
		Refused:       c.refused.Load(),
		BacklogFull:   b.backlog.refusal() != "",
		StoreFailed:   b.StoreFault() != nil,
	}
}
