package all_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/herald-dev/herald/internal/eventsource/all"

	"github.com/herald-dev/herald/internal/eventsource"
)

func TestEveryKindIsRegistered(t *testing.T) {
	require.Equal(t, []string{"amqp", "calendar", "file", "github", "gitlab", "kafka", "mqtt", "nats", "redis", "redisStream", "resource", "webhook"}, eventsource.Default.Names())
}
