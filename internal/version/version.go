// Package version reports which Herald build is running.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// These are set at link time by the Makefile (-ldflags -X).
var (
	// Version is the release version, e.g. v0.1.0, or "dev" for an untagged build.
	Version = "dev"
	// Commit is the git commit the binary was built from.
	Commit = ""
)

// Info describes the running binary.
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"goVersion"`
	Platform  string `json:"platform"`
}

// Get returns the build information, falling back to what the Go toolchain
// recorded when no link-time values were given.
func Get() Info {
	info := Info{Version: Version, Commit: Commit, GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info.Commit == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					info.Commit = s.Value
				}
			}
		}
	}
	return info
}

// String renders the information on one line.
func (i Info) String() string {
	s := "herald " + i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c + ")"
	}
	return fmt.Sprintf("%s %s %s", s, i.GoVersion, i.Platform)
}
