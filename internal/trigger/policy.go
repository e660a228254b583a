package trigger

import (
	"context"
	"errors"
	"fmt"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/backoff"
)

// AwaitLabels applies a Kubernetes trigger's policy.k8s as Argo does: after
// the object (named by what in messages) was written, read its labels back
// with get, following the policy's backoff, until it carries every label
// the policy lists (a Workflow's workflows.argoproj.io/phase, say). When
// they never come, the firing fails terminally (the object exists) if
// errorOnBackoffTimeout is set, and succeeds with a note in res.Ref
// otherwise. A nil policy or one without labels returns res at once.
func AwaitLabels(ctx context.Context, policy *v1alpha1.K8SResourcePolicy, what string,
	get func(context.Context) (map[string]string, error), res Result,
) (Result, error) {
	if policy == nil || len(policy.Labels) == 0 {
		return res, nil
	}
	b, err := ResolveBackoff(policy.Backoff)
	if err != nil {
		return res, Terminal(fmt.Errorf("reading policy.k8s.backoff: %w", err))
	}
	err = backoff.Retry(ctx, b, func(ctx context.Context) error {
		labels, err := get(ctx)
		if err != nil {
			return err
		}
		if !hasLabels(labels, policy.Labels) {
			return errLabelsMissing
		}
		return nil
	}, nil)
	switch {
	case err == nil:
		return res, nil
	case ctx.Err() != nil:
		return res, fmt.Errorf("waiting for the labels of %s: %w", what, ctx.Err())
	}
	if policy.ErrorOnBackoffTimeout {
		return res, Terminal(fmt.Errorf("%s never got the labels policy.k8s requires (%v)", what, policy.Labels))
	}
	res.Ref += " (policy.k8s labels not seen; errorOnBackoffTimeout is false)"
	return res, nil
}

// errLabelsMissing is a read of the object without the labels awaited.
var errLabelsMissing = errors.New("labels missing")

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
