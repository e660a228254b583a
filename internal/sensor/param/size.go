package param

import "reflect"

// sizeOf estimates how many bytes v takes once printed or encoded as JSON,
// and stops counting as soon as the estimate passes limit (so cyclic or
// heavily shared structures, which templates can build with sprig's set and
// list, cost at most limit steps). Every node counts for at least one byte,
// and a structure nested deeper than maxDepth counts as too big.
func sizeOf(v any, limit int) int {
	s := sizer{limit: limit}
	s.add(v)
	return s.n
}

const maxDepth = 10000

type sizer struct {
	n, limit, depth int
}

func (s *sizer) over() bool { return s.n > s.limit }

func (s *sizer) add(v any) {
	if s.over() {
		return
	}
	s.depth++
	defer func() { s.depth-- }()
	if s.depth > maxDepth {
		s.n = s.limit + 1
		return
	}
	switch x := v.(type) {
	case nil:
		s.n += 4
	case string:
		s.n += len(x) + 2
	case []byte:
		s.n += len(x) + 2
	case bool, int, int64, int32, uint, uint64, float64, float32:
		s.n += 8
	case []any:
		s.n += 2
		for _, e := range x {
			if s.over() {
				return
			}
			s.n++
			s.add(e)
		}
	case []string:
		s.n += 2
		for _, e := range x {
			if s.over() {
				return
			}
			s.n += len(e) + 3
		}
	case map[string]any:
		s.n += 2
		for k, e := range x {
			if s.over() {
				return
			}
			s.n += len(k) + 4
			s.add(e)
		}
	case reflect.Value:
		s.addValue(x)
	default:
		s.addValue(reflect.ValueOf(v))
	}
}

func (s *sizer) addValue(v reflect.Value) {
	if s.over() {
		return
	}
	if !v.IsValid() {
		s.n += 4
		return
	}
	switch v.Kind() {
	case reflect.String:
		s.n += v.Len() + 2
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			s.n += v.Len() + 2
			return
		}
		s.n += 2
		for i := 0; i < v.Len() && !s.over(); i++ {
			s.n++
			s.addElem(v.Index(i))
		}
	case reflect.Map:
		s.n += 2
		it := v.MapRange()
		for it.Next() && !s.over() {
			s.n += 2
			s.addElem(it.Key())
			s.addElem(it.Value())
		}
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			s.n += 4
			return
		}
		s.n++
		s.addElem(v.Elem())
	case reflect.Struct:
		s.n += 2
		for i := 0; i < v.NumField() && !s.over(); i++ {
			s.n++
			s.addElem(v.Field(i))
		}
	default:
		s.n += 8
	}
}

// addElem goes back to the fast path when the value is exported-readable.
func (s *sizer) addElem(v reflect.Value) {
	if v.IsValid() && v.CanInterface() {
		s.add(v.Interface())
		return
	}
	s.addValue(v)
}
