package param

import "errors"

// Errors wrapped by this package, for errors.Is.
var (
	// ErrUnresolved: the parameter's key and template found nothing in the
	// event and it has no default value. Argo fails the trigger in this case.
	ErrUnresolved = errors.New("parameter value not found")
	// ErrEventData: the event data cannot be read as JSON (invalid JSON,
	// invalid YAML or an unsupported content type) and there is no default.
	ErrEventData = errors.New("event data is not usable")
	// ErrInvalidParameter: the parameter itself is malformed (no src, no
	// dependency name, no dest, unknown operation). Argo's admission
	// validation rejects the same parameters.
	ErrInvalidParameter = errors.New("invalid parameter")
	// ErrInvalidDocument: the document given to Apply is not JSON.
	ErrInvalidDocument = errors.New("document is not valid JSON")
	// ErrDest: the value could not be written at dest (sjson refused the
	// path, e.g. a key into an array or an index past the padding limit).
	ErrDest = errors.New("cannot write at dest")
	// ErrTemplateLimit: a template went past one of its limits (output size,
	// steps, time, size of a value it built). See MaxTemplateOutput.
	ErrTemplateLimit = errors.New("template limit exceeded")
	// ErrExpressionLimit: an expression ran past its time limit or gave a
	// value larger than MaxExpressionOutput.
	ErrExpressionLimit = errors.New("expression limit exceeded")
	// ErrTemplateFunc: a template called a function Herald does not offer
	// (env, expandenv, getHostByName).
	ErrTemplateFunc = errors.New("template function not available")
)
