package all_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/trigger"
	_ "github.com/herald-dev/herald/internal/trigger/all"
)

func TestEveryKindRegistered(t *testing.T) {
	names := trigger.Default.Names()
	for _, want := range []string{"argoWorkflow", "http", "k8s", "kafka", "log", "nats", "slack"} {
		require.Contains(t, names, want)
	}
}
