package trigger_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

func TestAwaitLabels(t *testing.T) {
	fast := &v1alpha1.Backoff{Steps: 4, Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "1ms"}}
	want := map[string]string{"workflows.argoproj.io/phase": "Running"}
	tests := []struct {
		name     string
		policy   *v1alpha1.K8SResourcePolicy
		labelsAt int // the read (from 1) that first sees the labels; 0: none
		failing  int // reads before that fail with an error
		reads    int
		terminal bool
		err      string
		note     bool
	}{
		{name: "no policy", reads: 0},
		{name: "no labels asked", policy: &v1alpha1.K8SResourcePolicy{Backoff: fast}, reads: 0},
		{name: "there at once", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: fast}, labelsAt: 1, reads: 1},
		{name: "there at the third read", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: fast}, labelsAt: 3, reads: 3},
		{name: "reads failing first", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: fast}, labelsAt: 3, failing: 2, reads: 3},
		{name: "never, an error asked", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: fast, ErrorOnBackoffTimeout: true}, reads: 4, terminal: true, err: "the Workflow wf never got the labels policy.k8s requires"},
		{name: "never, no error asked", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: fast}, reads: 4, note: true},
		{name: "a bad backoff", policy: &v1alpha1.K8SResourcePolicy{Labels: want, Backoff: &v1alpha1.Backoff{Factor: &v1alpha1.Amount{Value: []byte("x")}}}, terminal: true, err: "reading policy.k8s.backoff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reads := 0
			get := func(context.Context) (map[string]string, error) {
				reads++
				switch {
				case reads <= tt.failing:
					return nil, errors.New("not found")
				case tt.labelsAt > 0 && reads >= tt.labelsAt:
					return map[string]string{"workflows.argoproj.io/phase": "Running", "other": "x"}, nil
				}
				return map[string]string{"workflows.argoproj.io/phase": "Pending"}, nil
			}
			res, err := trigger.AwaitLabels(t.Context(), tt.policy, "the Workflow wf", get, trigger.Result{Ref: "created"})
			require.Equal(t, tt.reads, reads, "reads")
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				require.Equal(t, tt.terminal, trigger.IsTerminal(err))
				return
			}
			require.NoError(t, err)
			if tt.note {
				require.Equal(t, "created (policy.k8s labels not seen; errorOnBackoffTimeout is false)", res.Ref)
			} else {
				require.Equal(t, "created", res.Ref)
			}
		})
	}
}

func TestAwaitLabelsStopsWithTheContext(t *testing.T) {
	slow := &v1alpha1.Backoff{Steps: 5, Duration: &v1alpha1.Int64OrString{Type: v1alpha1.Int64OrStringString, StrVal: "1h"}}
	ctx, cancel := context.WithCancel(t.Context())
	get := func(context.Context) (map[string]string, error) {
		cancel() // the first read ends the wait that follows it
		return nil, nil
	}
	_, err := trigger.AwaitLabels(ctx, &v1alpha1.K8SResourcePolicy{Labels: map[string]string{"a": "b"}, Backoff: slow}, "the Workflow wf", get, trigger.Result{})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "waiting for the labels of the Workflow wf")
	require.False(t, trigger.IsTerminal(err))
}
