package bundle

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1/validation"
	"github.com/herald-dev/herald/internal/manifest"
)

// writeManifest writes content to a file in a fresh temporary folder.
func writeManifest(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

const (
	cleanEventSource = `apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata:
  name: clock
spec:
  calendar:
    tick:
      interval: 1m
`
	warnedSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: logger
spec:
  dependencies:
    - name: tick
      eventSourceName: clock
      eventName: tick
      colour: red
  triggers:
    - template:
        name: log
        log: {}
`
	unsupportedSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: lambda
spec:
  dependencies:
    - name: tick
      eventSourceName: clock
      eventName: tick
  triggers:
    - template:
        name: lambda
        awsLambda:
          functionName: f
          region: us-east-1
`
	invalidEventBus = `apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata:
  name: default
spec: {}
`
	undecodableSensor = `apiVersion: argoproj.io/v1alpha1
kind: Sensor
metadata:
  name: broken
spec:
  dependencies: none
`
)

// TestLoadStatuses checks the status of each object of a multi-document
// file, that each object carries only its own diagnostics, and that only
// clean and warned objects are handed out as usable.
func TestLoadStatuses(t *testing.T) {
	path := writeManifest(t, "all.yaml", cleanEventSource+"---\n"+warnedSensor+"---\n"+unsupportedSensor+"---\n"+invalidEventBus+"---\n"+undecodableSensor)
	b, diags, err := Load([]string{path}, Options{})
	require.NoError(t, err)

	type got struct {
		kind, name string
		status     Status
		diags      int
	}
	var objects []got
	for _, o := range b.Objects {
		objects = append(objects, got{o.Kind, o.Name, o.Status, len(o.Diagnostics)})
	}
	require.Equal(t, []got{
		{"EventSource", "clock", Clean, 0},
		{"Sensor", "logger", Warned, 1},
		{"Sensor", "lambda", Unsupported, 1},
		{"EventBus", "default", Invalid, 1},
	}, objects, "the undecodable Sensor yields no object, and its error belongs to no other object")

	require.Len(t, b.EventSources(), 1)
	require.Len(t, b.Sensors(), 1)
	require.Equal(t, "logger", b.Sensors()[0].Name)
	require.Empty(t, b.EventBuses())

	require.Len(t, diags, 4)
	require.Len(t, diags.Errors(), 3)
	require.Equal(t, "spec.dependencies", diags[3].Path, "diagnostics are sorted by line")
}

// TestLoadSupport reports kinds outside the given Support as unsupported,
// and accepts them when supported.
func TestLoadSupport(t *testing.T) {
	path := writeManifest(t, "clock.yaml", cleanEventSource)
	b, diags, err := Load([]string{path}, Options{Support: &validation.Support{EventSources: map[string]bool{"webhook": true}}})
	require.NoError(t, err)
	require.Equal(t, Unsupported, b.Objects[0].Status)
	require.Equal(t, path+":6: spec.calendar: unsupported: event source kind calendar\n", diags.String())
	require.Empty(t, b.EventSources())

	b, diags, err = Load([]string{path}, Options{})
	require.NoError(t, err)
	require.Empty(t, diags)
	require.Len(t, b.EventSources(), 1)
}

// TestLoadDuplicateNames: duplicates are warnings by default (folders of
// examples reuse names) and errors with UniqueNames; namespaces and kinds
// keep names apart.
func TestLoadDuplicateNames(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
	}
	write("a.yaml", cleanEventSource)
	write("b.yaml", cleanEventSource)
	write("c.yaml", strings.Replace(cleanEventSource, "  name: clock\n", "  name: clock\n  namespace: other\n", 1))
	write("d.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: EventBus\nmetadata:\n  name: clock\nspec:\n  jetstream:\n    version: latest\n")

	b, diags, err := Load([]string{dir}, Options{})
	require.NoError(t, err)
	want := filepath.Join(dir, "b.yaml") + `:1: warning: metadata.name: duplicate EventSource "clock": already defined at ` + filepath.Join(dir, "a.yaml") + ":1\n"
	require.Equal(t, want, diags.String())
	require.Equal(t, []Status{Clean, Warned, Clean, Clean}, statuses(b))

	b, diags, err = Load([]string{dir}, Options{UniqueNames: true})
	require.NoError(t, err)
	require.Len(t, diags.Errors(), 1)
	require.Equal(t, []Status{Clean, Invalid, Clean, Clean}, statuses(b))
	require.Len(t, b.EventSources(), 2)
}

// TestLoadStrict turns unknown fields into errors that drop the object.
func TestLoadStrict(t *testing.T) {
	path := writeManifest(t, "sensor.yaml", warnedSensor)
	b, diags, err := Load([]string{path}, Options{Strict: true})
	require.NoError(t, err)
	require.Empty(t, b.Objects)
	require.Len(t, diags, 1)
	require.Equal(t, manifest.Error, diags[0].Severity)
	require.Equal(t, "spec.dependencies[0].colour", diags[0].Path)
}

func statuses(b *Bundle) []Status {
	var out []Status
	for _, o := range b.Objects {
		out = append(out, o.Status)
	}
	return out
}
