// Package cli holds Herald's command-line interface: one file per command.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries a process exit code out of a command without printing
// anything more: the command has already told the user what went wrong.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Execute runs the herald command line with os.Args and returns the exit code.
func Execute() int {
	return run(os.Args[1:], os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCommand(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintln(stderr, "herald:", err)
	return 2
}

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "herald",
		Short: "Event-driven automation for Kubernetes that runs Argo Events manifests",
		Long: `Herald reads argoproj.io/v1alpha1 EventSource, Sensor and EventBus manifests
unchanged and runs them in one process: sources publish CloudEvents onto a NATS
JetStream bus, Sensors filter and transform them and fire triggers, at least once.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(
		newVersionCommand(),
		newLintCommand(),
		newRunCommand(),
		newDevCommand(),
		newDryRunCommand(),
		newTestCommand(),
		newEventsCommand(),
		newControllerCommand(),
	)
	return root
}
