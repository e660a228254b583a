package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/herald-dev/herald/internal/controller"
	"github.com/herald-dev/herald/internal/engine"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/kube"
	"github.com/herald-dev/herald/internal/trigger"
)

type controllerOptions struct {
	kubeconfig      string
	kubeContext     string
	namespaces      []string
	selector        string
	dataDir         string
	busURLs         []string
	busListen       string
	metricsAddr     string
	webhookHost     string
	kubeQPS         float32
	kubeBurst       int
	shutdownTimeout time.Duration
	traces          bool
	traceMaxAge     time.Duration
	traceMaxBytes   string
	log             logOptions
}

func newControllerCommand() *cobra.Command {
	o := controllerOptions{}
	cmd := &cobra.Command{
		Use:   "controller",
		Short: "Run the EventSources and Sensors of a cluster in this process",
		Long: `Controller watches EventSource, Sensor and EventBus objects (argoproj.io/v1alpha1)
in every namespace, in the --namespace list, or those matching --selector, and runs
every valid EventSource and Sensor in this one process, as "herald run" does
with files. Adding, changing or deleting an object starts, restarts or stops it;
an object whose spec did not change keeps running.

Each object is checked as "herald lint" checks it: an invalid one is not run, and
its status conditions say why. Status conditions are Argo's (SourcesProvided,
DependenciesProvided, TriggersProvided, Deployed) plus Herald's Running.

The event bus is NATS JetStream embedded in this process (store under
--data-dir), or the server an EventBus's jetstreamExotic names (read at start),
or --bus-url.`,
		Example: `  herald controller --kubeconfig ~/.kube/config
  herald controller --namespace team-a --namespace team-b --metrics-addr :9090
  herald controller --selector herald.dev/managed=true --bus-url nats://nats:4222`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runController(ctx, cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringVar(&o.kubeContext, "context", "", "kubeconfig context")
	f.StringSliceVarP(&o.namespaces, "namespace", "n", nil, "watch only this namespace (repeatable; default: all)")
	f.StringVarP(&o.selector, "selector", "l", "", "watch only objects with matching labels, e.g. team=a,tier!=test")
	f.StringVar(&o.dataDir, "data-dir", defaultDataDir, "folder of the embedded event bus's durable store")
	f.StringSliceVar(&o.busURLs, "bus-url", nil, "external NATS JetStream server URLs (comma-separated); overrides the embedded bus and EventBus objects")
	f.StringVar(&o.busListen, "bus-listen", "", "address the embedded bus listens on for other processes (default: none)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:9090", "address of /healthz, /readyz and /metrics (empty: off)")
	f.StringVar(&o.webhookHost, "webhook-host", "", "address webhook event sources bind to (default: all interfaces)")
	f.Float32Var(&o.kubeQPS, "kube-qps", kube.DefaultQPS, "Kubernetes client queries per second")
	f.IntVar(&o.kubeBurst, "kube-burst", kube.DefaultBurst, "Kubernetes client burst")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long shutdown waits for in-flight publishes")
	f.BoolVar(&o.traces, "traces", true, "record every event's trace")
	f.DurationVar(&o.traceMaxAge, "trace-max-age", engine.DefaultTraceMaxAge, "how long event traces are kept")
	f.StringVar(&o.traceMaxBytes, "trace-max-bytes", "256MiB", "how much room event traces take at most (e.g. 256MiB, 1GiB)")
	o.log.addFlags(f)
	return cmd
}

func runController(ctx context.Context, stderr io.Writer, o controllerOptions) error {
	log, err := o.log.logger(stderr)
	if err != nil {
		return err
	}
	klog.SetSlogLogger(log.With("component", "client-go"))
	ctrllog.SetLogger(logr.FromSlogHandler(log.With("component", "controller-runtime").Handler()))
	var sel labels.Selector
	if o.selector != "" {
		if sel, err = labels.Parse(o.selector); err != nil {
			return fmt.Errorf("--selector: %w", err)
		}
	}
	traceMaxBytes, err := parseSize(o.traceMaxBytes)
	if err != nil {
		return fmt.Errorf("--trace-max-bytes: %w", err)
	}
	kubeCfg, err := kube.Config(kube.Options{Kubeconfig: o.kubeconfig, Context: o.kubeContext, QPS: o.kubeQPS, Burst: o.kubeBurst})
	if err != nil {
		return err
	}
	return controller.Run(ctx, controller.Config{
		Engine: engine.Config{
			Sources:         eventsource.Default,
			Triggers:        trigger.Default,
			DataDir:         o.dataDir,
			BusURLs:         o.busURLs,
			BusListen:       o.busListen,
			Kube:            kubeCfg,
			WebhookHost:     o.webhookHost,
			MetricsAddr:     o.metricsAddr,
			ShutdownTimeout: o.shutdownTimeout,
			Logger:          log,
			TraceMaxAge:     o.traceMaxAge,
			TraceMaxBytes:   traceMaxBytes,
			NoTraces:        !o.traces,
		},
		Namespaces: o.namespaces,
		Selector:   sel,
	})
}
