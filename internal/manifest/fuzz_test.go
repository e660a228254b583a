package manifest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// nonSpecificTag finds the tag "!", which yaml.v3 does not keep in its nodes.
var nonSpecificTag = regexp.MustCompile(`!(\s|$|[,\]}])`)

// flowCollectionKey finds a flow collection used as a mapping key, which
// yaml.v2 and yaml.v3 parse differently.
var flowCollectionKey = regexp.MustCompile(`[\]}]\s*:`)

// fuzzSeeds adds every fixture file and a few hand-written documents.
func fuzzSeeds(f *testing.F) {
	f.Helper()
	paths, _ := filepath.Glob("testdata/cases/*.y*ml")
	more, _ := filepath.Glob("testdata/tree/*/*.y*ml")
	for _, p := range append(paths, more...) {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"",
		"---\n---\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nspec: {triggers: [{template: {name: t, k8s: {opration: x}}}]}\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nspec: {webhook: {a: {port: 1}}}\n",
		"apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nspec: {nats: {native: {persistence: {volumeSize: 1Zi}}}}\n",
		"a: &a [*a]\n",
		"a: &a {b: 1}\n<<: [*a, *a]\n",
		"{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"Sensor\", \"status\": 1}",
	} {
		f.Add([]byte(s))
	}
}

// FuzzLoadBytes checks that no input makes the loader panic, and that what
// it returns is consistent: documents only without errors, Raw valid JSON.
func FuzzLoadBytes(f *testing.F) {
	fuzzSeeds(f)
	kinds := testKinds()
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, strict := range []bool{false, true} {
			docs, diags, err := LoadBytes("fuzz.yaml", data, Options{Kinds: kinds, Strict: strict})
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if len(docs) > 0 && !json.Valid(docs[0].Raw) {
				t.Fatalf("invalid JSON in Raw: %s", docs[0].Raw)
			}
			for _, d := range diags {
				if d.Message == "" || d.File != "fuzz.yaml" {
					t.Fatalf("incomplete diagnostic: %+v", d)
				}
			}
			for _, doc := range docs {
				if doc.Object == nil || doc.Positions == nil {
					t.Fatalf("incomplete document: %+v", doc)
				}
				_ = doc.Positions.Line("spec.x[0].y")
			}
		}
	})
}

// FuzzJSONMatchesSigsYAML checks that the loader converts YAML to the same
// JSON as sigs.k8s.io/yaml, the converter Kubernetes tools use.
func FuzzJSONMatchesSigsYAML(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		switch {
		case nonSpecificTag.Match(data):
			t.Skip("yaml.v3 drops the non-specific tag \"!\", see resolve.go")
		case flowCollectionKey.Match(data):
			t.Skip("yaml.v2 reads \"[]: 1\" as [], yaml.v3 as a mapping")
		}
		requireSameJSONOrSyntax(t, data)
	})
}
