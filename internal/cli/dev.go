package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/herald-dev/herald/internal/devcluster"
	"github.com/herald-dev/herald/internal/testenv"
)

type devOptions struct {
	run    runOptions
	dir    string
	assets string
}

func newDevCommand() *cobra.Command {
	o := devOptions{}
	cmd := &cobra.Command{
		Use:   "dev -f PATH...",
		Short: "Run manifests against a local, throw-away Kubernetes control plane",
		Long: `Dev starts a local control plane — a real kube-apiserver, etcd and
kube-controller-manager — applies the plain Kubernetes documents of the given
manifests that Sensors and sources need (Namespaces, ServiceAccounts, RBAC,
ConfigMaps, Secrets, CRDs), then runs the EventSources and Sensors as "herald
run" does, with the embedded event bus.

It prints a kubeconfig and a ready kubectl command so you can create, change
and delete objects and watch Herald react. Ctrl-C stops Herald and the control
plane; nothing is left running. Each start is a fresh cluster and a fresh bus.

The control plane binaries come from --assets or $KUBEBUILDER_ASSETS; inside a
clone of Herald's repository they are built by tools/controlplane/build.sh
(once; later runs reuse them).`,
		Example: `  herald dev -f examples/auto-ingress/
  herald dev -f my-manifests/ --assets ~/.cache/herald-tools/k8s-v1.37.2-...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runDev(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	addRunFlags(f, &o.run)
	f.StringVar(&o.dir, "dir", "./.herald/dev", "folder for the kubeconfig and the bus's store (emptied at start)")
	f.StringVar(&o.assets, "assets", "", "folder holding kube-apiserver, etcd, kubectl and kube-controller-manager (default: $KUBEBUILDER_ASSETS)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func runDev(ctx context.Context, stdout, stderr io.Writer, o devOptions) error {
	if o.assets != "" {
		if err := os.Setenv("KUBEBUILDER_ASSETS", o.assets); err != nil {
			return fmt.Errorf("setting KUBEBUILDER_ASSETS: %w", err)
		}
	}
	docs, err := devcluster.ReadSetup(o.run.files)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(o.dir); err != nil {
		return fmt.Errorf("emptying %s: %w", o.dir, err)
	}
	if err := os.MkdirAll(o.dir, 0o750); err != nil {
		return fmt.Errorf("creating %s: %w", o.dir, err)
	}
	fmt.Fprintln(stderr, "herald dev: starting a local control plane (kube-apiserver, etcd, kube-controller-manager)...")
	cp, err := testenv.StartControlPlane(testenv.WithControllerManager(), testenv.WithoutCRDs())
	if err != nil {
		return fmt.Errorf("starting the local control plane: %w", err)
	}
	defer func() {
		fmt.Fprintln(stderr, "herald dev: stopping the local control plane")
		if err := cp.Stop(); err != nil {
			fmt.Fprintln(stderr, "herald dev:", err)
		}
	}()
	kubeconfig, err := filepath.Abs(filepath.Join(o.dir, "kubeconfig"))
	if err != nil {
		return fmt.Errorf("locating the kubeconfig: %w", err)
	}
	data, err := os.ReadFile(cp.Kubeconfig)
	if err != nil {
		return fmt.Errorf("reading the control plane's kubeconfig: %w", err)
	}
	if err := os.WriteFile(kubeconfig, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", kubeconfig, err)
	}
	if err := devcluster.Apply(ctx, cp.Config, docs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
herald dev: a local Kubernetes is up and Herald is starting.
  kubeconfig: %[1]s
  kubectl:    %[2]s --kubeconfig %[1]s
  applied:    %[3]d setup objects (namespaces, RBAC, ...) from the manifests
  web UI:     %[4]s
Stop with Ctrl-C; it leaves nothing running.

`, kubeconfig, cp.KubectlPath(), len(docs), uiURL(o.run.uiAddr))
	o.run.kubeconfig = kubeconfig
	o.run.kubeContext = ""
	if o.run.dataDir == defaultDataDir {
		o.run.dataDir = filepath.Join(o.dir, "data")
	}
	return runRun(ctx, stderr, o.run)
}

// uiURL is where the web UI is served, or says it is off.
func uiURL(addr string) string {
	if addr == "" {
		return "off (--ui-addr \"\")"
	}
	return "http://" + addr + "/"
}
