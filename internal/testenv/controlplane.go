// Package testenv starts the real servers Herald's tests talk to (and that
// `herald dev` gives users as a throw-away cluster): a
// kube-apiserver and etcd (through controller-runtime's envtest, with binaries
// built from Go modules by the tools module), optionally kube-controller-manager
// for namespace finalisation, garbage collection and default ServiceAccounts,
// and an embedded NATS JetStream server.
package testenv

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// ControlPlane is a running kube-apiserver and etcd, and optionally
// kube-controller-manager.
type ControlPlane struct {
	// Config is an admin (system:masters) client configuration.
	Config *rest.Config
	// Kubeconfig is the path of an admin kubeconfig file for kubectl or herald.
	Kubeconfig string
	// AssetsDir holds the control plane binaries, kubectl among them.
	AssetsDir string
	// WebhookAddr and WebhookCertDir, with WithValidatingWebhooks, are where
	// the API server calls the webhooks (127.0.0.1:PORT) and the folder
	// holding the serving key pair it trusts (tls.crt, tls.key).
	WebhookAddr    string
	WebhookCertDir string

	env *envtest.Environment
	kcm *controllerManager
	dir string
}

type options struct {
	crdDirs           []string
	controllerManager bool
	noCRDs            bool
	webhookPaths      []string
}

// Option changes how a control plane starts.
type Option func(*options)

// WithControllerManager also starts kube-controller-manager, for tests that
// need deleted namespaces to go away, garbage collection of owned objects, or
// each namespace's default ServiceAccount.
func WithControllerManager() Option { return func(o *options) { o.controllerManager = true } }

// WithCRDs installs the CustomResourceDefinitions found in dirs instead of
// Herald's own from config/crd/bases.
func WithCRDs(dirs ...string) Option { return func(o *options) { o.crdDirs = dirs } }

// WithoutCRDs installs no CustomResourceDefinitions.
func WithoutCRDs() Option { return func(o *options) { o.noCRDs = true } }

// StartControlPlane starts a real kube-apiserver and etcd and installs
// Herald's CRDs. Call Stop when done, also on failure paths: envtest's
// processes outlive the test binary otherwise.
func StartControlPlane(opts ...Option) (*ControlPlane, error) {
	// envtest logs through controller-runtime's logger, which complains
	// with a stack trace when nothing was set.
	ctrllog.SetLogger(logr.Discard())
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	assets, err := AssetsDir()
	if err != nil {
		return nil, err
	}
	if !o.noCRDs && len(o.crdDirs) == 0 {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		o.crdDirs = []string{filepath.Join(root, "config", "crd", "bases")}
	}
	dir, err := os.MkdirTemp("", "herald-testenv-")
	if err != nil {
		return nil, fmt.Errorf("creating the control plane's folder: %w", err)
	}
	env := &envtest.Environment{
		// Folders of our own (not envtest's random ones, removed at each
		// stop) let Restart start the same API server on the same etcd data.
		ControlPlane: envtest.ControlPlane{
			APIServer: &envtest.APIServer{CertDir: filepath.Join(dir, "apiserver")},
			Etcd:      &envtest.Etcd{DataDir: filepath.Join(dir, "etcd")},
		},
		BinaryAssetsDirectory:    assets,
		CRDDirectoryPaths:        o.crdDirs,
		ErrorIfCRDPathMissing:    !o.noCRDs,
		ControlPlaneStartTimeout: 60 * time.Second,
		ControlPlaneStopTimeout:  30 * time.Second,
	}
	// envtest's default Service range is a /24: 253 Services with a
	// cluster IP at most, fewer than the fault tests' bursts create.
	env.ControlPlane.APIServer.Configure().Set("service-cluster-ip-range", "10.0.0.0/16")
	for _, d := range []string{env.ControlPlane.APIServer.CertDir, env.ControlPlane.Etcd.DataDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("creating the control plane's folder: %w", err)
		}
	}
	if len(o.webhookPaths) > 0 {
		if env.WebhookInstallOptions, err = webhookOptions(o.webhookPaths); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	// envtest reads KUBEBUILDER_ASSETS before BinaryAssetsDirectory; keep both in step.
	if err := os.Setenv("KUBEBUILDER_ASSETS", assets); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("setting KUBEBUILDER_ASSETS: %w", err)
	}
	cfg, err := env.Start()
	if err != nil {
		_ = env.Stop()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting kube-apiserver and etcd: %w", err)
	}
	cfg.QPS, cfg.Burst = 1000, 2000
	cp := &ControlPlane{Config: cfg, AssetsDir: assets, env: env, dir: dir}
	if len(o.webhookPaths) > 0 {
		wh := env.WebhookInstallOptions
		cp.WebhookAddr = net.JoinHostPort(wh.LocalServingHost, strconv.Itoa(wh.LocalServingPort))
		cp.WebhookCertDir = wh.LocalServingCertDir
	}
	cp.Kubeconfig = filepath.Join(cp.dir, "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, env.KubeConfig, 0o600); err != nil {
		_ = cp.Stop()
		return nil, fmt.Errorf("writing the admin kubeconfig: %w", err)
	}
	if o.controllerManager {
		cp.kcm, err = startControllerManager(assets, cp.Kubeconfig, env.ControlPlane.APIServer.CertDir, cp.dir)
		if err != nil {
			_ = cp.Stop()
			return nil, err
		}
	}
	return cp, nil
}

// UserConfig returns a client configuration that authenticates as user (a
// client certificate the API server trusts), in groups; the user has no
// rights until RBAC grants some.
func (c *ControlPlane) UserConfig(user string, groups ...string) (*rest.Config, error) {
	u, err := c.env.AddUser(envtest.User{Name: user, Groups: groups}, c.Config)
	if err != nil {
		return nil, fmt.Errorf("adding user %s: %w", user, err)
	}
	return u.Config(), nil
}

// KubectlPath returns the path of the kubectl binary built with the control plane.
func (c *ControlPlane) KubectlPath() string { return filepath.Join(c.AssetsDir, "kubectl") }

// Stop stops every process of the control plane and removes its files.
func (c *ControlPlane) Stop() error {
	var firstErr error
	if c.kcm != nil {
		if err := c.kcm.stop(); err != nil {
			firstErr = err
		}
	}
	if c.env != nil {
		if err := c.env.Stop(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("stopping kube-apiserver and etcd: %w", err)
		}
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
	return firstErr
}
