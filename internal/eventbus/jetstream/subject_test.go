package jetstream

import (
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/internal/eventbus"
)

func TestEscapeToken(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"webhook", "webhook"},
		{"my-source_1", "my-source_1"},
		{"", "%"},
		{"a.b", "a%2Eb"},
		{"*", "%2A"},
		{">", "%3E"},
		{"50%", "50%25"},
		{"%", "%25"},
		{"with space", "with%20space"},
		{"tab\tnl\n", "tab%09nl%0A"},
		{"a/b\\c", "a%2Fb%5Cc"},
		{"é", "%C3%A9"},
		{"\x7f", "%7F"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := EscapeToken(tc.in)
			require.Equal(t, tc.want, got)
			require.True(t, server.IsValidLiteralSubject("p."+got+".x"), "subject token %q", got)
			back, err := UnescapeToken(got)
			require.NoError(t, err)
			require.Equal(t, tc.in, back)
		})
	}
}

func TestUnescapeTokenErrors(t *testing.T) {
	for _, in := range []string{"%2", "a%", "%zz", "%G0"} {
		_, err := UnescapeToken(in)
		require.ErrorIs(t, err, errBadToken, in)
	}
	got, err := UnescapeToken("%2e%2A")
	require.NoError(t, err)
	require.Equal(t, ".*", got)
}

func FuzzEscapeTokenRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a.b", "%", "%25", "* >", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok := EscapeToken(s)
		require.True(t, server.IsValidLiteralSubject("p."+tok), "token %q of %q", tok, s)
		back, err := UnescapeToken(tok)
		require.NoError(t, err)
		require.Equal(t, s, back)
	})
}

func TestFilterSubjects(t *testing.T) {
	b := &Bus{subjects: subjects{prefix: "herald"}}
	for _, tc := range []struct {
		name    string
		filters []eventbus.Filter
		want    []string
	}{
		{"none", nil, nil},
		{"one event", []eventbus.Filter{{EventSource: "es", Event: "e"}}, []string{"herald.es.e"}},
		{"whole source", []eventbus.Filter{{EventSource: "es"}}, []string{"herald.es.*"}},
		{"absorbed", []eventbus.Filter{{EventSource: "es", Event: "e"}, {EventSource: "es"}}, []string{"herald.es.*"}},
		{"repeats", []eventbus.Filter{{EventSource: "b", Event: "e"}, {EventSource: "a"}, {EventSource: "b", Event: "e"}}, []string{"herald.a.*", "herald.b.e"}},
		{"escaped", []eventbus.Filter{{EventSource: "a.b", Event: "*"}}, []string{"herald.a%2Eb.%2A"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := b.filterSubjects(tc.filters)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	_, err := b.filterSubjects([]eventbus.Filter{{Event: "e"}})
	require.Error(t, err)
}

func TestKVKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sensor/trigger", "sensor/trigger"},
		{"a.b", "a=2Eb"},
		{"x=y", "x=3Dy"},
		{"sp ace*", "sp=20ace=2A"},
	} {
		require.Equal(t, tc.want, kvKey(tc.in))
	}
}
