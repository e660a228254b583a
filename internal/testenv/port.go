package testenv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
)

// Ports FreePort picks from when the kernel's ephemeral range cannot be
// read: below Linux's default one (32768-60999).
const (
	portLow  = 20000
	portHigh = 32768
)

// FreePort returns a loopback TCP port nobody listens on now, for a server
// a test starts later (often in another process). It is chosen at random
// outside the kernel's ephemeral range: a port the kernel handed out for
// ":0" could be handed to someone else (another test's server, a client's
// socket) before the server binds it; one outside the range is only taken
// by another test choosing it the same way, at random.
func FreePort() (int, error) {
	low, high := portLow, portHigh
	if lo, _, ok := ephemeralRange(); ok && lo > low+1000 && lo < high {
		high = lo
	}
	for range 100 {
		port := low + rand.IntN(high-low)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		if err := ln.Close(); err != nil {
			return 0, fmt.Errorf("closing the probe of port %d: %w", port, err)
		}
		return port, nil
	}
	return 0, errors.New("no free port found in 100 tries")
}

// ephemeralRange reads the kernel's range of ports for ":0".
func ephemeralRange() (low, high int, ok bool) {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscan(string(b), &low, &high); err != nil {
		return 0, 0, false
	}
	return low, high, true
}
