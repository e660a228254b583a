package param

// Type is the JSON type of a resolved value, named as gjson (and so Argo)
// names it. Values from templates, defaults and the whole-event form are
// always TypeString.
type Type uint8

// Values of Type.
const (
	TypeString Type = iota
	TypeNumber
	TypeTrue
	TypeFalse
	TypeNull
	TypeJSON // an object or an array
)

var typeNames = [...]string{"String", "Number", "True", "False", "Null", "JSON"}

// String returns gjson's name of the type ("String", "Number", ...).
func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "Unknown"
}

// From says which part of a parameter source produced a value.
type From uint8

// Values of From.
const (
	FromNone            From = iota // no value (Skip)
	FromDataKey                     // gjson path into the event data
	FromDataTemplate                // template over the event data
	FromContextKey                  // gjson path into the event context
	FromContextTemplate             // template over the event context
	FromDefault                     // the source's value field
	FromEvent                       // the whole event (no key, template or value given)
	FromExpression                  // jq expression over the event data (Herald extension)
)

var fromNames = [...]string{"none", "dataKey", "dataTemplate", "contextKey", "contextTemplate", "value", "event", "expression"}

// String returns the name of the source field ("dataKey", "value", ...).
func (f From) String() string {
	if int(f) < len(fromNames) {
		return fromNames[f]
	}
	return "unknown"
}

// Value is one resolved parameter value.
type Value struct {
	// Text is the value. When Raw is false it is written as a JSON string;
	// when Raw is true it is JSON text written as it is.
	Text string
	// Type is the JSON type found at the key or given by the expression;
	// TypeString for templates, defaults and the whole event.
	Type Type
	// Raw is true when the source asks for useRawData, or has an
	// expression, and Type is not TypeString: numbers, booleans, null,
	// objects and arrays keep their JSON type.
	Raw bool
	// From says which source field gave the value.
	From From
	// Skip is true when the dependency has no event (possible under "||"
	// conditions) and the source has no default: the parameter is left out
	// and the destination keeps what it had. This is not an error in Argo.
	Skip bool
}
