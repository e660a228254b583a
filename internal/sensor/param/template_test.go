package param

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

func templateEvents(data string) map[string]*event.Event {
	return map[string]*event.Event{"dep": {ID: "1", Source: "s", Type: "t", DataContentType: "application/json", Data: []byte(data)}}
}

func resolveTemplate(t *testing.T, tmpl, data string) (Value, error) {
	t.Helper()
	return Resolve(&v1alpha1.TriggerParameterSource{DependencyName: "dep", DataTemplate: tmpl}, templateEvents(data))
}

// Hostile templates end with ErrTemplateLimit, quickly and without
// exhausting memory; the parameter then falls back as after any template
// error (here there is no key nor default, so ErrUnresolved).
func TestTemplateLimits(t *testing.T) {
	big := `"` + strings.Repeat("y", 2<<20) + `"`
	tests := []struct {
		name, tmpl, data string
	}{
		{name: "output over 1 MiB", tmpl: `{{ range until 2000 }}{{ "x" | repeat 1000 }}{{ end }}`},
		{name: "output of one byte over 1 MiB", tmpl: `{{ "x" | repeat 1048577 }}`},
		{name: "large input printed", tmpl: `{{ .Input }}`, data: big},
		{name: "nested loops", tmpl: `{{ range until 1000 }}{{ range until 1000 }}{{ range until 1000 }}{{ end }}{{ end }}{{ end }}`},
		{name: "range over a large int", tmpl: `{{ range 100000000 }}{{ end }}`},
		{name: "exponential recursion", tmpl: `{{ define "a" }}{{ template "a" . }}{{ template "a" . }}{{ end }}{{ template "a" . }}`},
		{name: "unbounded recursion", tmpl: `{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}`},
		{name: "recursion through block", tmpl: `{{ block "b" . }}{{ template "b" . }}{{ end }}`},
		{name: "string doubled in a loop", tmpl: `{{ $s := "xx" }}{{ range until 64 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}`},
		{name: "string doubled with printf", tmpl: `{{ $s := "xx" }}{{ range until 64 }}{{ $s = printf "%s%s" $s $s }}{{ end }}{{ len $s }}`},
		{name: "list of shared large strings", tmpl: `{{ $s := "x" | repeat 1000000 }}{{ $l := list }}{{ range until 100 }}{{ $l = append $l $s }}{{ end }}{{ len $l }}`},
		{name: "list doubled with concat", tmpl: `{{ $l := list 1 }}{{ range until 64 }}{{ $l = concat $l $l }}{{ end }}{{ len $l }}`},
		{name: "huge repeat", tmpl: `{{ "x" | repeat 100000000000 }}`},
		{name: "huge until", tmpl: `{{ len (until 1000000000) }}`},
		{name: "huge untilStep", tmpl: `{{ len (untilStep -9000000000000000000 9000000000000000000 1) }}`},
		{name: "huge seq", tmpl: `{{ len (seq 1000000000) }}`},
		{name: "huge indent", tmpl: `{{ "a" | indent 1000000000 }}`},
		{name: "huge random string", tmpl: `{{ randAlphaNum 1000000000 }}`},
		{name: "printf widths", tmpl: `{{ printf (repeat 100 "%1000000d") 1 }}`},
		{name: "printf star widths", tmpl: `{{ printf (repeat 100 "%*d") 1000000 1 }}`},
		{name: "replace amplification", tmpl: `{{ $s := "x" | repeat 100000 }}{{ $s | replace "x" $s | len }}`},
		{name: "regex amplification", tmpl: `{{ $s := "x" | repeat 100000 }}{{ regexReplaceAll "x" $s $s | len }}`},
		{name: "wrapWith amplification", tmpl: `{{ $s := "x" | repeat 100000 }}{{ wrapWith 1 $s $s | len }}`},
		{name: "join amplification", tmpl: `{{ $s := "x" | repeat 100000 }}{{ until 1000 | join $s | len }}`},
		{name: "cyclic dict", tmpl: `{{ $d := dict }}{{ $_ := set $d "self" $d }}{{ $d | toJson }}`},
		{name: "shared structure printed", tmpl: `{{ $s := "x" | repeat 1000000 }}{{ $l := list $s $s $s $s $s }}{{ $m := list $l $l }}{{ $m | toJson | len }}`},
		{name: "quadratic uniq", tmpl: `{{ until 100000 | uniq | len }}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.data
			if data == "" {
				data = `{}`
			}
			_, err := resolveTemplate(t, tc.tmpl, data)
			require.ErrorIs(t, err, ErrTemplateLimit)
			require.ErrorIs(t, err, ErrUnresolved)
		})
	}
}

func TestTemplateLimitsAllowOrdinaryWork(t *testing.T) {
	// Only the step and size limits are under test here, not the machine.
	templateTime = time.Hour
	t.Cleanup(func() { templateTime = maxTemplateTime })
	tests := []struct {
		name, tmpl, want string
	}{
		{name: "output of exactly 1 MiB", tmpl: `{{ "x" | repeat 1048576 }}`, want: strings.Repeat("x", MaxTemplateOutput)},
		{name: "a loop of 100000 steps", tmpl: `{{ $n := 0 }}{{ range until 100000 }}{{ $n = add1 $n }}{{ end }}{{ $n }}`, want: "100000"},
		{name: "recursion 100 deep", tmpl: `{{ define "a" }}{{ if gt (len .) 0 }}{{ template "a" (rest .) }}{{ end }}{{ end }}{{ template "a" (until 100) }}ok`, want: "ok"},
		{name: "a 4 MiB intermediate string", tmpl: `{{ "x" | repeat 4194304 | sha256sum | trunc 8 }}`, want: "baa7a6d3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := resolveTemplate(t, tc.tmpl, `{}`)
			require.NoError(t, err)
			require.Equal(t, tc.want, v.Text)
		})
	}
}

// Panics inside template functions become errors.
func TestTemplatePanicsAreErrors(t *testing.T) {
	for _, tmpl := range []string{
		`{{ div 1 0 }}`,
		`{{ chunk 0 (list 1 2) }}`,
		`{{ index .Input 5 }}`,
		`{{ slice "abc" 2 1 }}`,
		`{{ mod 1 0 }}`,
	} {
		_, err := resolveTemplate(t, tmpl, `[1]`)
		require.ErrorIs(t, err, ErrUnresolved, tmpl)
	}
}

// A compiled template runs concurrently (each run has its own clone and
// budget); run with -race.
func TestCompiledConcurrent(t *testing.T) {
	c, err := Compile([]v1alpha1.TriggerParameter{
		{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataTemplate: `{{ range until 50 }}{{ $.Input.n }}{{ end }}`}, Dest: "a"},
		{Src: &v1alpha1.TriggerParameterSource{DependencyName: "dep", DataKey: "n", UseRawData: true}, Dest: "b"},
	})
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				n := g*1000 + i
				events := templateEvents(`{"n":` + itoa(n) + `}`)
				out, err := c.Apply([]byte(`{}`), events)
				if err != nil {
					errs <- err
					return
				}
				want := `{"a":"` + strings.Repeat(itoa(n), 50) + `","b":` + itoa(n) + `}`
				if string(out) != want {
					errs <- errors.New(string(out) + " != " + want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
