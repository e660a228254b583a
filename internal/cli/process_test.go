package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseBusSync(t *testing.T) {
	tests := []struct {
		in       string
		interval time.Duration
		always   bool
		err      string
	}{
		{in: ""},
		{in: "always", always: true},
		{in: "Always", always: true},
		{in: "10s", interval: 10 * time.Second},
		{in: "2m", interval: 2 * time.Minute},
		{in: "0s", err: `--bus-sync: "0s" is not always or a positive duration`},
		{in: "-1s", err: `--bus-sync: "-1s" is not always`},
		{in: "often", err: `--bus-sync: "often" is not always`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			interval, always, err := parseBusSync(tt.in)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.interval, interval)
			require.Equal(t, tt.always, always)
		})
	}
}
