package validation

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// findShared walks up from the working directory to the first folder that
// holds shared/, and returns shared/.
func findShared(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		candidate := filepath.Join(dir, "shared")
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no shared/ folder above the test directory")
		}
		dir = parent
	}
}

// docSeparator splits a YAML stream into documents.
var docSeparator = regexp.MustCompile(`(?m)^---[ \t]*(#.*)?$`)

// corpusManifest is one Argo object read from a corpus file.
type corpusManifest struct {
	file string
	kind string
	data []byte
}

// readCorpus returns every argoproj.io/v1alpha1 object under the folders.
func readCorpus(t *testing.T, roots ...string) []corpusManifest {
	t.Helper()
	var out []corpusManifest
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, doc := range docSeparator.Split(string(raw), -1) {
				if strings.TrimSpace(doc) == "" {
					continue
				}
				var tm metav1.TypeMeta
				if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
					// Not a Kubernetes object (e.g. a JSON payload fixture).
					continue
				}
				if tm.APIVersion != "argoproj.io/v1alpha1" {
					continue
				}
				out = append(out, corpusManifest{file: path, kind: tm.Kind, data: []byte(doc)})
			}
			return nil
		})
		require.NoError(t, err)
	}
	return out
}

// TestCorpusHasOnlyUnsupportedErrors validates every Argo manifest of the
// compatibility corpus and the auto-ingress scenario: Argo accepts all of
// them, so the only errors allowed are about kinds Herald does not run yet.
func TestCorpusHasOnlyUnsupportedErrors(t *testing.T) {
	shared := findShared(t)
	manifests := readCorpus(t,
		filepath.Join(shared, "argo-compat"),
		filepath.Join(shared, "scenarios", "auto-ingress"))
	require.GreaterOrEqual(t, len(manifests), 143, "corpus not found or incomplete")

	support := DefaultSupport()
	counts := map[string]int{}
	for _, m := range manifests {
		rel, _ := filepath.Rel(shared, m.file)
		var res Result
		switch m.kind {
		case "Sensor":
			var sn v1alpha1.Sensor
			require.NoError(t, yaml.Unmarshal(m.data, &sn), rel)
			res = ValidateSensor(&sn, support)
		case "EventSource":
			var es v1alpha1.EventSource
			require.NoError(t, yaml.Unmarshal(m.data, &es), rel)
			res = ValidateEventSource(&es, support)
		case "EventBus":
			var eb v1alpha1.EventBus
			require.NoError(t, yaml.Unmarshal(m.data, &eb), rel)
			res = ValidateEventBus(&eb)
		default:
			continue
		}
		counts[m.kind]++
		for _, e := range res.Errors {
			if !IsUnsupported(e) {
				t.Errorf("%s: %s: %s", rel, e.Field, e.Detail)
			}
		}
		if u := unsupportedOnly(res.Errors); len(u) > 0 {
			t.Logf("%s: %s", rel, strings.Join(u, "; "))
		}
		for _, w := range res.Warnings {
			t.Logf("warning: %s: %s: %s", rel, w.Field, w.Detail)
		}
	}
	t.Logf("validated %v", counts)
	require.Positive(t, counts["Sensor"])
	require.Positive(t, counts["EventSource"])
	require.Positive(t, counts["EventBus"])
}

// unsupportedOnly keeps the unsupported errors of list, for debugging output.
func unsupportedOnly(list field.ErrorList) []string {
	var out []string
	for _, e := range list {
		if IsUnsupported(e) {
			out = append(out, e.Field+": "+e.Detail)
		}
	}
	return out
}
