package manifest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// loadOne loads a single-document YAML string with the test kinds.
func loadOne(t *testing.T, src string, opts Options) ([]Document, Diagnostics) {
	t.Helper()
	if opts.Kinds == nil {
		opts.Kinds = testKinds()
	}
	docs, diags, err := LoadBytes("m.yaml", []byte(src), opts)
	require.NoError(t, err)
	return docs, diags
}

const sensorHead = "apiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata:\n  name: s\nspec:\n"

// TestCheckMessages pins the exact wording of the main diagnostics.
func TestCheckMessages(t *testing.T) {
	tests := []struct {
		name   string
		strict bool
		spec   string // YAML under spec:, indented by two spaces
		want   string
	}{{
		name: "misplaced field",
		spec: "  triggers:\n    - template:\n        name: t\n        atLeastOnce: true\n",
		want: `m.yaml:9: warning: spec.triggers[0].template.atLeastOnce: unknown field "atLeastOnce", did you mean spec.triggers[0].atLeastOnce?`,
	}, {
		name:   "misplaced field, strict",
		strict: true,
		spec:   "  triggers:\n    - template:\n        name: t\n        atLeastOnce: true\n",
		want:   `m.yaml:9: spec.triggers[0].template.atLeastOnce: unknown field "atLeastOnce", did you mean spec.triggers[0].atLeastOnce?`,
	}, {
		name: "case mismatch",
		spec: "  triggers:\n    - template:\n        openwhisk: {host: h}\n",
		want: `m.yaml:8: warning: spec.triggers[0].template.openwhisk: unknown field "openwhisk", did you mean openWhisk? (read as openWhisk, since keys match ignoring case as in encoding/json; case-sensitive Kubernetes decoders ignore it)`,
	}, {
		name: "typo",
		spec: "  triggers:\n    - template:\n        k8s: {opration: create}\n",
		want: `m.yaml:8: warning: spec.triggers[0].template.k8s.opration: unknown field "opration", did you mean operation?`,
	}, {
		name: "nothing close",
		spec: "  triggers:\n    - template:\n        http: {foo: 1}\n",
		want: `m.yaml:8: warning: spec.triggers[0].template.http.foo: unknown field "foo"`,
	}, {
		name: "few fields are listed",
		spec: "  triggers:\n    - template:\n        k8s: {foo: 1}\n",
		want: `m.yaml:8: warning: spec.triggers[0].template.k8s.foo: unknown field "foo" (known fields: source, operation, parameters, liveObject, patch)`,
	}, {
		name: "wrong type",
		spec: "  replicas: two\n",
		want: `m.yaml:6: spec.replicas: wrong type: want integer, got string "two"`,
	}, {
		name: "duplicate key",
		spec: "  replicas: 1\n  replicas: 2\n",
		want: `m.yaml:7: spec.replicas: duplicate key "replicas": already set at line 6`,
	}, {
		name: "null is fine everywhere",
		spec: "  replicas: null\n  triggers: ~\n  template:\n  errorOnFailedRound: null\n  eventBusName: null\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadOne(t, sensorHead+tt.spec, Options{Strict: tt.strict})
			require.Equal(t, tt.want, strings.TrimSuffix(diags.String(), "\n"))
		})
	}
}

func TestWebhookPortMessage(t *testing.T) {
	src := "apiVersion: argoproj.io/v1alpha1\nkind: EventSource\nmetadata: {name: w}\nspec:\n  webhook:\n    example:\n      port: 12000\n"
	_, diags := loadOne(t, src, Options{})
	require.Equal(t, "m.yaml:7: spec.webhook[example].port: wrong type: want string, got integer 12000\n", diags.String())
}

