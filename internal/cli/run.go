package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/herald-dev/herald/internal/bundle"
	"github.com/herald-dev/herald/internal/engine"
	_ "github.com/herald-dev/herald/internal/eventsource/all" // every event source kind
	"github.com/herald-dev/herald/internal/kube"
	"github.com/herald-dev/herald/internal/manifest"
	_ "github.com/herald-dev/herald/internal/trigger/all" // every trigger kind
)

type runOptions struct {
	processOptions
	files      []string
	strict     bool
	namespace  string
	secretsDir string
}

func newRunCommand() *cobra.Command {
	o := runOptions{}
	cmd := &cobra.Command{
		Use:   "run -f PATH...",
		Short: "Run EventSources and Sensors from manifests in this process",
		Long: `Run loads EventBus, EventSource and Sensor manifests (files or directories),
validates them all first — with the same messages as "herald lint"; nothing starts
if one is invalid — then runs every EventSource and every Sensor in this one process: sources
publish their events durably to the event bus, Sensors consume them at least
once and fire their triggers.

The event bus is NATS JetStream, embedded in this process by default with its
store under --data-dir; --bus-url (or an EventBus with jetstreamExotic.url)
connects to an existing JetStream server or cluster instead.

Kubernetes access comes from --kubeconfig, $KUBECONFIG, ~/.kube/config or the
in-cluster service account; manifests that need no cluster (webhook, calendar)
run without one.

SIGINT or SIGTERM stops the sources, drains in-flight publishes and closes the
bus.`,
		Example: `  herald run -f examples/auto-ingress/
  herald run -f webhook-es.yaml --metrics-addr 127.0.0.1:9090 --log-format json
  herald run -f manifests/ --bus-url nats://nats-0:4222,nats://nats-1:4222`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runRun(ctx, cmd.ErrOrStderr(), o)
		},
	}
	addRunFlags(cmd.Flags(), &o)
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func runRun(ctx context.Context, stderr io.Writer, o runOptions) error {
	log, err := o.log.logger(stderr)
	if err != nil {
		return err
	}
	// client-go reports watch and informer trouble through klog: send it to
	// the same structured log.
	klog.SetSlogLogger(log.With("component", "client-go"))
	b, diags, err := bundle.Load(o.files, bundle.Options{Strict: o.strict, UniqueNames: true})
	if err != nil {
		return err
	}
	for _, d := range diags {
		if d.Severity != manifest.Info {
			fmt.Fprintln(stderr, d.String())
		}
	}
	if diags.HasErrors() {
		fmt.Fprintln(stderr, "herald: the manifests have errors; nothing was started")
		return exitError{code: 1}
	}
	if len(b.EventSources()) == 0 && len(b.Sensors()) == 0 {
		return errors.New("no EventSource or Sensor in the given manifests")
	}
	kubeCfg, err := kubeConfig(o, b)
	if err != nil {
		return err
	}
	cfg, err := o.engineConfig(log)
	if err != nil {
		return err
	}
	cfg.Bundle, cfg.Kube, cfg.Namespace, cfg.SecretsDir = b, kubeCfg, o.namespace, o.secretsDir
	return engine.Run(ctx, cfg)
}

// kubeConfig finds the cluster; without one, only manifests that need no
// Kubernetes may run.
func kubeConfig(o runOptions, b *bundle.Bundle) (*rest.Config, error) {
	cfg, err := kube.Config(kube.Options{Kubeconfig: o.kubeconfig, Context: o.kubeContext, QPS: o.kubeQPS, Burst: o.kubeBurst})
	if err == nil {
		return cfg, nil
	}
	if !errors.Is(err, kube.ErrNoCluster) {
		return nil, err
	}
	for _, es := range b.EventSources() {
		if len(es.Spec.Resource) > 0 {
			return nil, fmt.Errorf("EventSource %s watches Kubernetes resources: %w", es.Name, err)
		}
	}
	return nil, nil
}

// defaultDataDir is where the embedded bus keeps its store by default.
const defaultDataDir = "./.herald/data"

// addRunFlags adds the flags of "herald run", which "herald dev" shares.
func addRunFlags(f *pflag.FlagSet, o *runOptions) {
	f.StringSliceVarP(&o.files, "file", "f", nil, "manifest files or directories (repeatable)")
	f.BoolVar(&o.strict, "strict", false, "treat unknown fields as errors")
	f.StringVarP(&o.namespace, "namespace", "n", "default", "namespace of objects whose manifest names none")
	f.StringVar(&o.secretsDir, "secrets-dir", "", "read Secret keys from files DIR/<secret>/<key> instead of the cluster (webhook tokens without Kubernetes)")
	o.addFlags(f)
}

// parseSize reads a size in bytes: a number, or a Kubernetes quantity
// (256Mi, 1G), with an optional trailing B (256MiB, 1GB).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if strings.HasSuffix(t, "iB") || (len(t) > 2 && strings.HasSuffix(t, "B") && strings.ContainsAny(t[len(t)-2:len(t)-1], "kKMGTPE")) {
		t = t[:len(t)-1]
	}
	q, err := resource.ParseQuantity(t)
	if err != nil {
		return 0, fmt.Errorf("size %q: want bytes, e.g. 256MiB or 1GB", s)
	}
	if q.Sign() < 0 {
		return 0, fmt.Errorf("size %q is negative", s)
	}
	return q.Value(), nil
}
