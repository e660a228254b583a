package manifest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiagnosticString(t *testing.T) {
	for want, d := range map[string]Diagnostic{
		"a.yaml:31: spec.x: bad":                 {File: "a.yaml", Line: 31, Path: "spec.x", Message: "bad"},
		"a.yaml:31: warning: spec.x: odd":        {File: "a.yaml", Line: 31, Path: "spec.x", Message: "odd", Severity: Warning},
		"a.yaml:1: note: skipping ConfigMap":     {File: "a.yaml", Line: 1, Message: "skipping ConfigMap", Severity: Info},
		"a.yaml: reading manifest: no such file": {File: "a.yaml", Message: "reading manifest: no such file"},
		"line 3: spec: bad":                      {Line: 3, Path: "spec", Message: "bad"},
		"bad":                                    {Message: "bad"},
	} {
		require.Equal(t, want, d.String())
	}
}

func TestDiagnosticJSON(t *testing.T) {
	d := Diagnostic{File: "a.yaml", Line: 3, Column: 5, Path: "spec.x", Message: "m", Severity: Warning}
	data, err := json.Marshal(d)
	require.NoError(t, err)
	require.JSONEq(t, `{"file":"a.yaml","line":3,"column":5,"path":"spec.x","message":"m","severity":"warning"}`, string(data))
	var back Diagnostic
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, d, back)

	data, err = json.Marshal(Diagnostic{File: "a.yaml", Message: "m"})
	require.NoError(t, err)
	require.JSONEq(t, `{"file":"a.yaml","line":0,"column":0,"message":"m","severity":"error"}`, string(data))

	require.Error(t, json.Unmarshal([]byte(`{"severity":"fatal"}`), &back))
	_, err = json.Marshal(Diagnostic{Severity: 7})
	require.Error(t, err)
}

func TestSeverityString(t *testing.T) {
	require.Equal(t, "error", Error.String())
	require.Equal(t, "warning", Warning.String())
	require.Equal(t, "info", Info.String())
	require.Equal(t, "severity(7)", Severity(7).String())
}

func TestDiagnosticsFilterAndSort(t *testing.T) {
	ds := Diagnostics{
		{File: "b.yaml", Line: 2, Message: "e1"},
		{File: "a.yaml", Line: 9, Message: "w1", Severity: Warning},
		{File: "a.yaml", Line: 9, Column: 1, Message: "i1", Severity: Info},
		{File: "a.yaml", Line: 1, Message: "e2"},
	}
	require.True(t, ds.HasErrors())
	require.False(t, ds.Warnings().HasErrors())
	require.Equal(t, Diagnostics{ds[0], ds[3]}, ds.Errors())
	require.Equal(t, Diagnostics{ds[1]}, ds.Warnings())
	ds.Sort()
	var order []string
	for _, d := range ds {
		order = append(order, d.Message)
	}
	require.Equal(t, []string{"e2", "w1", "i1", "e1"}, order)
}
