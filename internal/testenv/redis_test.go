package testenv

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStartRedis(t *testing.T) {
	r, err := StartRedis(RedisOptions{Dir: t.TempDir(), Password: "pw"})
	require.NoError(t, err)
	defer r.Stop()
	conn, err := net.DialTimeout("tcp", r.Addr, time.Second)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = conn.Write([]byte("AUTH pw\r\nPING\r\n"))
	require.NoError(t, err)
	rd := bufio.NewReader(conn)
	for _, want := range []string{"+OK", "+PONG"} {
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		require.Equal(t, want, strings.TrimSpace(line))
	}
	r.Stop()
	r.Stop() // harmless
}

func TestStartRedisWithoutTheBinary(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := StartRedis(RedisOptions{})
	require.EqualError(t, err, "redis-server is missing: run `make test-deps`")
}
