package param

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/event"
)

// The expression cases that are about values live in
// testdata/params/expression.yaml (golden); these are about errors, limits
// and concurrency.

func exprEvents(data string) map[string]*event.Event {
	return map[string]*event.Event{"dep": {ID: "1", Source: "s", Type: "t", Data: []byte(data)}}
}

func exprSrc(program string, value *string) *v1alpha1.TriggerParameterSource {
	return &v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: program, Value: value}
}

func TestExpressionResolve(t *testing.T) {
	def := "d"
	tests := []struct {
		name    string
		program string
		value   *string
		want    Value
		wantErr error
		errText string
	}{
		{name: "scalar", program: `.s`, want: Value{Text: "text", Type: TypeString, From: FromExpression}},
		{name: "number kept", program: `.n`, want: Value{Text: "8080", Type: TypeNumber, Raw: true, From: FromExpression}},
		{name: "object", program: `{b: .n, a: .s}`, want: Value{Text: `{"a":"text","b":8080}`, Type: TypeJSON, Raw: true, From: FromExpression}},
		{name: "list", program: `[.n, .s]`, want: Value{Text: `[8080,"text"]`, Type: TypeJSON, Raw: true, From: FromExpression}},
		{name: "// fallback", program: `.missing // .n`, want: Value{Text: "8080", Type: TypeNumber, Raw: true, From: FromExpression}},
		{name: "null gives value", program: `.missing`, value: &def, want: Value{Text: "d", Type: TypeString, From: FromDefault}},
		{name: "error gives value", program: `.s + 1`, value: &def, want: Value{Text: "d", Type: TypeString, From: FromDefault}},
		{
			name: "null, no value", program: `.missing`, wantErr: ErrUnresolved,
			errText: `parameter value not found in event of dependency "dep": expression gave null, and no default value`,
		},
		{
			name: "error, no value", program: `.s + 1`, wantErr: ErrUnresolved,
			errText: `parameter value not found in event of dependency "dep": expression failed: cannot add: string ("text") and number (1), and no default value`,
		},
		{
			name: "output too large", program: `"x" * 2000000`, wantErr: ErrExpressionLimit,
			errText: `parameter value not found in event of dependency "dep": expression gave more than 1048576 bytes (expression limit exceeded), and no default value`,
		},
		{
			name: "encoded output too large", program: `["x" * 600000, "y" * 600000]`, wantErr: ErrExpressionLimit,
			errText: `parameter value not found in event of dependency "dep": expression gave too large a value (expression limit exceeded): transformation output too large: more than 1048576 bytes, and no default value`,
		},
		{name: "limit gives value", program: `["x" * 600000, "y" * 600000]`, value: &def, want: Value{Text: "d", Type: TypeString, From: FromDefault}},
	}
	events := exprEvents(`{"s": "text", "n": 8080}`)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(exprSrc(tc.program, tc.value), events)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.ErrorIs(t, err, ErrUnresolved)
				require.EqualError(t, err, tc.errText)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExpressionTimeLimit(t *testing.T) {
	old := expressionTime
	expressionTime = 20 * time.Millisecond
	t.Cleanup(func() { expressionTime = old })

	_, err := Resolve(exprSrc(`0 | until(false; . + 1)`, nil), exprEvents(`{}`))
	require.ErrorIs(t, err, ErrExpressionLimit)
	require.ErrorIs(t, err, ErrUnresolved)
	require.ErrorContains(t, err, "expression ran for more than 20ms (expression limit exceeded)")

	def := "d"
	v, err := Resolve(exprSrc(`0 | until(false; . + 1)`, &def), exprEvents(`{}`))
	require.NoError(t, err)
	require.Equal(t, FromDefault, v.From)
}

func TestExpressionInvalid(t *testing.T) {
	tests := []struct {
		name string
		src  v1alpha1.TriggerParameterSource
		want string
	}{
		{name: "parse", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a |`}, want: "expression does not parse: unexpected EOF"},
		{name: "compile", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `$nope`}, want: "expression does not compile: variable not defined: $nope"},
		{name: "dataKey", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a`, DataKey: "a"}, want: "expression cannot be combined with dataKey"},
		{name: "dataTemplate", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a`, DataTemplate: "x"}, want: "expression cannot be combined with dataTemplate"},
		{name: "contextKey", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a`, ContextKey: "id"}, want: "expression cannot be combined with contextKey"},
		{name: "contextTemplate", src: v1alpha1.TriggerParameterSource{DependencyName: "dep", Expression: `.a`, ContextTemplate: "x"}, want: "expression cannot be combined with contextTemplate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile([]v1alpha1.TriggerParameter{{Src: &tc.src, Dest: "x"}})
			require.ErrorIs(t, err, ErrInvalidParameter)
			require.EqualError(t, err, "parameter 0: invalid parameter: "+tc.want)

			_, err = Resolve(&tc.src, exprEvents(`{"a": 1}`))
			require.ErrorIs(t, err, ErrInvalidParameter)
		})
	}
}

// TestExpressionConcurrent runs one compiled expression from many
// goroutines (go test -race checks that nothing is shared unsafely).
func TestExpressionConcurrent(t *testing.T) {
	c, err := Compile([]v1alpha1.TriggerParameter{{
		Src:  exprSrc(`[.ports[] | {name: (.name // empty)} // {number: .port}]`, nil),
		Dest: "ports",
	}})
	require.NoError(t, err)
	events := exprEvents(`{"ports": [{"name": "http", "port": 80}, {"port": 9100}]}`)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				out, err := c.Apply([]byte(`{}`), events)
				if !assert.NoError(t, err) || !assert.JSONEq(t, `{"ports":[{"name":"http"},{"number":9100}]}`, string(out)) {
					return
				}
			}
		})
	}
	wg.Wait()
}
