package argoworkflow

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/herald-dev/herald/api/v1alpha1"
	"github.com/herald-dev/herald/internal/trigger"
)

// awaitLabels applies a trigger's policy.k8s as Argo does for this kind:
// after the Workflow was written, read it back with the policy's backoff
// until it carries every listed label (the Workflow controller sets
// workflows.argoproj.io/phase, say). When the labels never come, the firing
// fails terminally if errorOnBackoffTimeout is set, and succeeds with a
// note otherwise.
func awaitLabels(ctx context.Context, client dynamic.ResourceInterface, wf *unstructured.Unstructured, policy *v1alpha1.K8SResourcePolicy, res trigger.Result) (trigger.Result, error) {
	if policy == nil || len(policy.Labels) == 0 {
		return res, nil
	}
	b, err := trigger.ResolveBackoff(policy.Backoff)
	if err != nil {
		return res, trigger.Terminal(fmt.Errorf("reading policy.k8s.backoff: %w", err))
	}
	wait := b.Duration
	for step := range b.Steps {
		obj, err := client.Get(ctx, wf.GetName(), metav1.GetOptions{})
		if err == nil && hasLabels(obj.GetLabels(), policy.Labels) {
			return res, nil
		}
		if step == b.Steps-1 {
			break
		}
		d := wait
		if b.Jitter > 0 {
			d += time.Duration(rand.Float64() * b.Jitter * float64(wait))
		}
		timer := time.NewTimer(d)
		select {
		case <-ctx.Done():
			timer.Stop()
			return res, fmt.Errorf("waiting for the labels of Workflow %s: %w", wf.GetName(), ctx.Err())
		case <-timer.C:
		}
		if b.Factor > 0 {
			wait = time.Duration(float64(wait) * b.Factor)
		}
	}
	if policy.ErrorOnBackoffTimeout {
		return res, trigger.Terminal(fmt.Errorf("the Workflow %s never got the labels policy.k8s requires (%v)", wf.GetName(), policy.Labels))
	}
	res.Ref += " (policy.k8s labels not seen; errorOnBackoffTimeout is false)"
	return res, nil
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
