package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// Validate runs the checks of obj's kind (an *EventSource, *Sensor or
// *EventBus), as lint, the bundle loader and the admission webhook do.
// Another type is an internal error.
func Validate(obj any, s Support) Result {
	switch o := obj.(type) {
	case *v1alpha1.EventSource:
		return ValidateEventSource(o, s)
	case *v1alpha1.Sensor:
		return ValidateSensor(o, s)
	case *v1alpha1.EventBus:
		return ValidateEventBus(o)
	default:
		return Result{Errors: field.ErrorList{field.InternalError(nil, fmt.Errorf("no validator for %T", obj))}}
	}
}
