// Package all links every event source kind into the binary: importing it
// runs each kind's init, which registers the kind in eventsource.Default.
package all

import (
	// Each import registers one kind.
	_ "github.com/herald-dev/herald/internal/eventsource/amqp"
	_ "github.com/herald-dev/herald/internal/eventsource/calendar"
	_ "github.com/herald-dev/herald/internal/eventsource/file"
	_ "github.com/herald-dev/herald/internal/eventsource/github"
	_ "github.com/herald-dev/herald/internal/eventsource/gitlab"
	_ "github.com/herald-dev/herald/internal/eventsource/kafka"
	_ "github.com/herald-dev/herald/internal/eventsource/mqtt"
	_ "github.com/herald-dev/herald/internal/eventsource/nats"
	_ "github.com/herald-dev/herald/internal/eventsource/redis"
	_ "github.com/herald-dev/herald/internal/eventsource/redisstream"
	_ "github.com/herald-dev/herald/internal/eventsource/resource"
	_ "github.com/herald-dev/herald/internal/eventsource/webhook"
)
