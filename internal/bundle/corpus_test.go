package bundle

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	goldenfile "github.com/herald-dev/herald/internal/golden"
	"github.com/herald-dev/herald/internal/manifest"
)

// corpusGolden records the status of every file of the Argo compatibility
// corpus, one "path status" line per file.
const corpusGolden = "testdata/corpus.golden"

// sharedDirEnv names a shared/ folder to use instead of searching for one.
const sharedDirEnv = "HERALD_SHARED_DIR"

// sharedDir returns the project's shared/ folder: $HERALD_SHARED_DIR when
// set, else the first shared/ found walking up from the test's directory
// (CI clones the repository with shared/ beside the clone). The corpus is
// part of the test suite, so its absence fails the test.
func sharedDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv(sharedDirEnv); dir != "" {
		st, err := os.Stat(dir)
		require.NoError(t, err, "$%s", sharedDirEnv)
		require.True(t, st.IsDir(), "$%s=%s is not a folder", sharedDirEnv, dir)
		return dir
	}
	start, err := os.Getwd()
	require.NoError(t, err)
	for dir := start; ; {
		candidate := filepath.Join(dir, "shared")
		if st, err := os.Stat(filepath.Join(candidate, "argo-compat")); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no shared/argo-compat folder above %s: put shared/ beside the clone or set $%s", start, sharedDirEnv)
		}
		dir = parent
	}
}

// corpusEntry is one file described by the corpus's index.json.
type corpusEntry struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Types    []string `json:"types"`
	Features []string `json:"features"`
}

func (e corpusEntry) hasFeature(f string) bool { return slices.Contains(e.Features, f) }

// readCorpusIndex reads index.json from the corpus root.
func readCorpusIndex(t *testing.T, root string) []corpusEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "index.json"))
	require.NoError(t, err)
	var entries []corpusEntry
	require.NoError(t, json.Unmarshal(data, &entries))
	return entries
}

// corpusFiles lists the YAML manifests under root, relative to it, sorted.
// index.json and the licence are metadata, not manifests.
func corpusFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(path); ext == ".yaml" || ext == ".yml" {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	slices.Sort(files)
	return files
}

// fileReport is what a load found about one corpus file.
type fileReport struct {
	status  Status
	reasons []string // the unsupported and invalid errors, as "path: message"
	diags   manifest.Diagnostics
}

// rank orders statuses from best to worst.
var rank = map[Status]int{Clean: 0, Warned: 1, Unsupported: 2, Invalid: 3}

// supported reports whether a status means the file runs.
func supported(s Status) bool { return s == Clean || s == Warned }

// reportFiles gives each file the worst status of its objects and
// diagnostics. Notes (skipped foreign kinds) leave a file clean.
func reportFiles(files []string, b *Bundle, diags manifest.Diagnostics) map[string]*fileReport {
	out := map[string]*fileReport{}
	for _, f := range files {
		out[f] = &fileReport{status: Clean}
	}
	raise := func(r *fileReport, s Status) {
		if rank[s] > rank[r.status] {
			r.status = s
		}
	}
	for _, o := range b.Objects {
		raise(out[filepath.ToSlash(o.File)], o.Status)
	}
	for _, d := range diags {
		r := out[filepath.ToSlash(d.File)]
		r.diags = append(r.diags, d)
		switch {
		case d.Severity == manifest.Error && strings.HasPrefix(d.Message, validation.UnsupportedPrefix):
			raise(r, Unsupported)
			r.reasons = append(r.reasons, d.Path+": "+d.Message)
		case d.Severity == manifest.Error:
			raise(r, Invalid)
			r.reasons = append(r.reasons, d.Path+": "+d.Message)
		case d.Severity == manifest.Warning:
			raise(r, Warned)
		}
	}
	return out
}

// loadCorpus loads every manifest of the corpus in one load, as `herald
// lint` of the folder would, with file names relative to the corpus root.
func loadCorpus(t *testing.T, root string, files []string, opts Options) (*Bundle, manifest.Diagnostics) {
	t.Helper()
	t.Chdir(root)
	b, diags, err := Load(files, opts)
	require.NoError(t, err)
	return b, diags
}

