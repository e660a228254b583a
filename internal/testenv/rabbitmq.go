package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// ErrRabbitMQMissing is returned by StartRabbitMQ when no RabbitMQ server is
// installed.
var ErrRabbitMQMissing = errors.New("rabbitmq-server is missing: run `make test-deps`")

// rabbitMQServers are where the server's start script is looked for: Debian's
// own script first (the one in /usr/sbin only runs as root or the rabbitmq
// user and writes to /var), then whatever PATH has.
var rabbitMQServers = []string{"/usr/lib/rabbitmq/bin/rabbitmq-server", "rabbitmq-server"}

// rabbitMQStartTimeout bounds how long the broker may take to accept
// connections; an Erlang VM boots slowly on a busy machine.
const rabbitMQStartTimeout = 2 * time.Minute

// RabbitMQ is a RabbitMQ broker started from the installed rabbitmq-server
// on free loopback ports, with its data, logs and configuration in a
// temporary folder. Start one per test package (in TestMain) and share it:
// it takes several seconds to start.
type RabbitMQ struct {
	// URL is the AMQP URL of the broker's default virtual host, with the
	// guest user, e.g. amqp://guest:guest@127.0.0.1:24567/.
	URL string
	// Port is the AMQP port.
	Port int

	dir      string
	cmd      *exec.Cmd
	log      *Buffer
	epmdPort int
	exited   chan struct{}
	stopOnce sync.Once
}

// StartRabbitMQ starts a broker and waits until it accepts AMQP connections.
// It returns ErrRabbitMQMissing when no rabbitmq-server is installed. Call
// Stop when done.
func StartRabbitMQ() (*RabbitMQ, error) {
	bin := ""
	for _, name := range rabbitMQServers {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		return nil, ErrRabbitMQMissing
	}
	ports := make([]int, 3)
	for i := range ports {
		p, err := FreePort()
		if err != nil {
			return nil, fmt.Errorf("choosing the ports of RabbitMQ: %w", err)
		}
		ports[i] = p
	}
	dir, err := os.MkdirTemp("", "herald-rabbitmq-")
	if err != nil {
		return nil, fmt.Errorf("creating the RabbitMQ folder: %w", err)
	}
	r := &RabbitMQ{Port: ports[0], dir: dir, epmdPort: ports[2], log: &Buffer{}, exited: make(chan struct{})}
	r.URL = fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", r.Port)
	if err := r.start(bin, ports[1]); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := r.waitReady(); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

// start writes the configuration and starts the server process.
func (r *RabbitMQ) start(bin string, distPort int) error {
	files := map[string]string{
		// No plugins: no management, Prometheus or other listener.
		"enabled_plugins": "[].\n",
		"rabbitmq.conf":   fmt.Sprintf("listeners.tcp.default = 127.0.0.1:%d\n", r.Port),
		// Replaces /etc/rabbitmq/rabbitmq-env.conf.
		"rabbitmq-env.conf": "",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(r.dir, name), []byte(text), 0o600); err != nil {
			return fmt.Errorf("writing the RabbitMQ %s: %w", name, err)
		}
	}
	node := fmt.Sprintf("herald-%d-%d@localhost", os.Getpid(), r.Port)
	// -noinput as an argument, with RABBITMQ_ALLOW_INPUT set, has the start
	// script exec the Erlang VM instead of waiting on it: the VM is then
	// this process's child and dies with it.
	cmd := exec.Command(bin, "-noinput")
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(),
		"HOME="+r.dir, // the Erlang cookie
		"RABBITMQ_ALLOW_INPUT=true",
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(r.dir, "rabbitmq-env.conf"),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(r.dir, "rabbitmq.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(r.dir, "enabled_plugins"),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(r.dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(r.dir, "log"),
		"RABBITMQ_LOGS=-",
		"RABBITMQ_NODENAME="+node,
		"RABBITMQ_NODE_IP_ADDRESS=127.0.0.1",
		"RABBITMQ_NODE_PORT="+strconv.Itoa(r.Port),
		"RABBITMQ_DIST_PORT="+strconv.Itoa(distPort),
		"ERL_EPMD_PORT="+strconv.Itoa(r.epmdPort),
	)
	cmd.Stdout, cmd.Stderr = r.log, r.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	r.cmd = cmd
	go func() {
		_ = cmd.Wait()
		close(r.exited)
	}()
	return nil
}

// waitReady polls until an AMQP connection succeeds.
func (r *RabbitMQ) waitReady() error {
	deadline := time.Now().Add(rabbitMQStartTimeout)
	for {
		conn, err := amqp.DialConfig(r.URL, amqp.Config{Dial: amqp.DefaultDial(time.Second)})
		if err == nil {
			_ = conn.Close()
			return nil
		}
		select {
		case <-r.exited:
			return fmt.Errorf("RabbitMQ exited before accepting connections: %s", r.log.Tail(2000))
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("RabbitMQ not accepting connections after %s (last error: %w): %s", rabbitMQStartTimeout, err, r.log.Tail(2000))
		}
	}
}

// Stop stops the broker (asking it to shut down, then killing it), stops
// the Erlang port mapper it started and removes its folder. It is safe to
// call more than once.
func (r *RabbitMQ) Stop() {
	r.stopOnce.Do(func() {
		pgid := -r.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-r.exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-r.exited
		}
		// The VM started an epmd daemon on the private port; it outlives it.
		if epmd, err := exec.LookPath("epmd"); err == nil {
			_ = exec.Command(epmd, "-port", strconv.Itoa(r.epmdPort), "-kill").Run()
		}
		_ = os.RemoveAll(r.dir)
	})
}