// TestDecodedValues checks what ends up in the object: YAML 1.1 scalars,
// case-insensitive keys, custom JSON types, merges.
func TestDecodedValues(t *testing.T) {
	src := sensorHead + `  errorOnFailedRound: yes
  replicas: 0x10
  triggers:
    - template:
        name: t
        openwhisk: {host: h, actionName: a}
        http:
          url: u
          timeout: 1e3
          caBundle: aGVsbG8=
          attempts: {"3": three}
          body: {num: 1, list: [a, 2]}
      retryStrategy: {duration: 10s, factor: 1.5}
---
apiVersion: argoproj.io/v1alpha1
kind: EventSource
metadata: {name: es, creationTimestamp: "2024-01-02T03:04:05Z"}
spec:
  service:
    ports: [{port: 80, targetPort: web}, {port: 81, targetPort: 8081}]
status:
  lastUpdated: 2024-01-02T03:04:05Z
---
apiVersion: argoproj.io/v1alpha1
kind: EventBus
metadata: {name: bus}
spec:
  nats: {native: {persistence: {volumeSize: 10Gi}}}
`
	docs, diags := loadOne(t, src, Options{})
	require.Len(t, docs, 3, diags.String())

	s := docs[0].Object.(*testSensor)
	require.True(t, s.Spec.ErrorOnFailedRound)
	require.Equal(t, int32(16), *s.Spec.Replicas)
	tpl := s.Spec.Triggers[0].Template
	require.Equal(t, &testOpenWhiskTrigger{Host: "h", ActionName: "a"}, tpl.OpenWhisk)
	require.Equal(t, int64(1000), tpl.HTTP.Timeout)
	require.Equal(t, []byte("hello"), tpl.HTTP.CABundle)
	require.Equal(t, map[int32]string{3: "three"}, tpl.HTTP.Attempts)
	require.Equal(t, map[string]any{"num": float64(1), "list": []any{"a", float64(2)}}, tpl.HTTP.Body)
	require.Equal(t, &testInt64OrString{StrVal: "10s", IsString: true}, s.Spec.Triggers[0].RetryStrategy.Duration)
	require.Equal(t, "1.5", string(s.Spec.Triggers[0].RetryStrategy.Factor.Value))
	require.Equal(t, "Sensor", s.Kind)
	require.Equal(t, "s", docs[0].Name)

	es := docs[1].Object.(*testEventSource)
	require.Equal(t, intstr.FromString("web"), es.Spec.Service.Ports[0].TargetPort)
	require.Equal(t, intstr.FromInt32(8081), es.Spec.Service.Ports[1].TargetPort)
	want := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	require.True(t, es.Status.LastUpdated.Equal(&es.CreationTimestamp))
	require.True(t, want.Equal(es.CreationTimestamp.Time))

	bus := docs[2].Object.(*testEventBus)
	require.Equal(t, resource.MustParse("10Gi"), *bus.Spec.NATS.Native.Persistence.VolumeSize)
	require.Equal(t, 2, docs[2].Index)
}

// Types exercising encoding/json's less common rules.
type (
	jsonRules struct {
		Inner                                  // embedded without tag: flattened
		*PtrInner                              // embedded pointer: flattened
		Named     Inner                        `json:"named"`
		Ignored   string                       `json:"-"`
		Dash      string                       `json:"-,"` //nolint:staticcheck // the JSON name "-" is under test
		NoTag     string                       // Go name is the JSON name
		Quoted    int                          `json:",string"`
		Number    json.Number                  `json:"number"`
		Raw       json.RawMessage              `json:"raw"`
		Array     [2]int                       `json:"array"`
		Stringer  interface{ String() string } `json:"stringer"`
		Text      textValue                    `json:"text"`
		TextKeys  map[textValue]int            `json:"textKeys"`
		BadKeys   map[[2]int]int               `json:"badKeys"`
		Conflict                               // both embedded types declare Same: dropped
		OtherConflict
		unexported string //nolint:unused // unexported fields are ignored: under test
	}
	Inner struct {
		A string `json:"a"`
	}
	PtrInner struct {
		B int `json:"b"`
	}
	Conflict      struct{ Same string }
	OtherConflict struct{ Same string }
	textValue     string
)

