package hostile

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
	"github.com/herald-dev/herald/internal/sensor/param"
)

// TestParamHostile resolves hostile trigger parameters (templates, jq
// expressions, keys and destinations) against events, some of them hostile
// too, as a Sensor does when it fires a trigger: each ends in time with its
// error, and a good parameter then still resolves.
func TestParamHostile(t *testing.T) {
	src := func(s v1alpha1.TriggerParameterSource) *v1alpha1.TriggerParameterSource {
		s.DependencyName = "d"
		return &s
	}
	rows := []struct {
		name string
		src  *v1alpha1.TriggerParameterSource
		dest string
		data string
		err  string
	}{
		{"template doubling a string 40 times", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ $s := "xx" }}{{ range until 40 }}{{ $s = print $s $s }}{{ end }}{{ $s }}`}), "v", goodData, "template limit exceeded"},
		{"template looping a billion times", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ range until 1000000000 }}{{ end }}`}), "v", goodData, "template limit exceeded"},
		{"template calling itself", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ define "x" }}{{ template "x" }}{{ end }}{{ template "x" }}`}), "v", goodData, "template limit exceeded"},
		{"sprig repeat of a billion", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ repeat 1000000000 "x" }}`}), "v", goodData, "template limit exceeded"},
		{"template printing 10 MB of data", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ .Input.body.x }}`}), "v", `{"body": {"x": "` + tenMB + `"}}`, "template limit exceeded"},
		{"template that does not parse", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ .Input`}), "v", goodData, "template"},
		{"template reading the environment", src(v1alpha1.TriggerParameterSource{DataTemplate: `{{ env "HOME" }}`}), "v", goodData, "template function not available"},
		{"expression that never ends", src(v1alpha1.TriggerParameterSource{Expression: `def f: f; f`}), "v", goodData, "expression limit exceeded"},
		{"expression building a gigabyte", src(v1alpha1.TriggerParameterSource{Expression: `"x" * 1e9`}), "v", goodData, "jq value larger than the limit"},
		{"expression tojson of a doubled value", src(v1alpha1.TriggerParameterSource{Expression: `reduce range(40) as $i ([1]; [., .]) | tojson`}), "v", goodData, "jq value larger than the limit"},
		{"data key of 100000 segments", src(v1alpha1.TriggerParameterSource{DataKey: strings.Repeat("a.", 100000) + "b"}), "v", goodData, "parameter value not found"},
		{"data key with invalid UTF-8", src(v1alpha1.TriggerParameterSource{DataKey: "body." + badUTF8}), "v", goodData, "parameter value not found"},
		{"data key with NUL bytes", src(v1alpha1.TriggerParameterSource{DataKey: "body.name" + nulBytes}), "v", goodData, "parameter value not found"},
		{"data nested 100000 deep", src(v1alpha1.TriggerParameterSource{DataKey: "body"}), "v", `{"body": ` + deepArrays + `}`, "event data is not usable"},
		{"data that is not JSON", src(v1alpha1.TriggerParameterSource{DataKey: "body"}), "v", "\xff\x00", "event data is not usable"},
		{"dest with a huge array index", src(v1alpha1.TriggerParameterSource{DataKey: "body.name"}), "a.500000000", goodData, "cannot write at dest"},
		{"dest of 100000 segments", src(v1alpha1.TriggerParameterSource{DataKey: "body.name"}), strings.Repeat("a.", 100000) + "b", goodData, "cannot write at dest"},
	}
	good := []v1alpha1.TriggerParameter{{Src: src(v1alpha1.TriggerParameterSource{DataKey: "body.name"}), Dest: "name"}}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			events := map[string]*event.Event{"d": newEvent(row.data)}
			params := []v1alpha1.TriggerParameter{{Src: row.src, Dest: row.dest}}
			start := time.Now()
			out, err := param.Apply([]byte(`{"a": []}`), params, events)
			require.Less(t, time.Since(start), rowTimeout)
			require.ErrorContains(t, err, row.err, "output %.200s", out)
			// The next event's parameters resolve.
			out, err = param.Apply([]byte(`{}`), good, map[string]*event.Event{"d": newEvent(goodData)})
			require.NoError(t, err)
			require.JSONEq(t, `{"name": "svc"}`, string(out))
		})
	}
}
