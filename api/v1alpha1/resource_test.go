package v1alpha1_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/herald-dev/herald/api/v1alpha1"
)

func TestK8SResourceJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{name: "object", in: `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`},
		{name: "empty object", in: `{}`},
		{name: "nested values of every JSON type", in: `{"a":[1,"b",true,null,{"c":1.5}],"d":{"e":"__WILL_BE_REPLACE__"}}`},
		{name: "surrounding space", in: " \n{\"a\":1}\t"},
		{name: "array", in: `[1,2]`, wantErr: true},
		{name: "string", in: `"kind: Pod"`, wantErr: true},
		{name: "number", in: `3`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r v1alpha1.K8SResource
			err := json.Unmarshal([]byte(tt.in), &r)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			out, err := json.Marshal(r)
			require.NoError(t, err)
			require.JSONEq(t, tt.in, string(out))
		})
	}
}

func TestK8SResourceInArtifact(t *testing.T) {
	const doc = `
resource:
  apiVersion: v1
  kind: Service
  spec:
    ports:
    - port: 80
      name: http
`
	var loc v1alpha1.ArtifactLocation
	require.NoError(t, yaml.Unmarshal([]byte(doc), &loc))
	require.NotNil(t, loc.Resource)
	require.JSONEq(t, `{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80,"name":"http"}]}}`, string(loc.Resource.Value))

	out, err := json.Marshal(loc)
	require.NoError(t, err)
	require.JSONEq(t, `{"resource":{"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80,"name":"http"}]}}}`, string(out))

	var empty v1alpha1.K8SResource
	out, err = json.Marshal(empty)
	require.NoError(t, err)
	require.Equal(t, `{}`, string(out))

	built, err := v1alpha1.NewK8SResource(map[string]any{"kind": "Pod"})
	require.NoError(t, err)
	require.JSONEq(t, `{"kind":"Pod"}`, string(built.Value))
}
