package membership

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestOwnerSpreadsKeysEvenly(t *testing.T) {
	members := []string{"herald-0", "herald-1", "herald-2"}
	const n = 3000
	count := map[string]int{}
	for i := range n {
		count[Owner(members, fmt.Sprintf("Sensor team-%d/s-%d", i%11, i))]++
	}
	for _, m := range members {
		require.InDelta(t, n/len(members), count[m], float64(n/len(members)/5), "keys of %s", m)
	}
}

func TestOwnerMovesOnlyTheKeysOfAMemberThatLeaves(t *testing.T) {
	all := []string{"a", "b", "c", "d"}
	without := []string{"a", "b", "d"}
	for i := range 2000 {
		key := fmt.Sprintf("EventSource ns/es-%d", i)
		before, after := Owner(all, key), Owner(without, key)
		if before != "c" {
			require.Equal(t, before, after, "%s moved though its owner stayed", key)
		}
		require.NotEqual(t, "c", after)
	}
}

func TestOwnerOfNoMembers(t *testing.T) {
	require.Empty(t, Owner(nil, "k"))
}

func TestLeaseName(t *testing.T) {
	tests := []struct{ group, id, want string }{
		{"herald-controller", "herald-7d9f-abcde", "herald-controller-herald-7d9f-abcde"},
		{"g", "Node_1", ""},
	}
	for _, tt := range tests {
		got := leaseName(tt.group, tt.id)
		if tt.want != "" {
			require.Equal(t, tt.want, got)
		}
		require.Regexp(t, `^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`, got)
		require.LessOrEqual(t, len(got), 253)
	}
	require.NotEqual(t, leaseName("g", "a_b"), leaseName("g", "a.b"), "names that differ only in invalid characters stay apart")
}