// TestArgoCorpus loads every manifest of Argo Events' compatibility corpus
// (shared/argo-compat). Argo accepts all of them, so each must decode and
// validate, with warnings where INDEX.md lists quirks, or fail only with
// "unsupported:" errors. The status of every file is compared with
// testdata/corpus.golden (refreshed with -update): the number of files that
// run may only go up, and an improvement must be recorded.
func TestArgoCorpus(t *testing.T) {
	golden, err := filepath.Abs(corpusGolden)
	require.NoError(t, err)
	root := filepath.Join(sharedDir(t), "argo-compat")
	index := readCorpusIndex(t, root)
	files := corpusFiles(t, root)
	indexed := make([]string, 0, len(index))
	for _, e := range index {
		indexed = append(indexed, e.Path)
	}
	slices.Sort(indexed)
	require.Equal(t, indexed, files, "index.json and the YAML files of the corpus disagree")

	b, diags := loadCorpus(t, root, files, Options{})
	reports := reportFiles(files, b, diags)
	t.Log("\n" + corpusTable(files, reports))

	// No decoding error: every indexed object loads, and every error left is
	// an unsupported feature.
	for _, e := range index {
		loaded := slices.ContainsFunc(b.Objects, func(o Object) bool {
			return filepath.ToSlash(o.File) == e.Path && o.Kind == e.Kind
		})
		if !loaded {
			t.Errorf("%s: the %s did not load:\n%s", e.Path, e.Kind, reports[e.Path].diags)
		}
	}
	require.Len(t, b.Objects, len(index), "one object per corpus file")
	for _, f := range files {
		if r := reports[f]; r.status == Invalid {
			t.Errorf("%s is invalid, but Argo Events accepts it:\n%s", f, r.diags.Errors())
		}
	}

	// Quirks Argo ignores are accepted with a warning about the key.
	for _, e := range index {
		if !e.hasFeature("quirk:unknown-field") && !e.hasFeature("quirk:case-mismatch") {
			continue
		}
		found := slices.ContainsFunc(reports[e.Path].diags, func(d manifest.Diagnostic) bool {
			return d.Severity == manifest.Warning && strings.Contains(d.Message, "unknown field")
		})
		if !found {
			t.Errorf("%s has a quirk (%v) but no unknown-field warning", e.Path, e.Features)
		}
	}

	if goldenfile.Update() {
		require.NoError(t, os.WriteFile(golden, []byte(renderCorpusGolden(files, reports)), 0o644))
		return
	}
	want := readCorpusGolden(t, golden)
	compareCorpus(t, files, reports, want)
}

// TestArgoCorpusStrict loads the corpus with Strict: only the files INDEX.md
// flags with unknown fields or case mismatches fail to decode.
func TestArgoCorpusStrict(t *testing.T) {
	root := filepath.Join(sharedDir(t), "argo-compat")
	index := readCorpusIndex(t, root)
	files := corpusFiles(t, root)
	b, diags := loadCorpus(t, root, files, Options{Strict: true})
	reports := reportFiles(files, b, diags)
	var quirky, invalid []string
	for _, e := range index {
		if e.hasFeature("quirk:unknown-field") || e.hasFeature("quirk:case-mismatch") {
			quirky = append(quirky, e.Path)
		}
		if reports[e.Path].status == Invalid {
			invalid = append(invalid, e.Path)
		}
	}
	slices.Sort(quirky)
	slices.Sort(invalid)
	require.NotEmpty(t, quirky)
	require.Equal(t, quirky, invalid)
}

// corpusTable renders the status of each file and the totals.
func corpusTable(files []string, reports map[string]*fileReport) string {
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 0, 2, ' ', 0)
	counts := map[Status]int{}
	for _, f := range files {
		r := reports[f]
		counts[r.status]++
		status := string(r.status)
		if len(r.reasons) > 0 {
			status += ": " + strings.Join(r.reasons, "; ")
		}
		fmt.Fprintf(w, "%s\t%s\n", f, status)
	}
	_ = w.Flush()
	fmt.Fprintf(&sb, "total %d: %d clean, %d with warnings, %d unsupported, %d invalid (%d run)\n",
		len(files), counts[Clean], counts[Warned], counts[Unsupported], counts[Invalid], counts[Clean]+counts[Warned])
	return sb.String()
}

// renderCorpusGolden writes the golden list: a comment, then "path status"
// per file.
func renderCorpusGolden(files []string, reports map[string]*fileReport) string {
	var sb strings.Builder
	sb.WriteString("# Status of each file of shared/argo-compat when loaded by Herald.\n")
	sb.WriteString("# Regenerate with: go test ./internal/bundle/ -run TestArgoCorpus -update\n")
	for _, f := range files {
		fmt.Fprintf(&sb, "%s %s\n", f, reports[f].status)
	}
	return sb.String()
}

// readCorpusGolden reads the golden list into path → status.
func readCorpusGolden(t *testing.T, path string) map[string]Status {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./internal/bundle/ -run TestArgoCorpus -update to create %s", corpusGolden)
	out := map[string]Status{}
	for i, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		file, status, ok := strings.Cut(line, " ")
		_, known := rank[Status(status)]
		require.True(t, ok && known, "%s:%d: want \"path status\", got %q", corpusGolden, i+1, line)
		out[file] = Status(status)
	}
	return out
}

// compareCorpus checks the statuses against the golden list. A file that
// ran and no longer runs is a regression; any other change, an improvement
// included, must be recorded with -update so that the list stays true.
func compareCorpus(t *testing.T, files []string, reports map[string]*fileReport, want map[string]Status) {
	t.Helper()
	const rerun = "run go test ./internal/bundle/ -run TestArgoCorpus -update to record it"
	before, after := 0, 0
	for _, f := range files {
		got := reports[f].status
		if supported(got) {
			after++
		}
		was, ok := want[f]
		switch {
		case !ok:
			t.Errorf("%s is new in the corpus (%s): %s", f, got, rerun)
		case supported(was) && !supported(got):
			t.Errorf("regression: %s was %s and is now %s: %s", f, was, got, strings.Join(reports[f].reasons, "; "))
		case !supported(was) && supported(got):
			t.Errorf("%s now runs (%s, was %s): %s", f, got, was, rerun)
		case was != got:
			t.Errorf("%s is now %s (was %s): %s", f, got, was, rerun)
		}
	}
	for f, was := range want {
		if supported(was) {
			before++
		}
		if _, ok := reports[f]; !ok {
			t.Errorf("%s is in %s but no longer in the corpus: %s", f, corpusGolden, rerun)
		}
	}
	if after < before {
		t.Errorf("%d corpus files run, down from %d", after, before)
	}
}
