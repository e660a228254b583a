package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/internal/eventbus/jetstream"
)

// busCollector exports a bus's counters at scrape time.
type busCollector struct {
	stats func() jetstream.Stats

	published, duplicates, errors, inFlight, delivered, undecodable, handedBack, refused, full, storeFailed *prometheus.Desc
}

// RegisterBus exports the counters stats returns.
func RegisterBus(reg prometheus.Registerer, stats func() jetstream.Stats) {
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, nil, nil) }
	reg.MustRegister(&busCollector{
		stats:       stats,
		published:   d("herald_eventbus_published_total", "Publishes the bus acknowledged, duplicates included."),
		duplicates:  d("herald_eventbus_duplicates_total", "Publishes the bus dropped as re-publishes of a stored event id."),
		errors:      d("herald_eventbus_publish_errors_total", "Publishes that failed."),
		inFlight:    d("herald_eventbus_publishes_in_flight", "Publishes awaiting their acknowledgement."),
		delivered:   d("herald_eventbus_delivered_total", "Messages handed to subscribers."),
		undecodable: d("herald_eventbus_undecodable_total", "Delivered messages that were not events (terminated)."),
		handedBack:  d("herald_eventbus_handed_back_total", "Deliveries an earlier run left unacknowledged, delivered again in order when a subscription started."),
		refused:     d("herald_eventbus_publishes_refused_total", "Publishes refused because a subscription's unacknowledged events neared the stream's limits, or the embedded bus could not write to its store."),
		full:        d("herald_eventbus_backlog_full", "1 while publishes are refused because a subscription's unacknowledged events near the stream's limits."),
		storeFailed: d("herald_eventbus_store_failed", "1 while the embedded bus cannot write to its store (a disk full, an I/O error): publishes are refused until the process restarts."),
	})
}

func (c *busCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.published, c.duplicates, c.errors, c.inFlight, c.delivered, c.undecodable, c.handedBack, c.refused, c.full, c.storeFailed} {
		ch <- d
	}
}

func (c *busCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	ch <- prometheus.MustNewConstMetric(c.published, prometheus.CounterValue, float64(s.Published))
	ch <- prometheus.MustNewConstMetric(c.duplicates, prometheus.CounterValue, float64(s.Duplicates))
	ch <- prometheus.MustNewConstMetric(c.errors, prometheus.CounterValue, float64(s.PublishErrors))
	ch <- prometheus.MustNewConstMetric(c.inFlight, prometheus.GaugeValue, float64(s.InFlight))
	ch <- prometheus.MustNewConstMetric(c.delivered, prometheus.CounterValue, float64(s.Delivered))
	ch <- prometheus.MustNewConstMetric(c.undecodable, prometheus.CounterValue, float64(s.Undecodable))
	ch <- prometheus.MustNewConstMetric(c.handedBack, prometheus.CounterValue, float64(s.HandedBack))
	ch <- prometheus.MustNewConstMetric(c.refused, prometheus.CounterValue, float64(s.Refused))
	ch <- prometheus.MustNewConstMetric(c.full, prometheus.GaugeValue, gauge(s.BacklogFull))
	ch <- prometheus.MustNewConstMetric(c.storeFailed, prometheus.GaugeValue, gauge(s.StoreFailed))
}

// gauge is 1 for true, 0 for false.
func gauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
