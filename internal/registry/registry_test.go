package registry

import (
	"testing"

	"github.com/stretchr/testify/require"
)

type plugin struct{ name, doc string }

func TestRegistry(t *testing.T) {
	r := New("test kind", func(p plugin) string { return p.name }, plugin{"b", "second"}, plugin{"a", "first"})
	require.Equal(t, []string{"a", "b"}, r.Names())
	p, ok := r.Lookup("a")
	require.True(t, ok)
	require.Equal(t, "first", p.doc)
	_, ok = r.Lookup("c")
	require.False(t, ok)
	require.PanicsWithValue(t, `test kind "a" registered twice`, func() { r.Register(plugin{name: "a"}) })
}
