// Command refdocs writes the reference pages under docs/reference from the
// registries of event source and trigger kinds (each kind's Doc), the list of
// what this build supports (validation.DefaultSupport) and the doc comments
// of the manifest types in api/v1alpha1.
//
//	go run ./hack/refdocs            # rewrite docs/reference
//	go run ./hack/refdocs -check     # exit 1 when a page is stale
//
// It is a build-time tool rather than a herald subcommand: it reads the Go
// source of api/v1alpha1, which a released binary does not carry.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/eventsource"
	_ "github.com/herald-dev/herald/internal/eventsource/all"
	"github.com/herald-dev/herald/internal/trigger"
	_ "github.com/herald-dev/herald/internal/trigger/all"
)

func main() {
	out := flag.String("out", "docs/reference", "folder the pages are written to")
	api := flag.String("api", "api/v1alpha1", "folder of the manifest Go types")
	check := flag.Bool("check", false, "only compare the pages with those in -out; exit 1 when they differ")
	flag.Parse()
	pages, err := generate(*api)
	if err == nil {
		if *check {
			err = compare(*out, pages)
		} else {
			err = write(*out, pages)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "refdocs:", err)
		os.Exit(1)
	}
}

// generate renders every page, by file name.
func generate(apiDir string) (map[string][]byte, error) {
	docs, err := readAPIDocs(apiDir)
	if err != nil {
		return nil, err
	}
	g := &generator{docs: docs, support: validation.DefaultSupport()}
	if g.sources, err = kinds("event source", g.support.EventSources, eventsource.Default.Names(), func(n string) string {
		k, _ := eventsource.Default.Lookup(n)
		return k.Doc
	}); err != nil {
		return nil, err
	}
	if g.trigs, err = kinds("trigger", g.support.Triggers, trigger.Default.Names(), func(n string) string {
		k, _ := trigger.Default.Lookup(n)
		return k.Doc
	}); err != nil {
		return nil, err
	}
	sources, triggers := g.sourcesPage(), g.triggersPage()
	pages := map[string][]byte{"README.md": g.index(sources, triggers)}
	for _, p := range []pageSpec{sources, triggers} {
		b, err := g.render(p)
		if err != nil {
			return nil, err
		}
		pages[p.file] = append(b, '\n')
	}
	return pages, nil
}

// kinds pairs the registered kinds with their Doc, after checking that the
// registry and the validator's list of supported kinds agree: a kind that
// runs but that lint rejects (or the reverse) is a bug the docs would hide.
func kinds(what string, supported map[string]bool, registered []string, doc func(string) string) ([]kindDoc, error) {
	want := slices.Sorted(maps.Keys(supported))
	if !slices.Equal(want, registered) {
		return nil, fmt.Errorf("%s kinds registered (%v) differ from those validation.DefaultSupport accepts (%v)", what, registered, want)
	}
	out := make([]kindDoc, len(registered))
	for i, n := range registered {
		d := doc(n)
		if d == "" {
			return nil, fmt.Errorf("%s kind %s has no Doc", what, n)
		}
		out[i] = kindDoc{name: n, doc: d}
	}
	return out, nil
}

func write(dir string, pages map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		if err := os.WriteFile(filepath.Join(dir, name), pages[name], 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// errStale is returned by compare when a page differs from what is committed.
var errStale = errors.New("the reference pages are stale: run 'make docs' and commit the result")

func compare(dir string, pages map[string][]byte) error {
	stale := false
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		path := filepath.Join(dir, name)
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, pages[name]) {
			fmt.Fprintln(os.Stderr, "stale:", path)
			stale = true
		}
	}
	if stale {
		return errStale
	}
	return nil
}
