package k8s

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/herald-dev/herald/internal/trigger"
)

func TestForbiddenWhileStarting(t *testing.T) {
	forbidden := trigger.Terminal(apierrors.NewForbidden(schema.GroupResource{Resource: "ingresses"}, "x", errors.New("no")))
	invalid := trigger.Terminal(apierrors.NewBadRequest("bad"))
	for _, tc := range []struct {
		name         string
		err          error
		ready        func(context.Context) bool
		wantTerminal bool
	}{
		{"403 while the API server is not ready is retried", forbidden, func(context.Context) bool { return false }, false},
		{"403 from a ready API server is final", forbidden, func(context.Context) bool { return true }, true},
		{"403 without a readiness check is final", forbidden, nil, true},
		{"other final errors stay final", invalid, func(context.Context) bool { return false }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := clientSet{ready: tc.ready}.forbiddenWhileStarting(t.Context(), tc.err)
			require.Error(t, got)
			require.Equal(t, tc.wantTerminal, trigger.IsTerminal(got), "%v", got)
			require.True(t, errors.Is(got, tc.err) || apierrors.IsForbidden(got) || apierrors.IsBadRequest(got))
		})
	}
	require.NoError(t, clientSet{}.forbiddenWhileStarting(t.Context(), nil))
}
