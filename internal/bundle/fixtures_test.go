package bundle

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/manifest"
)

// minBadFixtures is the least number of bad fixtures the suite must hold, so
// that a lost glob or folder cannot empty it silently.
const minBadFixtures = 45

// fixtureCase is one fixture file and the golden file of its diagnostics.
type fixtureCase struct {
	name, path, golden string
}

// fixtures lists the files of testdata/<dir> named *<suffix>.yaml, with the
// golden file next to each (*<suffix>.golden). Paths are relative to
// testdata, the working directory of the fixture tests.
func fixtures(t *testing.T, dir, suffix string) []fixtureCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"+suffix+".yaml"))
	require.NoError(t, err)
	var out []fixtureCase
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), suffix+".yaml")
		out = append(out, fixtureCase{name: name, path: p, golden: strings.TrimSuffix(p, ".yaml") + ".golden"})
	}
	return out
}

// TestBadFixtures loads each testdata/bad/*.bad.yaml on its own and compares
// every diagnostic with the fixture's .bad.golden file. Each bad fixture
// must produce at least one error, not just warnings.
func TestBadFixtures(t *testing.T) {
	t.Chdir("testdata")
	cases := fixtures(t, "bad", ".bad")
	require.GreaterOrEqual(t, len(cases), minBadFixtures, "bad fixtures went missing")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, diags, err := Load([]string{c.path}, fixtureOptions(t, c.path))
			require.NoError(t, err)
			require.True(t, diags.HasErrors(), "a bad fixture must produce an error; got:\n%s", diags)
			checkGolden(t, c.golden, diags.String())
		})
	}
	checkNoStrayGoldens(t, "bad", ".bad")
}

// TestWarnFixtures loads each testdata/warn/*.warn.yaml: the objects load,
// with warnings and no error, and the diagnostics match the .warn.golden file.
func TestWarnFixtures(t *testing.T) {
	t.Chdir("testdata")
	cases := fixtures(t, "warn", ".warn")
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, diags, err := Load([]string{c.path}, fixtureOptions(t, c.path))
			require.NoError(t, err)
			require.False(t, diags.HasErrors(), "a warn fixture must not produce errors; got:\n%s", diags)
			require.NotEmpty(t, diags.Warnings(), "a warn fixture must produce a warning")
			for _, o := range b.Objects {
				require.Contains(t, []Status{Clean, Warned}, o.Status, "%s %s", o.Kind, o.Name)
			}
			if len(b.Objects) > 0 {
				// Each warning is about one object, and that object carries it.
				for _, d := range diags.Warnings() {
					owners := 0
					for _, o := range b.Objects {
						if slices.Contains(o.Diagnostics, d) {
							owners++
						}
					}
					require.Equal(t, 1, owners, "objects holding %q", d)
				}
			}
			checkGolden(t, c.golden, diags.String())
		})
	}
	checkNoStrayGoldens(t, "warn", ".warn")
}

// TestGoodFixtures loads each testdata/good/*.yaml, one at a time and all
// together: no diagnostic at all, not even a note, and every object clean.
func TestGoodFixtures(t *testing.T) {
	t.Chdir("testdata")
	paths, err := filepath.Glob(filepath.Join("good", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			b, diags, err := Load([]string{p}, Options{Strict: true, UniqueNames: true})
			require.NoError(t, err)
			require.Empty(t, diags.String())
			require.NotEmpty(t, b.Objects)
			for _, o := range b.Objects {
				require.Equal(t, Clean, o.Status, "%s %s", o.Kind, o.Name)
				require.Empty(t, o.Diagnostics)
			}
		})
	}
	t.Run("together", func(t *testing.T) {
		b, diags, err := Load([]string{"good"}, Options{Strict: true, UniqueNames: true})
		require.NoError(t, err)
		require.Empty(t, diags.String())
		require.Len(t, b.EventSources(), 4)
		require.Len(t, b.Sensors(), 4)
		require.Len(t, b.EventBuses(), 1)
	})
}

// checkNoStrayGoldens fails on golden files whose fixture is gone.
func checkNoStrayGoldens(t *testing.T, dir, suffix string) {
	t.Helper()
	goldens, err := filepath.Glob(filepath.Join(dir, "*"+suffix+".golden"))
	require.NoError(t, err)
	for _, g := range goldens {
		fixture := strings.TrimSuffix(g, ".golden") + ".yaml"
		if _, err := os.Stat(fixture); err != nil {
			t.Errorf("golden file %s has no fixture %s", g, fixture)
		}
	}
}

// TestOversizedFile writes a manifest just over the default size limit: it
// is refused unread with an error naming the limit, and a larger limit
// accepts it.
func TestOversizedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	head := "apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata:\n  name: huge\nspec:\n  jetstream:\n    version: latest\n"
	var b strings.Builder
	b.WriteString(head)
	for b.Len() <= manifest.DefaultMaxFileSize {
		b.WriteString("# padding padding padding padding padding padding padding padding padding\n")
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))

	_, diags, err := Load([]string{path}, Options{})
	require.NoError(t, err)
	want := fmt.Sprintf("%s: file is too large: %d bytes, the limit is %d\n", path, b.Len(), manifest.DefaultMaxFileSize)
	require.Equal(t, want, diags.String())
	require.True(t, diags.HasErrors())

	bundle, diags, err := Load([]string{path}, Options{MaxFileSize: int64(b.Len())})
	require.NoError(t, err)
	require.Empty(t, diags.String())
	require.Len(t, bundle.EventBuses(), 1)
}

// TestMissingPath reports a path that does not exist as an error.
func TestMissingPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.yaml")
	b, diags, err := Load([]string{path}, Options{})
	require.NoError(t, err)
	require.Empty(t, b.Objects)
	require.Equal(t, path+": reading manifest: no such file or directory\n", diags.String())
}
