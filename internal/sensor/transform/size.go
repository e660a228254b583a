package transform

import (
	"fmt"
	"math/big"
)

// MaxDepth is the deepest nesting of arrays and objects a result may have,
// the limit encoding/json applies when decoding.
const MaxDepth = 10000

// checkSize fails when v, encoded as JSON, would be larger than limit bytes
// or nest deeper than MaxDepth. It counts a lower bound of the encoded size
// and stops as soon as the limit is passed, so an enormous result is refused
// without being encoded. encode needs it only for values it leaves to
// encoding/json.
func checkSize(v any, limit int) error {
	w := sizeWalker{limit: limit}
	if !w.walk(v, 0) {
		return errTooLarge(w.tooDeep, limit)
	}
	return nil
}

func errTooLarge(deep bool, limit int) error {
	if deep {
		return fmt.Errorf("%w: nested deeper than %d", ErrOutputTooLarge, MaxDepth)
	}
	return fmt.Errorf("%w: more than %d bytes", ErrOutputTooLarge, limit)
}

type sizeWalker struct {
	n, limit int
	tooDeep  bool
}

// add counts k bytes; false once past the limit.
func (w *sizeWalker) add(k int) bool {
	w.n += k
	return w.n <= w.limit
}

func (w *sizeWalker) walk(v any, depth int) bool {
	if depth > MaxDepth {
		w.tooDeep = true
		return false
	}
	switch v := v.(type) {
	case nil:
		return w.add(4)
	case bool:
		return w.add(4)
	case string:
		return w.add(len(v) + 2)
	case *big.Int:
		return w.add(len(v.Bits()) * 8)
	case map[string]any:
		if !w.add(2 + commas(len(v))) {
			return false
		}
		for k, e := range v {
			if !w.add(len(k)+3) || !w.walk(e, depth+1) {
				return false
			}
		}
		return true
	case []any:
		if !w.add(2 + commas(len(v))) {
			return false
		}
		for _, e := range v {
			if !w.walk(e, depth+1) {
				return false
			}
		}
		return true
	default:
		return w.add(1)
	}
}

// commas is the number of separators between n elements.
func commas(n int) int { return max(n-1, 0) }
