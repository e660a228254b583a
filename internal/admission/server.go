// Package admission is Herald's validating admission webhook: it answers the
// API server's AdmissionReviews (admission.k8s.io/v1) for argoproj.io/v1alpha1
// EventSource, Sensor and EventBus objects with the verdict of "herald lint",
// so that `kubectl apply` of an object lint rejects fails at once, with
// lint's messages, instead of the object being stored and then reported
// invalid in its status.
//
// An object is decoded as lint decodes a manifest (wrong types are errors,
// unknown fields warnings) and validated with the same rules. Errors deny
// the request (HTTP 422, reason Invalid, one cause per field); warnings come
// back as admission warnings, which kubectl prints. DELETE is always
// allowed, and so is an UPDATE that leaves the spec unchanged, so that an
// object stored before the webhook existed can still be relabelled or
// deleted.
package admission

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/ops"
)

// ValidatePath is where AdmissionReviews are posted; the
// ValidatingWebhookConfiguration's clientConfig names it.
const ValidatePath = "/validate"

// ErrNoAddress: Serve needs an address to listen on.
var ErrNoAddress = errors.New("the admission webhook needs an address to listen on")

// Options configure the webhook server.
type Options struct {
	// Addr is the host:port to listen on, e.g. ":9443".
	Addr string
	// CertDir holds the serving certificate and key, tls.crt and tls.key,
	// loaded again when they change.
	CertDir string
	// Logger receives the logs (nil: none).
	Logger *slog.Logger
	// Support says which kinds this build runs (nil: DefaultSupport), as
	// for lint and the controller.
	Support *validation.Support
	// Registerer, when set, gets herald_admission_reviews_total.
	Registerer prometheus.Registerer
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Serve serves POST /validate and GET /healthz over HTTPS on o.Addr until
// ctx ends, then shuts down, giving reviews in flight five seconds. It
// returns at once when the certificate cannot be loaded or the address
// cannot be listened on.
func Serve(ctx context.Context, o Options) error {
	if o.Addr == "" {
		return ErrNoAddress
	}
	cert, err := loadCertificate(o.CertDir, o.logger())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listening for admission reviews on %s: %w", o.Addr, err)
	}
	return serve(ctx, ln, cert, o)
}

// serve serves on ln, with TLS from cert, until ctx ends.
func serve(ctx context.Context, ln net.Listener, cert *certificate, o Options) error {
	log := o.logger()
	tlsLn := tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: cert.get})
	srv := &http.Server{
		Handler:           newHandler(o),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// TLS handshake failures (a client that does not trust the CA) are
		// noise at the default level.
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	log.Info("serving admission reviews", "addr", ln.Addr().String(), "path", ValidatePath)
	return ops.ServeUntilDone(ctx, srv, tlsLn, "the admission webhook")
}

// newHandler routes POST /validate and GET /healthz.
func newHandler(o Options) http.Handler {
	support := validation.DefaultSupport()
	if o.Support != nil {
		support = *o.Support
	}
	mux := http.NewServeMux()
	mux.Handle("POST "+ValidatePath, &reviewer{support: support, log: o.logger(), metrics: newMetrics(o.Registerer)})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}
