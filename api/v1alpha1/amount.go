package v1alpha1

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Amount is a decimal number such as a backoff factor or jitter. In YAML it is
// written either as a number (2, 0.1) or as a string holding one ("2.5"); it is
// always written back as a JSON number. The decimal text is kept as given so no
// precision is lost on the way through.
//
// +kubebuilder:validation:Type=number
type Amount struct {
	// Value is the decimal text of the number, without quotes.
	Value []byte `json:"value"`
}

// NewAmount returns an Amount holding the decimal text s.
func NewAmount(s string) Amount {
	return Amount{Value: []byte(s)}
}

// UnmarshalJSON accepts a JSON number or a JSON string holding a decimal number.
func (a *Amount) UnmarshalJSON(data []byte) error {
	text := strings.TrimSpace(string(data))
	if strings.HasPrefix(text, `"`) {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fmt.Errorf("decoding amount %s: %w", text, err)
		}
		text = strings.TrimSpace(s)
	}
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return fmt.Errorf("decoding amount %s: not a decimal number", string(data))
	}
	// ParseFloat accepts forms JSON does not (hex, "Inf", a leading "+"): keep only
	// text that is also a valid JSON number so MarshalJSON stays valid.
	if !json.Valid([]byte(text)) {
		return fmt.Errorf("decoding amount %s: not a decimal number", string(data))
	}
	a.Value = []byte(text)
	return nil
}

// MarshalJSON writes the amount as a JSON number.
func (a Amount) MarshalJSON() ([]byte, error) {
	if len(a.Value) == 0 {
		return []byte("0"), nil
	}
	if !json.Valid(a.Value) {
		return nil, fmt.Errorf("encoding amount %q: not a decimal number", string(a.Value))
	}
	return a.Value, nil
}

// Float64 returns the amount as a float64.
func (a *Amount) Float64() (float64, error) {
	f, err := strconv.ParseFloat(string(a.Value), 64)
	if err != nil {
		return 0, fmt.Errorf("parsing amount %q: %w", string(a.Value), err)
	}
	return f, nil
}

// String returns the decimal text of the amount.
func (a Amount) String() string {
	return string(a.Value)
}
