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
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/herald-dev/herald/internal/controller"
	"github.com/herald-dev/herald/internal/kube"
	"github.com/herald-dev/herald/internal/membership"
)

type controllerOptions struct {
	processOptions
	namespaces []string
	selector   string
	ha         haOptions
	admission  admissionOptions
}

// haOptions are the flags of several replicas sharing the work.
type haOptions struct {
	enabled       bool
	identity      string
	namespace     string
	group         string
	leaseDuration time.Duration
}

func (o *haOptions) addFlags(f *pflag.FlagSet) {
	host, _ := os.Hostname()
	f.BoolVar(&o.enabled, "ha", false, "share the work with the other replicas of --replica-group (Leases in --lease-namespace)")
	f.StringVar(&o.identity, "replica-id", envOr("POD_NAME", host), "this replica's name among the replicas (default $POD_NAME, else the host name)")
	f.StringVar(&o.namespace, "lease-namespace", envOr("POD_NAMESPACE", "herald-system"), "namespace of the replicas' Leases (default $POD_NAMESPACE, else herald-system)")
	f.StringVar(&o.group, "replica-group", membership.DefaultGroup, "name of the replicas that share the work")
	f.DurationVar(&o.leaseDuration, "lease-duration", membership.DefaultLeaseDuration, "how long a replica that stopped renewing its Lease keeps its work")
}

// config is the controller's HA setting; nil without --ha.
func (o *haOptions) config() *controller.HA {
	if !o.enabled {
		return nil
	}
	return &controller.HA{Namespace: o.namespace, Identity: o.identity, Group: o.group, LeaseDuration: o.leaseDuration}
}

// envOr is the environment variable key, or def when it is empty.
func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
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
or --bus-url.

With --ha, several replicas share the work: each holds a Lease in
--lease-namespace, and every EventSource and Sensor runs on one live replica
(webhook EventSources on every replica, behind one Service). A replica that
stops renewing its Lease hands its work over after --lease-duration; one that
stops cleanly hands it over at once. The replicas need one shared bus
(--bus-url, an EventBus with jetstreamExotic, or the clustered embedded bus).`,
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
	f.StringSliceVarP(&o.namespaces, "namespace", "n", nil, "watch only this namespace (repeatable; default: all)")
	f.StringVarP(&o.selector, "selector", "l", "", "watch only objects with matching labels, e.g. team=a,tier!=test")
	o.ha.addFlags(f)
	o.admission.addFlags(f)
	o.addFlags(f)
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
	cfg, err := o.engineConfig(log)
	if err != nil {
		return err
	}
	if cfg.Kube, err = kube.Config(kube.Options{Kubeconfig: o.kubeconfig, Context: o.kubeContext, QPS: o.kubeQPS, Burst: o.kubeBurst}); err != nil {
		return err
	}
	return runWithAdmission(ctx, o.admission, log, controller.Run, controller.Config{
		Engine:     cfg,
		Namespaces: o.namespaces,
		Selector:   sel,
		HA:         o.ha.config(),
	})
}
