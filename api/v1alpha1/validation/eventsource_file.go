package validation

import (
	"path/filepath"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// fileEventTypes are the operations a file event reports, written as Argo
// compares them.
var fileEventTypes = map[string]bool{"CREATE": true, "WRITE": true, "REMOVE": true, "RENAME": true, "CHMOD": true}

// validateFileSources checks each file event: its operation and the files
// it watches (Argo's checks); polling is not supported.
func validateFileSources(r *report, path *field.Path, sources map[string]v1alpha1.FileEventSource) {
	for _, name := range sortedKeys(sources) {
		c := sources[name]
		validateFileSource(r, path.Key(name), &c)
	}
}

func validateFileSource(r *report, path *field.Path, c *v1alpha1.FileEventSource) {
	switch {
	case c.EventType == "":
		r.add(required(path.Child("eventType"), "eventType is required (want CREATE, WRITE, REMOVE, RENAME or CHMOD)"))
	case !fileEventTypes[c.EventType]:
		r.add(invalid(path.Child("eventType"), c.EventType, "unknown eventType %q (want CREATE, WRITE, REMOVE, RENAME or CHMOD, in upper case)", c.EventType))
	}
	validateWatchPath(r, path.Child("watchPathConfig"), &c.WatchPathConfig)
	if c.Polling {
		r.add(unsupported(path.Child("polling"), "polling: Herald watches the directory through inotify; leave polling out"))
	}
	if c.Filter != nil {
		validateSourceFilter(r, path.Child("filter"), c.Filter)
	}
}

// validateWatchPath checks a directory and one way to select files in it,
// as Argo does.
func validateWatchPath(r *report, path *field.Path, w *v1alpha1.WatchPathConfig) {
	switch {
	case w.Directory == "":
		r.add(required(path.Child("directory"), "directory is required: the directory to watch, e.g. /data/in/"))
	case !filepath.IsAbs(w.Directory):
		r.add(invalid(path.Child("directory"), w.Directory, "directory must be an absolute path, e.g. /data/in/"))
	}
	if w.Path != "" && filepath.IsAbs(w.Path) {
		r.add(invalid(path.Child("path"), w.Path, "path must be relative to directory"))
	}
	switch {
	case w.Path == "" && w.PathRegexp == "":
		r.add(required(path, "path or pathRegexp is required: the files to report, relative to directory"))
	case w.Path != "" && w.PathRegexp != "":
		r.add(invalid(path.Child("pathRegexp"), w.PathRegexp, "path and pathRegexp are both set; set only one"))
	}
	if w.PathRegexp != "" {
		if err := checkRegex(w.PathRegexp); err != nil {
			r.add(invalid(path.Child("pathRegexp"), w.PathRegexp, "invalid regular expression: %v", err))
		}
	}
}
