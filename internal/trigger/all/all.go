// Package all links every trigger kind into the binary: importing it runs
// each kind's init, which registers the kind in trigger.Default.
package all

import (
	// Each import registers one trigger kind.
	_ "github.com/herald-dev/herald/internal/trigger/argoworkflow"
	_ "github.com/herald-dev/herald/internal/trigger/http"
	_ "github.com/herald-dev/herald/internal/trigger/k8s"
	_ "github.com/herald-dev/herald/internal/trigger/kafka"
	_ "github.com/herald-dev/herald/internal/trigger/log"
	_ "github.com/herald-dev/herald/internal/trigger/nats"
	_ "github.com/herald-dev/herald/internal/trigger/slack"
)