func (v *textValue) UnmarshalText(b []byte) error {
	if len(b) > 0 && b[0] == '!' {
		return errorString("text may not start with !")
	}
	*v = textValue(b)
	return nil
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestJSONRules(t *testing.T) {
	kinds := Kinds{{Group: "g", Kind: "R", Versions: []string{"v1"}, New: func() any { return &jsonRules{} }}}
	load := func(body string) (*jsonRules, string) {
		docs, diags, err := LoadBytes("r.yaml", []byte("apiVersion: g/v1\nkind: R\n"+body), Options{Kinds: kinds, Strict: true})
		require.NoError(t, err)
		if len(docs) == 0 {
			return nil, diags.String()
		}
		return docs[0].Object.(*jsonRules), diags.String()
	}

	r, diags := load("a: x\nb: 2\nnamed: {a: why}\n-: dash\nNoTag: nn\nQuoted: \"12\"\nnumber: 1.5e3\nraw: {any: [thing]}\narray: [1, 2]\ntext: hello\ntextKeys: {k: 1}\n")
	require.Empty(t, diags)
	require.Equal(t, "x", r.A)
	require.Equal(t, 2, r.B)
	require.Equal(t, "why", r.Named.A)
	require.Equal(t, "dash", r.Dash)
	require.Equal(t, "nn", r.NoTag)
	require.Equal(t, 12, r.Quoted)
	require.Equal(t, json.Number("1500"), r.Number)
	require.JSONEq(t, `{"any":["thing"]}`, string(r.Raw))
	require.Equal(t, [2]int{1, 2}, r.Array)
	require.Equal(t, textValue("hello"), r.Text)
	require.Equal(t, map[textValue]int{"k": 1}, r.TextKeys)

	for body, want := range map[string]string{
		"Ignored: x\n":             `r.yaml:3: Ignored: unknown field "Ignored"`,
		"Same: x\n":                `r.yaml:3: Same: unknown field "Same"`,
		"unexported: x\n":          `r.yaml:3: unexported: unknown field "unexported"`,
		"Quoted: 12\n":             `r.yaml:3: Quoted: invalid value: want int written as a string (the field has the ,string option), got integer 12`,
		"number: \"1x\"\n":         `r.yaml:3: number: invalid value: string "1x" is not a number`,
		"number: true\n":           `r.yaml:3: number: wrong type: want number, got boolean true`,
		"array: [1, 2, 3]\n":       `r.yaml:3: warning: array[2]: extra item ignored: the list holds at most 2`,
		"array: x\n":               `r.yaml:3: array: wrong type: want list, got string "x"`,
		"stringer: x\n":            `r.yaml:3: stringer: cannot decode string into Go interface type interface { String() string }`,
		"stringer: null\n":         ``,
		"text: 12\n":               `r.yaml:3: text: wrong type: want string, got integer 12`,
		"text: '!x'\n":             `r.yaml:3: text: invalid textValue: text may not start with !`,
		"textKeys: {'!k': 1}\n":    `r.yaml:3: textKeys[!k]: invalid key "!k": text may not start with !`,
		"badKeys: {a: 1}\n":        `r.yaml:3: badKeys: cannot decode an object into Go type map[[2]int]int`,
		"a: [x]\n":                 `r.yaml:3: a: wrong type: want string, got list`,
		"named: {a: 1, b: 2}\n":    "r.yaml:3: named.a: wrong type: want string, got integer 1\nr.yaml:3: named.b: unknown field \"b\", did you mean b?",
		"raw: .nan\n":              `r.yaml:3: raw: .nan has no JSON form (JSON has no NaN or infinity)`,
		"a: x\nA: why\n":           `r.yaml:4: A: unknown field "A", did you mean a? (keys are case-sensitive under --strict)`,
		"named:\n  a: x\n  a: z\n": `r.yaml:5: named.a: duplicate key "a": already set at line 4`,
	} {
		_, diags := load(body)
		require.Equal(t, want, strings.TrimSuffix(diags, "\n"), "for %q", body)
	}
}

// TestCustomUnmarshalerPanic shows that a panicking UnmarshalJSON becomes an
// error, not a crash.
func TestCustomUnmarshalerPanic(t *testing.T) {
	kinds := Kinds{{Group: "g", Kind: "P", Versions: []string{"v1"}, New: func() any { return &struct{ V panicky }{} }}}
	_, diags, err := LoadBytes("p.yaml", []byte("apiVersion: g/v1\nkind: P\nV: 1\n"), Options{Kinds: kinds})
	require.NoError(t, err)
	require.Equal(t, "p.yaml:3: V: invalid panicky: decoder panicked: boom\n", diags.String())
}

type panicky struct{}

func (*panicky) UnmarshalJSON([]byte) error { panic("boom") }

func TestAliasLimits(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, diags := loadOne(t, b.String(), Options{})
	require.Equal(t, "m.yaml:1: aliases expand to more than 131072 values\n", diags.String())
}
