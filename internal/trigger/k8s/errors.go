package k8s

import (
	"errors"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"

	"github.com/herald-dev/herald/internal/trigger"
)

// classify marks err terminal when no retry can fix it: a kind the API
// server does not serve, and 4xx answers other than not found, timeouts,
// conflicts, throttling and unauthorized (credentials may be renewed).
// Everything else (5xx, network errors, conflicts) stays transient.
func classify(err error) error {
	if err == nil || trigger.IsTerminal(err) {
		return err
	}
	if meta.IsNoMatchError(err) {
		return trigger.Terminal(err)
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err
	}
	switch code := int(status.Status().Code); {
	case code == http.StatusNotFound, code == http.StatusRequestTimeout, code == http.StatusConflict && !apierrors.IsAlreadyExists(err),
		code == http.StatusTooManyRequests, code == http.StatusUnauthorized:
		return err
	case code >= 400 && code < 500:
		return trigger.Terminal(err)
	}
	return err
}
