package transform

import (
	"encoding/json"
)

// DecodeValue is json.Unmarshal(data, &v) for an any v: the value a jq
// program runs on (objects are map[string]any, numbers float64). Objects,
// the usual event data, go through the same fast decoder as a transform's
// input. Other packages that run jq on event data (trigger parameter
// expressions) use it so that they see exactly what a transform sees.
func DecodeValue(data []byte) (any, error) {
	if firstByte(data) == '{' {
		m, err := decodeObject(data)
		if err != nil {
			return nil, err
		}
		return m, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// EncodeValue is json.Marshal(v) for a jq result, refusing one larger than
// limit bytes or nested deeper than MaxDepth (ErrOutputTooLarge), as a
// transform's result is encoded.
func EncodeValue(v any, limit int) ([]byte, error) {
	return encode(v, limit, 0)
}

// firstByte is the first byte of data that is not JSON white space, or 0.
func firstByte(data []byte) byte {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}
