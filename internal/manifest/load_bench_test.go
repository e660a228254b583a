package manifest

import (
	"bytes"
	"os"
	"testing"

	sigsyaml "sigs.k8s.io/yaml"
)

// BenchmarkLoadBytes loads a Sensor with anchors, custom types and untyped
// fields, one document and a hundred in one stream.
func BenchmarkLoadBytes(b *testing.B) {
	one, err := os.ReadFile("testdata/cases/good-sensor.yml")
	if err != nil {
		b.Fatal(err)
	}
	many := bytes.Repeat(append([]byte("---\n"), one...), 100)
	opts := Options{Kinds: testKinds()}
	for _, bc := range []struct {
		name string
		data []byte
		docs int
	}{{"1doc", one, 1}, {"100docs", many, 100}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			b.ReportAllocs()
			for b.Loop() {
				docs, diags, err := LoadBytes("bench.yml", bc.data, opts)
				if err != nil || len(docs) != bc.docs || len(diags) != 0 {
					b.Fatalf("got %d documents, %v, %v", len(docs), diags, err)
				}
			}
			b.ReportMetric(float64(bc.docs*b.N)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkSigsYAMLUnmarshal is the baseline: a lenient decode of the same
// document with sigs.k8s.io/yaml, without positions or checks.
func BenchmarkSigsYAMLUnmarshal(b *testing.B) {
	one, err := os.ReadFile("testdata/cases/good-sensor.yml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(one)))
	b.ReportAllocs()
	for b.Loop() {
		var s testSensor
		if err := sigsyaml.Unmarshal(one, &s); err != nil {
			b.Fatal(err)
		}
	}
}
