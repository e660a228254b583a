package cli

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/controller"
)

func TestRunWithAdmission(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	errRun := errors.New("controller failed")
	cases := []struct {
		name    string
		opts    admissionOptions
		runErr  error
		ran     bool
		wantErr string
	}{
		{name: "off", ran: true},
		{name: "off, controller error", runErr: errRun, ran: true, wantErr: "controller failed"},
		{name: "cert dir alone", opts: admissionOptions{certDir: "/x"}, wantErr: "--admission-cert-dir needs --admission-addr"},
		{name: "addr alone", opts: admissionOptions{addr: ":0"}, wantErr: "--admission-addr needs --admission-cert-dir"},
		// The webhook cannot start: the controller is stopped and the
		// webhook's error returned.
		{name: "no certificate", opts: admissionOptions{addr: "127.0.0.1:0", certDir: t.TempDir()}, ran: true, wantErr: "reading the admission certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran := false
			run := func(ctx context.Context, _ controller.Config) error {
				ran = true
				if c.opts.addr != "" {
					<-ctx.Done() // stopped by the webhook's failure
				}
				return c.runErr
			}
			err := runWithAdmission(t.Context(), c.opts, log, run, controller.Config{})
			require.Equal(t, c.ran, ran)
			if c.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, c.wantErr)
		})
	}
}
