// Package all links every event source kind into the binary: importing it
// runs each kind's init, which registers the kind in eventsource.Default.
package all

import (
	// Each import registers one kind.
	_ "github.com/herald-dev/herald/internal/eventsource/calendar"
	_ "github.com/herald-dev/herald/internal/eventsource/resource"
	_ "github.com/herald-dev/herald/internal/eventsource/webhook"
)
