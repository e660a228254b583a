// Package file is the "file" event source kind: it watches a directory
// (through inotify, with fsnotify) and publishes an event for each change
// of the chosen type to a file whose path matches, as Argo Events' file
// source does.
//
// The event data has Argo's shape: {"name": "<path of the file>", "op":
// <operation>, "metadata": {...}}, where name is the directory as written in
// the manifest joined with the file's name, and op is Argo's number of the
// operation: 1 CREATE, 2 WRITE, 4 REMOVE, 8 RENAME, 16 CHMOD.
//
// Paths are matched relative to the directory: watchPathConfig.path exactly,
// pathRegexp as a regular expression (Go syntax, unanchored, as in Argo).
// Only the directory itself is watched, not its subdirectories. Polling is
// not supported: validation reports it, and New refuses it.
//
// A change the bus cannot take is kept and published again, with backoff,
// until it goes through, holding up the changes behind it (the kernel queues
// them meanwhile, and reports an overflow when its queue is full, which the
// source logs). A file system offers nothing to redeliver from: changes made
// while the source is stopped are not seen.
package file

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/fsnotify/fsnotify"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/eventsource"
)

// KindName is the kind's key under spec in an EventSource.
const KindName = "file"

// Kind is the file kind, registered in eventsource.Default.
var Kind = eventsource.Kind{
	Name:    KindName,
	Configs: func(spec *v1alpha1.EventSourceSpec) map[string]any { return eventsource.ConfigsOf(spec.File) },
	New: func(env eventsource.Env, spec eventsource.Spec) (eventsource.Source, error) {
		return New(env, spec)
	},
	Doc: "Watches a directory and publishes an event for each change of one type to a matching file.\n\n" +
		"`eventType` is one of `CREATE`, `WRITE`, `REMOVE`, `RENAME`, `CHMOD`; `watchPathConfig.directory` is the directory, and " +
		"`path` (exact) or `pathRegexp` (a Go regular expression) selects files by their path relative to it. Subdirectories are " +
		"not watched. The event data has Argo's shape, `{\"name\": \"<directory>/<file>\", \"op\": 1, \"metadata\": {...}}`, `op` " +
		"being Argo's number of the operation (1 CREATE, 2 WRITE, 4 REMOVE, 8 RENAME, 16 CHMOD).\n\n" +
		"Differences from Argo Events: `polling` is not supported. Paths are matched relative to the directory whether or not it is " +
		"written with a trailing slash. A change the bus cannot take is published again until it goes through (Argo drops it). " +
		"Changes made while the source is stopped are not seen, as in Argo.",
}

func init() { eventsource.Default.Register(Kind) }

// ops maps Argo's eventType names to fsnotify operations; the numbers of
// Argo's payload are the same bits.
var ops = map[string]fsnotify.Op{
	"CREATE": fsnotify.Create,
	"WRITE":  fsnotify.Write,
	"REMOVE": fsnotify.Remove,
	"RENAME": fsnotify.Rename,
	"CHMOD":  fsnotify.Chmod,
}

// Option tunes a file source.
type Option func(*source)

// WithReady has the source call ready once it watches the directory.
func WithReady(ready func()) Option {
	return func(s *source) { s.ready = ready }
}

// source watches one directory for one event.
type source struct {
	env   eventsource.Env
	spec  eventsource.Spec
	cfg   *v1alpha1.FileEventSource
	op    fsnotify.Op
	dir   string // cleaned directory
	re    *regexp.Regexp
	ready func()
}

var _ eventsource.Source = (*source)(nil)

// New builds the file source of one event; spec.Config is a
// *v1alpha1.FileEventSource (or the value).
func New(env eventsource.Env, spec eventsource.Spec, opts ...Option) (eventsource.Source, error) {
	cfg, err := eventsource.ConfigAs[v1alpha1.FileEventSource](spec)
	if err != nil {
		return nil, fmt.Errorf("building file %s: %w", spec.Name, err)
	}
	s, err := parse(cfg)
	if err != nil {
		return nil, fmt.Errorf("building file %s: %w", spec.Name, err)
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	s.env, s.spec, s.ready = env, spec, func() {}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// parse checks a configuration as validation does.
func parse(cfg *v1alpha1.FileEventSource) (*source, error) {
	op, ok := ops[cfg.EventType]
	if !ok {
		return nil, fmt.Errorf("eventType %q is not one of CREATE, WRITE, REMOVE, RENAME, CHMOD", cfg.EventType)
	}
	w := cfg.WatchPathConfig
	switch {
	case cfg.Polling:
		return nil, errors.New("polling is not supported")
	case w.Directory == "":
		return nil, errors.New("watchPathConfig.directory is not set")
	case w.Path == "" && w.PathRegexp == "":
		return nil, errors.New("watchPathConfig needs path or pathRegexp")
	}
	s := &source{cfg: cfg, op: op, dir: filepath.Clean(w.Directory)}
	if w.PathRegexp != "" {
		re, err := regexp.Compile(w.PathRegexp)
		if err != nil {
			return nil, fmt.Errorf("compiling watchPathConfig.pathRegexp: %w", err)
		}
		s.re = re
	}
	return s, nil
}

// Start watches the directory and publishes matching changes until ctx
// ends. A directory that does not exist (yet) is an error: the runner
// starts the source again later.
func (s *source) Start(ctx context.Context, emit eventsource.Emit) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching %s: %w", s.dir, err)
	}
	defer func() {
		if err := w.Close(); err != nil {
			s.env.Logger.Debug("closing the file watcher failed", "error", err)
		}
	}()
	if err := w.Add(s.dir); err != nil {
		return fmt.Errorf("watching %s: %w", s.dir, err)
	}
	s.env.Logger.Info("file source watching", "directory", s.dir, "op", s.cfg.EventType)
	s.ready()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return fmt.Errorf("watching %s: the watcher stopped", s.dir)
			}
			if !s.matches(ev) {
				continue
			}
			if err := s.publish(ctx, emit, ev); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.env.Logger.Error("file event dropped", "name", ev.Name, "error", err)
			}
		case err, ok := <-w.Errors:
			switch {
			case !ok:
				return fmt.Errorf("watching %s: the watcher stopped", s.dir)
			case errors.Is(err, fsnotify.ErrEventOverflow):
				s.env.Logger.Warn("file changes lost: the kernel's event queue overflowed", "directory", s.dir)
			default:
				return fmt.Errorf("watching %s: %w", s.dir, err)
			}
		}
	}
}

// matches reports whether a change has the source's operation and a path
// (relative to the directory) it selects.
func (s *source) matches(ev fsnotify.Event) bool {
	if !ev.Has(s.op) {
		return false
	}
	rel, err := filepath.Rel(s.dir, filepath.Clean(ev.Name))
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return false
	}
	w := s.cfg.WatchPathConfig
	if w.Path != "" && filepath.Clean(w.Path) == rel {
		return true
	}
	return s.re != nil && s.re.MatchString(rel)
}
