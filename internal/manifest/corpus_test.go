package manifest

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// anyObject takes any spec and status but checks the object metadata.
type anyObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              map[string]any `json:"spec"`
	Status            any            `json:"status,omitempty"`
}

// TestArgoCorpus loads Argo Events' own example manifests (when the
// compatibility corpus is available) with types that accept any spec: the
// YAML, the metadata and the multi-document handling must all pass.
func TestArgoCorpus(t *testing.T) {
	corpus := argoCorpus()
	if corpus == "" {
		t.Skip("Argo Events compatibility corpus not found; set HERALD_ARGO_COMPAT")
	}
	newAny := func() any { return &anyObject{} }
	kinds := Kinds{
		{Group: "argoproj.io", Kind: "EventSource", Versions: []string{"v1alpha1"}, New: newAny},
		{Group: "argoproj.io", Kind: "Sensor", Versions: []string{"v1alpha1"}, New: newAny},
		{Group: "argoproj.io", Kind: "EventBus", Versions: []string{"v1alpha1"}, New: newAny},
	}
	docs, diags, err := Load([]string{filepath.Join(corpus, "examples"), filepath.Join(corpus, "e2e-testdata")}, Options{Kinds: kinds, Strict: true})
	require.NoError(t, err)
	require.Empty(t, diags.Errors().String())
	require.Empty(t, diags.Warnings().String())
	require.Len(t, docs, 143)
	for _, d := range diags {
		require.Contains(t, d.Message, "skipping WorkflowTemplate")
	}
}
