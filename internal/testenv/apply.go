package testenv

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// Applier applies manifest files to a test API server as `kubectl apply
// --server-side --force-conflicts` does, with its own field manager.
type Applier struct {
	Dynamic dynamic.Interface
	mapper  meta.RESTMapper
	manager string
}

// NewApplier builds an Applier acting with an admin rest.Config. It maps
// kinds to resources with what the server serves now: build it after the
// CRDs the manifests need are established.
func NewApplier(cfg *rest.Config, fieldManager string) (*Applier, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("building the applier: %w", err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("building the applier: %w", err)
	}
	groups, err := restmapper.GetAPIGroupResources(dc)
	if err != nil {
		return nil, fmt.Errorf("building the applier: discovering the API: %w", err)
	}
	return &Applier{Dynamic: dyn, mapper: restmapper.NewDiscoveryRESTMapper(groups), manager: fieldManager}, nil
}

// Resource returns the client of kind gvk, scoped to namespace when the
// kind is namespaced.
func (a *Applier) Resource(gvk schema.GroupVersionKind, namespace string) (dynamic.ResourceInterface, error) {
	m, err := a.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", gvk, err)
	}
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		return a.Dynamic.Resource(m.Resource).Namespace(namespace), nil
	}
	return a.Dynamic.Resource(m.Resource), nil
}

// ApplyFile applies every document of the YAML file at path.
func (a *Applier) ApplyFile(ctx context.Context, path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(raw)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		var obj map[string]any
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return fmt.Errorf("decoding %s: %w", path, err)
		}
		if len(obj) == 0 {
			continue
		}
		u := &unstructured.Unstructured{Object: obj}
		res, err := a.Resource(u.GroupVersionKind(), u.GetNamespace())
		if err != nil {
			return fmt.Errorf("applying %s: %w", path, err)
		}
		if _, err := res.Apply(ctx, u.GetName(), u, metav1.ApplyOptions{FieldManager: a.manager, Force: true}); err != nil {
			return fmt.Errorf("applying %s %s/%s from %s: %w", u.GetKind(), u.GetNamespace(), u.GetName(), path, err)
		}
	}
}
