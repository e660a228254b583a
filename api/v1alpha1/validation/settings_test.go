package validation

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParseJetStreamSettings(t *testing.T) {
	tests := []struct {
		name, text string
		want       JetStreamSettings
		err        string
	}{
		{name: "empty", text: ""},
		{name: "Argo's default", text: "max_memory_store: -1\nmax_file_store: 1TB\n", want: JetStreamSettings{MaxMemoryStore: -1, MaxFileStore: 1 << 40}},
		// The configuration syntax's own units: M and G are powers of ten, MB, GB
		// and GiB powers of two.
		{name: "sizes", text: "max_mem: 512M\nmax_file: 1073741824", want: JetStreamSettings{MaxMemoryStore: 512e6, MaxFileStore: 1 << 30}},
		{name: "binary sizes", text: "max_mem: 512MB\nmax_file: 2GiB", want: JetStreamSettings{MaxMemoryStore: 512 << 20, MaxFileStore: 2 << 30}},
		{name: "sync always", text: "sync_interval: always", want: JetStreamSettings{SyncAlways: true}},
		{name: "sync interval", text: "sync_interval: 10s", want: JetStreamSettings{SyncInterval: 10 * time.Second}},
		{name: "sync, quoted", text: `sync: "2m"`, want: JetStreamSettings{SyncInterval: 2 * time.Minute}},
		{name: "keys not applied", text: "store_dir: /x\ndomain: hub\nmax_file_store: 1G", want: JetStreamSettings{MaxFileStore: 1e9, Ignored: []string{"domain", "store_dir"}}},
		{name: "not a size", text: "max_file_store: lots", err: "max_file_store: lots is not a size"},
		{name: "not a duration", text: "sync_interval: 5", err: "sync_interval: 5 is not a duration"},
		{name: "a negative duration", text: `sync_interval: "-5s"`, err: `sync_interval: "-5s" is not a duration`},
		{name: "syntax", text: "a b c {", err: "reading the event bus settings: Parse error on line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseJetStreamSettings(tt.text)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseMaxPayload(t *testing.T) {
	for in, want := range map[string]int32{"1MB": 1 << 20, "8MB": 8 << 20, "512KB": 512 << 10, "1048576": 1 << 20, "0": 64 << 20, "64MB": 64 << 20, "1MiB": 1 << 20, "2mib": 2 << 20, "1Mi": 1 << 20} {
		got, err := ParseMaxPayload(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"65MB", "-1", "lots"} {
		_, err := ParseMaxPayload(in)
		require.Error(t, err, in)
	}
}
