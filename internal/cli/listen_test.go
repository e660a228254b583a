package cli

import (
	"net"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"
)

// TestServersListenOnLoopbackByDefault checks that the commands that serve
// the web UI, the events API and the metrics bind them to 127.0.0.1 unless
// told otherwise: nothing Herald serves for its operators is reachable from
// the network by default. (Webhook endpoints bind to every interface, as in
// Argo: that is what they are for; the admission webhook is off by
// default.)
func TestServersListenOnLoopbackByDefault(t *testing.T) {
	for _, cmd := range []*cobra.Command{newRunCommand(), newDevCommand(), newControllerCommand()} {
		for _, name := range []string{"metrics-addr", "ui-addr"} {
			t.Run(cmd.Name()+" --"+name, func(t *testing.T) {
				f := cmd.Flags().Lookup(name)
				if f == nil {
					t.Skipf("%s has no --%s", cmd.Name(), name)
				}
				host, _, err := net.SplitHostPort(f.DefValue)
				require.NoError(t, err, f.DefValue)
				ip := net.ParseIP(host)
				require.NotNil(t, ip, "default %q names no IP", f.DefValue)
				require.True(t, ip.IsLoopback(), "default %q is not a loopback address", f.DefValue)
			})
		}
		if f := cmd.Flags().Lookup("admission-addr"); f != nil {
			require.Empty(t, f.DefValue, "the admission webhook is off by default")
		}
	}
}
