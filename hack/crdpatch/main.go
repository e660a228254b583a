// Command crdpatch post-processes the CRDs controller-gen writes so that the API
// server keeps fields it does not know, as Argo Events' own CRDs do.
//
// Argo Events decodes its objects with encoding/json, which ignores unknown keys
// and matches keys case-insensitively: a Sensor that spells `openwhisk` still gets
// an openWhisk trigger. A structural schema would prune such keys on the way into
// etcd and change what the manifest means. Marking every object node with
// x-kubernetes-preserve-unknown-fields keeps the schema's type checks for known
// fields and leaves unknown ones for Herald's validator to warn about.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: crdpatch DIR")
		os.Exit(2)
	}
	files, err := filepath.Glob(filepath.Join(os.Args[1], "*.yaml"))
	if err != nil || len(files) == 0 {
		fmt.Fprintln(os.Stderr, "crdpatch: no CRD files in", os.Args[1])
		os.Exit(1)
	}
	for _, f := range files {
		if err := patchFile(f); err != nil {
			fmt.Fprintln(os.Stderr, "crdpatch:", err)
			os.Exit(1)
		}
	}
}

func patchFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict(data, &crd); err != nil {
		return fmt.Errorf("decoding %s: %w", path, err)
	}
	for i := range crd.Spec.Versions {
		if s := crd.Spec.Versions[i].Schema; s != nil && s.OpenAPIV3Schema != nil {
			preserve(s.OpenAPIV3Schema, true)
		}
	}
	// Marshal through a map to leave out the empty status the types always write.
	js, err := json.Marshal(&crd)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	delete(m, "status")
	out, err := yaml.Marshal(m)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return os.WriteFile(path, append([]byte("---\n"), out...), 0o644)
}

// preserve marks object nodes below the root (apiVersion, kind and metadata are
// the API server's business and stay as they are).
func preserve(s *apiextensionsv1.JSONSchemaProps, root bool) {
	if s.Type == "object" && len(s.Properties) > 0 && !root {
		t := true
		s.XPreserveUnknownFields = &t
	}
	for name, p := range s.Properties {
		if root && name == "metadata" {
			continue
		}
		preserve(&p, false)
		s.Properties[name] = p
	}
	if s.Items != nil && s.Items.Schema != nil {
		preserve(s.Items.Schema, false)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
		preserve(s.AdditionalProperties.Schema, false)
	}
}
