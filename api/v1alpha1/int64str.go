package v1alpha1

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Int64OrStringType tells which of the two values an Int64OrString holds.
type Int64OrStringType int64

const (
	// Int64OrStringInt64 means the value is the integer Int64Val.
	Int64OrStringInt64 Int64OrStringType = iota
	// Int64OrStringString means the value is the string StrVal.
	Int64OrStringString
)

// Int64OrString holds either a 64-bit integer or a string, as written in the
// manifest. Durations use it: an integer is a count of nanoseconds and a string
// is a Go duration such as "10s".
//
// +kubebuilder:validation:Type=string
// +kubebuilder:validation:XIntOrString
type Int64OrString struct {
	// Type tells which of Int64Val and StrVal is set.
	Type Int64OrStringType `json:"type"`
	// Int64Val is the value when Type is Int64OrStringInt64.
	Int64Val int64 `json:"int64Val,omitempty"`
	// StrVal is the value when Type is Int64OrStringString.
	StrVal string `json:"strVal,omitempty"`
}

// FromInt64 returns an Int64OrString holding the integer v.
func FromInt64(v int64) Int64OrString {
	return Int64OrString{Type: Int64OrStringInt64, Int64Val: v}
}

// FromString returns an Int64OrString holding the string v.
func FromString(v string) Int64OrString {
	return Int64OrString{Type: Int64OrStringString, StrVal: v}
}

// ParseInt64OrString returns an integer Int64OrString when v parses as a base-10
// int64, and a string one otherwise.
func ParseInt64OrString(v string) Int64OrString {
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return FromInt64(i)
	}
	return FromString(v)
}

// UnmarshalJSON accepts a JSON integer or a JSON string.
func (v *Int64OrString) UnmarshalJSON(data []byte) error {
	text := strings.TrimSpace(string(data))
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("decoding int64-or-string %s: %w", text, err)
		}
		*v = FromString(s)
		return nil
	}
	var i int64
	if err := json.Unmarshal(data, &i); err != nil {
		return fmt.Errorf("decoding int64-or-string %s: want an integer or a string: %w", text, err)
	}
	*v = FromInt64(i)
	return nil
}

// MarshalJSON writes the integer or the string, whichever is held.
func (v Int64OrString) MarshalJSON() ([]byte, error) {
	switch v.Type {
	case Int64OrStringInt64:
		return json.Marshal(v.Int64Val)
	case Int64OrStringString:
		return json.Marshal(v.StrVal)
	default:
		return nil, fmt.Errorf("encoding int64-or-string: unknown type %d", v.Type)
	}
}

// Int64Value returns the integer held, or the string parsed as a base-10 integer
// (0 when it does not parse).
func (v *Int64OrString) Int64Value() int64 {
	if v.Type == Int64OrStringString {
		i, _ := strconv.ParseInt(v.StrVal, 10, 64)
		return i
	}
	return v.Int64Val
}

// String returns the value as text.
func (v Int64OrString) String() string {
	if v.Type == Int64OrStringString {
		return v.StrVal
	}
	return strconv.FormatInt(v.Int64Val, 10)
}
