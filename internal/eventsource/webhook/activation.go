package webhook

import (
	"net"
	"os"
	"strconv"
	"sync"
)

// Socket activation (systemd's LISTEN_FDS protocol): a launcher such as
// systemd or systemd-socket-activate binds the webhook ports, hands the
// listening sockets to Herald as file descriptors 3, 4, ... and sets
// LISTEN_FDS to their number and LISTEN_PID to Herald's pid. The kernel
// queues connections from the moment the launcher listens, so no client
// is refused while Herald starts or restarts.

// firstListenFD is the first descriptor the protocol passes.
const firstListenFD = 3

var (
	inheritedOnce sync.Once
	inheritedMu   sync.Mutex
	inherited     []net.Listener
)

// inheritedListener returns the listener passed by a socket-activation
// launcher for addr (host:port; an empty or unspecified host matches any),
// or nil. Each is handed out once: a server started again later listens
// itself.
func inheritedListener(addr string) net.Listener {
	inheritedOnce.Do(func() { inherited = listenersFromEnv(os.Getenv, os.Getpid()) })
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	inheritedMu.Lock()
	defer inheritedMu.Unlock()
	for i, ln := range inherited {
		a, ok := ln.Addr().(*net.TCPAddr)
		if !ok || strconv.Itoa(a.Port) != port {
			continue
		}
		if ip := net.ParseIP(host); host != "" && ip != nil && !ip.IsUnspecified() && !ip.Equal(a.IP) {
			continue
		}
		inherited = append(inherited[:i], inherited[i+1:]...)
		return ln
	}
	return nil
}

// listenersFromEnv turns the descriptors LISTEN_FDS announces for pid into
// listeners; descriptors that are not listening stream sockets are skipped.
func listenersFromEnv(getenv func(string) string, pid int) []net.Listener {
	if getenv("LISTEN_PID") != strconv.Itoa(pid) {
		return nil
	}
	n, err := strconv.Atoi(getenv("LISTEN_FDS"))
	if err != nil || n <= 0 {
		return nil
	}
	var out []net.Listener
	for fd := firstListenFD; fd < firstListenFD+n; fd++ {
		f := os.NewFile(uintptr(fd), "listen-fd-"+strconv.Itoa(fd))
		if f == nil {
			continue
		}
		ln, err := net.FileListener(f)
		_ = f.Close() // FileListener holds its own copy
		if err != nil {
			continue
		}
		out = append(out, ln)
	}
	return out
}
