package cli

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/engine"
	"github.com/herald-dev/herald/internal/eventsource"
	"github.com/herald-dev/herald/internal/kube"
	"github.com/herald-dev/herald/internal/trigger"
)

// processOptions are the settings of a process that runs EventSources and
// Sensors, shared by herald run, herald dev and herald controller.
type processOptions struct {
	kubeconfig      string
	kubeContext     string
	dataDir         string
	busURLs         []string
	busListen       string
	busServerName   string
	busCluster      string
	busClusterAddr  string
	busPeers        []string
	busReplicas     int
	busSync         string
	metricsAddr     string
	webhookHost     string
	kubeQPS         float32
	kubeBurst       int
	shutdownTimeout time.Duration
	traces          bool
	traceMaxAge     time.Duration
	traceMaxBytes   string
	uiAddr          string
	uiToken         string
	log             logOptions
	pprof           bool
	readyFile       string
}

// addFlags registers the flags of o.
func (o *processOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
	f.StringVar(&o.kubeContext, "context", "", "kubeconfig context")
	f.StringVar(&o.dataDir, "data-dir", defaultDataDir, "folder of the embedded event bus's durable store")
	f.StringSliceVar(&o.busURLs, "bus-url", nil, "external NATS JetStream server URLs (comma-separated); overrides the embedded bus and EventBus objects")
	f.StringVar(&o.busListen, "bus-listen", "", "address the embedded bus listens on for other processes, e.g. 127.0.0.1:4222 (default: none)")
	f.StringVar(&o.busServerName, "bus-server-name", "", "the embedded bus server's name, unique among the cluster's replicas and stable across restarts (default: herald; clustered: $POD_NAME, else the host name)")
	f.StringVar(&o.busCluster, "bus-cluster-name", "", "name of the JetStream cluster the replicas' embedded buses form (default: herald)")
	f.StringVar(&o.busClusterAddr, "bus-cluster-listen", "", "address the embedded bus takes routes from the other replicas on, e.g. :6222 (empty host: all interfaces; default :6222 when --bus-cluster-peer is given, else not clustered)")
	f.StringSliceVar(&o.busPeers, "bus-cluster-peer", nil, "route of a replica's embedded bus, nats-route://host:port or host:port (repeatable or comma-separated; list every replica, this one included; DNS names are resolved on each connection)")
	f.StringVar(&o.busSync, "bus-sync", "", "how often the embedded bus flushes its file store to the disk: a duration, or always (before each event is acknowledged: events then survive a crash of the machine, not only of the process, at a cost in throughput) (default: an EventBus's settings sync_interval, else 2m)")
	f.IntVar(&o.busReplicas, "bus-replicas", 0, "copies of each stream and bucket on the bus (default: 3 with 3 or more cluster peers, 2 with 2, else 1)")
	f.StringVar(&o.metricsAddr, "metrics-addr", "127.0.0.1:9090", "address of /healthz, /readyz and /metrics (empty: off)")
	f.BoolVar(&o.pprof, "pprof", false, "also serve Go's /debug/pprof profiles on the metrics address (for diagnosis: they show the process's internals)")
	f.StringVar(&o.webhookHost, "webhook-host", "", "address webhook event sources bind to (default: all interfaces, as Argo)")
	f.Float32Var(&o.kubeQPS, "kube-qps", kube.DefaultQPS, "Kubernetes client queries per second")
	f.IntVar(&o.kubeBurst, "kube-burst", kube.DefaultBurst, "Kubernetes client burst")
	f.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long shutdown waits for in-flight publishes")
	f.BoolVar(&o.traces, "traces", true, "record every event's trace (--traces=false saves a few percent of the webhook-to-HTTP CPU with the embedded bus, about 13 % on a shared bus)")
	f.DurationVar(&o.traceMaxAge, "trace-max-age", engine.DefaultTraceMaxAge, "how long event traces are kept")
	f.StringVar(&o.traceMaxBytes, "trace-max-bytes", "64MiB", "how much room event traces take at most (e.g. 256MiB, 1GiB; on a shared bus its server also keeps an index of them in memory)")
	f.StringVar(&o.uiAddr, "ui-addr", "127.0.0.1:9092", "address of the web UI and the events API (empty: off)")
	f.StringVar(&o.readyFile, "ready-file", "", "once ready (what /readyz says), write the process id and a newline to this file, atomically (for supervisors and scripts; nothing is removed at exit)")
	f.StringVar(&o.uiToken, "ui-token", "", "bearer token the events API asks for (default: $HERALD_UI_TOKEN; empty: none)")
	o.log.addFlags(f)
}

// engineConfig is the runtime's configuration that o's flags set, with
// every kind of source and trigger of the binary.
// The caller sets Kube.
func (o *processOptions) engineConfig(log *slog.Logger) (engine.Config, error) {
	traceMaxBytes, err := parseSize(o.traceMaxBytes)
	if err != nil {
		return engine.Config{}, fmt.Errorf("--trace-max-bytes: %w", err)
	}
	if o.busReplicas < 0 || o.busReplicas > 5 {
		return engine.Config{}, fmt.Errorf("--bus-replicas: %d not in 1..5", o.busReplicas)
	}
	syncInterval, syncAlways, err := parseBusSync(o.busSync)
	if err != nil {
		return engine.Config{}, err
	}
	uiToken := o.uiToken
	if uiToken == "" {
		uiToken = os.Getenv("HERALD_UI_TOKEN")
	}
	return engine.Config{
		Sources:          eventsource.Default,
		Triggers:         trigger.Default,
		DataDir:          o.dataDir,
		BusURLs:          o.busURLs,
		BusListen:        o.busListen,
		BusServerName:    o.busServerName,
		BusClusterName:   o.busCluster,
		BusClusterListen: o.busClusterAddr,
		BusClusterPeers:  o.busPeers,
		BusReplicas:      o.busReplicas,
		BusSyncInterval:  syncInterval,
		BusSyncAlways:    syncAlways,
		WebhookHost:      o.webhookHost,
		MetricsAddr:      o.metricsAddr,
		Profiling:        o.pprof,
		ShutdownTimeout:  o.shutdownTimeout,
		Logger:           log,
		UIAddr:           o.uiAddr,
		UIToken:          uiToken,
		TraceMaxAge:      o.traceMaxAge,
		TraceMaxBytes:    traceMaxBytes,
		NoTraces:         !o.traces,
		OnReady:          onReady(o.readyFile, log),
	}, nil
}

// parseBusSync reads --bus-sync: "" (unset), "always", or a positive
// duration.
func parseBusSync(v string) (time.Duration, bool, error) {
	if v == "" {
		return 0, false, nil
	}
	d, always, ok := validation.ParseSync(v)
	if !ok {
		return 0, false, fmt.Errorf("--bus-sync: %q is not always or a positive duration such as 10s or 2m", v)
	}
	return d, always, nil
}
