package validation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

func TestCheckGJSONPath(t *testing.T) {
	tests := []struct {
		path string
		err  string // exact error, "" for none
	}{
		{"body.metadata.name", ""},
		{"body.metadata.annotations.autodeploy-ingress-host", ""},
		{"body.spec.ports.0.port", ""},
		{"header.X-Github-Event.0", ""},
		{"body.commits.#", ""},
		{"body.commits.#.id", ""},
		{`friends.#(last=="Murphy").first`, ""},
		{`friends.#(last=="Murphy")#.first`, ""},
		{`friends.#(first%"D*")#|@reverse`, ""},
		{`friends.#(nets.#(=="fb"))#.first`, ""},
		{`friends.#(last==")").first`, ""},
		{`{name.first,age,"the_murphys":friends.#(last="Murphy")#.first}`, ""},
		{`[name.first,age].0`, ""},
		{`children|@reverse|0`, ""},
		{`@this.a`, ""},
		{`@pretty:{"sortKeys":true}`, ""},
		{`@replace:"a.b"`, ""},
		{`body.@type`, ""},
		{`!true`, ""},
		{`{"id":!"fixed",name}`, ""},
		{`fav\.movie`, ""},
		{`a\|b`, ""},
		{`c?ildren.0`, ""},
		{`child*.2`, ""},
		{`..#.name`, ""},
		{"", "path is empty"},
		{"..", `nothing follows the JSON Lines prefix ".."`},
		{"a..b", "empty component at offset 2 (two separators in a row)"},
		{"a.", `path ends with "."`},
		{"a|", `path ends with "|"`},
		{".a", `path starts with "."`},
		{"|a", `path starts with "|"`},
		{`a\`, `path ends with an unfinished escape "\"`},
		{`items.#(name=="x"`, `"(" at offset 7 is never closed`},
		{`items.#(name=="x)`, `string opened at offset 14 is never closed`},
		{`items.#()`, `empty query "#()" at offset 6`},
		{`items.#(a==1)x.b`, `unexpected "x" after query at offset 13 (want ".", "|" or the end)`},
		{`{a,b`, `"{" at offset 0 is never closed`},
		{`{a,b]`, `"]" at offset 4 does not match "{" at offset 0`},
		{`[a,b]c`, `unexpected "c" after multipath at offset 5 (want ".", "|" or the end)`},
		{`@pretty:{"a":1`, `"{" at offset 8 is never closed`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := checkGJSONPath(tt.path)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			// gjson must not choke on what is accepted.
			gjson.Get(`{"a":{"b":[1,2]}}`, tt.path)
		})
	}
}

func TestCheckSJSONPath(t *testing.T) {
	tests := []struct {
		path string
		err  string
	}{
		{"metadata.name", ""},
		{"spec.rules.0.http.paths.0.backend.service.port.number", ""},
		{"k8s.operation", ""},
		{"spec.arguments.-1", ""},
		{"items.-1.name", ""},
		{`metadata.annotations.example\.com/owner`, ""},
		{":1.x", ""},
		{"", "path is empty"},
		{"a..b", "empty component at offset 2 (two separators in a row)"},
		{".a", `path starts with "."`},
		{"a.", `path ends with "."`},
		{":", `nothing follows the ":" prefix`},
		{`a\`, `path ends with an unfinished escape "\"`},
		{"items.#.name", `query in a destination path: "#" at offset 6: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as "\#" if it is part of a key)`},
		{"a|b", `query in a destination path: "|" at offset 1: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as "\|" if it is part of a key)`},
		{"a.@reverse", `query in a destination path: "@" at offset 2: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as "\@" if it is part of a key)`},
		{"a.*", `query in a destination path: "*" at offset 2: a query only replaces values already in the document, and leaves it unchanged when it finds none (escape it as "\*" if it is part of a key)`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			err := checkSJSONPath(tt.path)
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			// What is accepted must really set a value.
			out, err := sjson.Set(`{}`, tt.path, "v")
			require.NoError(t, err)
			require.NotEqual(t, `{}`, out)
		})
	}
}

func FuzzCheckPaths(f *testing.F) {
	for _, s := range []string{"a.b", "a.#(b==\"c\")#.d", "{a,b}", "@pretty:{\"a\":1}", "..#", "a\\.b", ":1.x", "a.-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		if checkGJSONPath(path) == nil {
			gjson.Get(`{"a":{"b":[1,2]}}`, path)
		}
		if checkSJSONPath(path) == nil {
			_, err := sjson.Set(`{"a":{"b":[1,2]}}`, path, "v")
			// sjson refuses to pad an array past a size limit; that depends
			// on the index, not on the syntax.
			if err != nil && !strings.Contains(err.Error(), "cannot pad array") {
				t.Fatalf("sjson rejected accepted path %q: %v", path, err)
			}
		}
	})
}
