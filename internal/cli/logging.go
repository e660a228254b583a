package cli

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/pflag"
)

// logOptions are the flags that shape Herald's structured logs.
type logOptions struct {
	format string
	level  string
}

func (o *logOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.format, "log-format", "text", "log format: text or json")
	fs.StringVar(&o.level, "log-level", "info", "log level: debug, info, warn or error")
}

// logger builds the process's logger; every component gets it passed in.
func (o *logOptions) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(o.level))); err != nil {
		return nil, fmt.Errorf("unknown --log-level %q (want debug, info, warn or error)", o.level)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch o.format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("unknown --log-format %q (want text or json)", o.format)
	}
}
