package testenv

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// RestartAPIServer kills kube-apiserver with SIGKILL, as a crash would, and
// starts it again on the same port, certificates and etcd: clients see
// their watches end and their requests fail meanwhile.
func (c *ControlPlane) RestartAPIServer() error {
	api := c.env.ControlPlane.APIServer
	if err := killProcess("kube-apiserver", "--cert-dir="+api.CertDir); err != nil {
		return err
	}
	if err := api.Stop(); err != nil {
		return fmt.Errorf("stopping kube-apiserver: %w", err)
	}
	if err := api.Start(); err != nil {
		return fmt.Errorf("starting kube-apiserver again: %w", err)
	}
	return nil
}

// RestartAll kills kube-apiserver and etcd with SIGKILL, then starts etcd
// on the same data folder and port and kube-apiserver on it: the whole
// control plane goes away and comes back with its objects.
func (c *ControlPlane) RestartAll() error {
	api, etcd := c.env.ControlPlane.APIServer, c.env.ControlPlane.Etcd
	if err := killProcess("kube-apiserver", "--cert-dir="+api.CertDir); err != nil {
		return err
	}
	if err := killProcess("etcd", "--data-dir="+etcd.DataDir); err != nil {
		return err
	}
	if err := api.Stop(); err != nil {
		return fmt.Errorf("stopping kube-apiserver: %w", err)
	}
	if err := etcd.Stop(); err != nil {
		return fmt.Errorf("stopping etcd: %w", err)
	}
	if err := etcd.Start(); err != nil {
		return fmt.Errorf("starting etcd again: %w", err)
	}
	if err := api.Start(); err != nil {
		return fmt.Errorf("starting kube-apiserver again: %w", err)
	}
	return nil
}

// killProcess sends SIGKILL to the child process of this one running the
// binary named name with the argument arg (a folder only this control
// plane uses). envtest waits for the process to exit in Stop.
func killProcess(name, arg string) error {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return fmt.Errorf("listing processes: %w", err)
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := bytes.Split(bytes.TrimRight(cmdline, "\x00"), []byte{0})
		if len(args) == 0 || filepath.Base(string(args[0])) != name || !hasArg(args, arg) || parentOf(pid) != self {
			continue
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return fmt.Errorf("killing %s (pid %d): %w", name, pid, err)
		}
		return nil
	}
	return fmt.Errorf("killing %s: no child process with %s", name, arg)
}

func hasArg(args [][]byte, arg string) bool {
	for _, a := range args {
		if string(a) == arg {
			return true
		}
	}
	return false
}

// parentOf returns the parent process id of pid (0 when unknown).
func parentOf(pid int) int {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// pid (comm) state ppid ...; comm may hold spaces, so cut after ")".
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0
	}
	fields := bytes.Fields(stat[i+1:])
	if len(fields) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(string(fields[1]))
	return ppid
}
