package transform

import (
	"reflect"
	"unsafe"
)

// minSpan is the shortest container worth remembering: shorter ones cost
// less to encode than to look up.
const minSpan = 24

// spans remembers, for decoded containers, the bytes they were decoded
// from when those bytes are exactly what encode writes for them.
//
// A container is known by its address and length. The keys hold the
// addresses as pointers, so the containers stay alive (no other container
// can take their address) while the spans do. This is sound because
// nothing changes a decoded container after decoding: gojq treats its input
// as immutable (it copies a map or array before changing it), and a Lua
// script works on tables converted from the values, never on the values.
type spans struct {
	src []byte
	at  map[containerKey]span
}

type containerKey struct {
	p unsafe.Pointer
	n int
}

// span is src[start:end], nesting height containers deep.
type span struct {
	start, end, height int
}

func (s *spans) addMap(m map[string]any, start, end, height int) {
	if s != nil && end-start >= minSpan {
		s.at[containerKey{reflect.ValueOf(m).UnsafePointer(), len(m)}] = span{start, end, height}
	}
}

func (s *spans) addSlice(a []any, start, end, height int) {
	if s != nil && end-start >= minSpan {
		s.at[containerKey{unsafe.Pointer(unsafe.SliceData(a)), len(a)}] = span{start, end, height}
	}
}

// addStandIn records the bytes an empty stand-in map stands for.
func (s *spans) addStandIn(m map[string]any, start, end, height int) {
	s.at[containerKey{reflect.ValueOf(m).UnsafePointer(), 0}] = span{start, end, height}
}

// mapBytes returns the bytes m was decoded from, if they are its encoding,
// or the bytes it stands in for.
func (s *spans) mapBytes(m map[string]any, depth int) ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	return s.bytes(containerKey{reflect.ValueOf(m).UnsafePointer(), len(m)}, depth)
}

// sliceBytes returns the bytes a was decoded from, if they are its encoding.
func (s *spans) sliceBytes(a []any, depth int) ([]byte, bool) {
	if s == nil || len(a) == 0 {
		return nil, false
	}
	return s.bytes(containerKey{unsafe.Pointer(unsafe.SliceData(a)), len(a)}, depth)
}

// bytes finds the span of k; depth is where the container sits in the
// value being encoded, so that one moved deeper still respects MaxDepth.
func (s *spans) bytes(k containerKey, depth int) ([]byte, bool) {
	sp, ok := s.at[k]
	if !ok || depth+sp.height > MaxDepth {
		return nil, false
	}
	return s.src[sp.start:sp.end], true
}
