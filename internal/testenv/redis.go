package testenv

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrRedisMissing is returned by StartRedis when no redis-server binary is
// installed.
var ErrRedisMissing = errors.New("redis-server is missing: run `make test-deps`")

// RedisOptions tune StartRedis.
type RedisOptions struct {
	// Dir holds the server's files (its config and log); a new temporary
	// folder, removed by Stop, when empty. Tests pass t.TempDir().
	Dir string
	// Password, when set, is required from clients (requirepass).
	Password string
	// Users are extra ACL users, name → password, allowed every command and
	// key.
	Users map[string]string
}

// Redis is a redis-server process started on a free loopback port, with
// persistence off.
type Redis struct {
	// Addr is the host:port clients connect to.
	Addr string
	// Dir holds the server's config and log.
	Dir string
	cmd *exec.Cmd
	// exited is closed once the process has ended.
	exited chan struct{}
	// ownDir is true when StartRedis made Dir, and Stop removes it.
	ownDir bool
}

// StartRedis starts Debian's redis-server (found on PATH) and waits until
// it answers. Call Stop when done.
func StartRedis(opts RedisOptions) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrRedisMissing
	}
	dir, ownDir := opts.Dir, opts.Dir == ""
	if ownDir {
		if dir, err = os.MkdirTemp("", "herald-redis-"); err != nil {
			return nil, fmt.Errorf("creating the redis folder: %w", err)
		}
	}
	port, err := FreePort()
	if err != nil {
		return nil, fmt.Errorf("choosing a port for redis-server: %w", err)
	}
	conf := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(conf, []byte(redisConfig(port, dir, opts)), 0o600); err != nil {
		return nil, fmt.Errorf("writing the redis config: %w", err)
	}
	cmd := exec.Command(bin, conf)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server: %w", err)
	}
	r := &Redis{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Dir: dir, cmd: cmd, exited: make(chan struct{}), ownDir: ownDir}
	go func() {
		_ = cmd.Wait()
		close(r.exited)
	}()
	if err := r.waitReady(10 * time.Second); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// redisConfig writes the server's configuration file.
func redisConfig(port int, dir string, opts RedisOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "bind 127.0.0.1\nport %d\ndir %s\nlogfile %s\n", port, dir, filepath.Join(dir, "redis.log"))
	b.WriteString("save \"\"\nappendonly no\ndaemonize no\nprotected-mode no\n")
	if opts.Password != "" {
		fmt.Fprintf(&b, "requirepass %s\n", opts.Password)
	}
	for user, pass := range opts.Users {
		fmt.Fprintf(&b, "user %s on >%s ~* &* +@all\n", user, pass)
	}
	return b.String()
}

// waitReady waits until the server answers PING (or asks for a password).
func (r *Redis) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		if ok := r.ping(); ok {
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("redis-server exited at start; see %s", filepath.Join(r.Dir, "redis.log"))
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server not ready on %s after %s", r.Addr, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ping sends one inline PING and reports whether the server answered.
func (r *Redis) ping() bool {
	conn, err := net.DialTimeout("tcp", r.Addr, time.Second)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && (strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH"))
}

// Stop kills the server and waits for it to exit. Stopping twice is
// harmless.
func (r *Redis) Stop() {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
	<-r.exited
	if r.ownDir {
		_ = os.RemoveAll(r.Dir)
	}
}
