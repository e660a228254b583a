package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// kcmControllers are the kube-controller-manager controllers Herald's tests
// rely on: namespaces that finish deleting, garbage collection through owner
// references, and default ServiceAccounts (with their tokens).
var kcmControllers = "namespace-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller"

type controllerManager struct {
	cmd  *exec.Cmd
	done chan error
	log  *os.File
}

func startControllerManager(assets, kubeconfig, certDir, dir string) (*controllerManager, error) {
	logPath := filepath.Join(dir, "kube-controller-manager.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("creating the kube-controller-manager log: %w", err)
	}
	cmd := exec.Command(filepath.Join(assets, "kube-controller-manager"),
		"--kubeconfig="+kubeconfig,
		"--authentication-kubeconfig="+kubeconfig,
		"--authorization-kubeconfig="+kubeconfig,
		"--leader-elect=false",
		"--bind-address=127.0.0.1",
		"--secure-port=0",
		"--controllers="+kcmControllers,
		"--service-account-private-key-file="+filepath.Join(certDir, "sa-signer.key"),
		"--use-service-account-credentials=false",
		"--concurrent-gc-syncs=5",
	)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, killed with the test process if that dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("starting kube-controller-manager: %w", err)
	}
	m := &controllerManager{cmd: cmd, done: make(chan error, 1), log: logFile}
	go func() { m.done <- cmd.Wait() }()
	if err := m.waitReady(kubeconfig, logPath); err != nil {
		_ = m.stop()
		return nil, err
	}
	return m, nil
}

// waitReady waits until the ServiceAccount controller has made the default
// namespace's default ServiceAccount: the manager then runs its controllers.
func (m *controllerManager) waitReady(kubeconfig, logPath string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("reading the admin kubeconfig: %w", err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("creating a client: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if _, err := cs.CoreV1().ServiceAccounts(metav1.NamespaceDefault).Get(ctx, "default", metav1.GetOptions{}); err == nil {
			return nil
		}
		select {
		case err := <-m.done:
			m.done <- err
			return fmt.Errorf("kube-controller-manager exited early (log: %s): %w", logPath, err)
		case <-ctx.Done():
			return fmt.Errorf("waiting for kube-controller-manager to create the default ServiceAccount (log: %s): %w", logPath, ctx.Err())
		case <-tick.C:
		}
	}
}

func (m *controllerManager) stop() error {
	defer m.log.Close()
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-m.done:
		_ = err // the manager was asked to stop: its exit status says nothing more
		return nil
	case <-time.After(10 * time.Second):
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	if err := <-m.done; err != nil && !isSignalExit(err) {
		return fmt.Errorf("stopping kube-controller-manager: %w", err)
	}
	return nil
}

func isSignalExit(err error) bool {
	var ee *exec.ExitError
	return errors.As(err, &ee)
}
