package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// RepoRoot returns the root of the Herald checkout that holds the calling test,
// found by walking up from the working directory to the folder with go.mod
// declaring the herald module.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the repository root: %w", err)
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module github.com/herald-dev/herald\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the repository root: no go.mod of github.com/herald-dev/herald above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the project's shared folder (the Argo compatibility corpus,
// the scenarios, the benchmark harness), which sits beside the clone.
func SharedDir() (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	if d := os.Getenv("HERALD_SHARED_DIR"); d != "" {
		return d, nil
	}
	dir := filepath.Join(filepath.Dir(root), "shared")
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("finding the shared folder beside the clone: %w", err)
	}
	return dir, nil
}

// binaries a control plane needs, in the folder KUBEBUILDER_ASSETS names.
var controlPlaneBinaries = []string{"kube-apiserver", "etcd", "kubectl", "kube-controller-manager"}

// AssetsDir returns the folder holding kube-apiserver, etcd, kubectl and
// kube-controller-manager. It is KUBEBUILDER_ASSETS when set; otherwise the
// tools module's build script is run, which builds them once into a cache
// folder outside the clone and reuses them afterwards.
func AssetsDir() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, checkAssets(dir)
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	cmd := exec.Command(filepath.Join(root, "tools", "controlplane", "build.sh"))
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("building the control plane binaries with tools/controlplane/build.sh: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dir := lines[len(lines)-1]
	return dir, checkAssets(dir)
}

func checkAssets(dir string) error {
	for _, b := range controlPlaneBinaries {
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return fmt.Errorf("control plane binary %s missing in %s (run `make tools`): %w", b, dir, err)
		}
	}
	return nil
}
