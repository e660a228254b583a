package cli

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/herald-dev/herald/internal/admission"
	"github.com/herald-dev/herald/internal/controller"
)

// admissionOptions turn on the validating admission webhook of `herald
// controller` (docs/admission.md).
type admissionOptions struct {
	addr    string
	certDir string
}

func (o *admissionOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.addr, "admission-addr", "", `serve the validating admission webhook (HTTPS, POST /validate) on this address, e.g. ":9443" (empty: off)`)
	f.StringVar(&o.certDir, "admission-cert-dir", "", "folder holding the webhook's serving certificate, tls.crt and tls.key (reloaded when they change)")
}

// runWithAdmission runs the controller and, when --admission-addr is set,
// the admission webhook beside it. Either one stopping with an error stops
// the other; the controller's error comes first.
func runWithAdmission(ctx context.Context, o admissionOptions, log *slog.Logger,
	run func(context.Context, controller.Config) error, cfg controller.Config,
) error {
	if o.addr == "" {
		if o.certDir != "" {
			return errors.New("--admission-cert-dir needs --admission-addr")
		}
		return run(ctx, cfg)
	}
	if o.certDir == "" {
		return errors.New("--admission-addr needs --admission-cert-dir")
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Engine.Registry == nil {
		// One registry, so that /metrics serves the webhook's counts too.
		cfg.Engine.Registry = prometheus.NewRegistry()
	}
	webhookErr := make(chan error, 1)
	go func() {
		err := admission.Serve(ctx, admission.Options{
			Addr: o.addr, CertDir: o.certDir, Support: cfg.Support,
			Logger: log.With("component", "admission"), Registerer: cfg.Engine.Registry,
		})
		if err != nil {
			cancel()
		}
		webhookErr <- err
	}()
	err := run(ctx, cfg)
	cancel()
	if werr := <-webhookErr; err == nil {
		err = werr
	}
	return err
}
