package webhook

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSocketActivation starts this test binary again with a listening
// socket as descriptor 3, as systemd-socket-activate does, and checks there
// that the webhook server would take it for its address and only for it.
func TestSocketActivation(t *testing.T) {
	if os.Getenv("HERALD_ACTIVATION_CHILD") == "1" {
		activationChild(t)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	require.NoError(t, err)
	defer f.Close()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)

	cmd := exec.Command(os.Args[0], "-test.run=^TestSocketActivation$", "-test.v")
	cmd.ExtraFiles = []*os.File{f}
	cmd.Env = append(os.Environ(), "HERALD_ACTIVATION_CHILD=1", "HERALD_ACTIVATION_PORT="+port)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "--- PASS: TestSocketActivation")
}

func activationChild(t *testing.T) {
	port := os.Getenv("HERALD_ACTIVATION_PORT")
	pid := os.Getpid()
	env := map[string]string{"LISTEN_PID": strconv.Itoa(pid), "LISTEN_FDS": "1"}
	require.Empty(t, listenersFromEnv(func(k string) string { return env[k] }, pid+1), "LISTEN_PID names another process")
	lns := listenersFromEnv(func(k string) string { return env[k] }, pid)
	require.Len(t, lns, 1)

	inheritedOnce.Do(func() {})
	inherited = lns
	require.Nil(t, inheritedListener("127.0.0.1:1"), "another port")
	require.Nil(t, inheritedListener("10.1.2.3:"+port), "another host")
	ln := inheritedListener(":" + port)
	require.NotNil(t, ln, "any host matches")
	require.Nil(t, inheritedListener(":"+port), "handed out once")

	go func() {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			_ = c.Close()
		}
	}()
	c, err := ln.Accept()
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, ln.Close())
}
