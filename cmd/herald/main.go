// Command herald is an event-driven automation engine for Kubernetes that runs
// Argo Events manifests (EventSource, Sensor, EventBus) in one process.
package main

import (
	"os"
	_ "time/tzdata" // timezones for calendar sources and time filters, also in images without zoneinfo

	"github.com/herald-dev/herald/internal/cli"
)

func main() {
	os.Exit(cli.Execute())
}
