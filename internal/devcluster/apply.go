// Package devcluster gives `herald dev` a local Kubernetes to run against: a
// real kube-apiserver, etcd and kube-controller-manager (from the tools
// module's binaries), and a way to apply the plain Kubernetes documents of a
// manifest folder (namespaces, RBAC, ...) before Herald starts.
package devcluster

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/herald-dev/herald/internal/trigger/clients"
)

// SetupKinds are the kinds `herald dev` applies from the manifest folders
// before it starts: what Sensors and sources need to exist (namespaces,
// accounts and their rights, configuration). Workloads are left to the user.
var SetupKinds = []string{
	"Namespace", "CustomResourceDefinition", "ServiceAccount", "Role", "RoleBinding",
	"ClusterRole", "ClusterRoleBinding", "ConfigMap", "Secret",
}

// Document is one plain Kubernetes object read from a file.
type Document struct {
	File   string
	Object *unstructured.Unstructured
}

// ReadSetup returns the documents of the SetupKinds found in paths (files or
// folders), namespaces and CRDs first.
func ReadSetup(paths []string) ([]Document, error) {
	var docs []Document
	for _, p := range paths {
		files, err := yamlFiles(p)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			fd, err := readFile(f)
			if err != nil {
				return nil, err
			}
			docs = append(docs, fd...)
		}
	}
	rank := func(d Document) int {
		i := slices.Index(SetupKinds, d.Object.GetKind())
		return i
	}
	slices.SortStableFunc(docs, func(a, b Document) int { return rank(a) - rank(b) })
	return docs, nil
}

func yamlFiles(p string) ([]string, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if !info.IsDir() {
		return []string{p}, nil
	}
	var files []string
	err = filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != p {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return files, nil
}

func readFile(path string) ([]Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	rd := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs []Document
	for {
		raw, err := rd.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		u := &unstructured.Unstructured{}
		if err := utilyaml.Unmarshal(raw, &u.Object); err != nil || len(u.Object) == 0 {
			continue // lint reports broken documents; here they are not setup
		}
		if slices.Contains(SetupKinds, u.GetKind()) {
			docs = append(docs, Document{File: path, Object: u})
		}
	}
}

// Apply creates or updates docs on the cluster with server-side apply
// (field manager herald-dev).
func Apply(ctx context.Context, cfg *rest.Config, docs []Document) error {
	f := clients.NewFactory(cfg, cfg.QPS, cfg.Burst)
	mapper, err := f.Mapper()
	if err != nil {
		return fmt.Errorf("discovering the API: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return fmt.Errorf("creating a client: %w", err)
	}
	for _, d := range docs {
		gv, err := parseGroupVersion(d.Object.GetAPIVersion())
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		m, err := mapper.RESTMapping(gv[0], gv[1], d.Object.GetKind())
		if err != nil {
			return fmt.Errorf("%s: %s %s: %w", d.File, d.Object.GetKind(), d.Object.GetName(), err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if m.Scope.Name() == "namespace" {
			ns := d.Object.GetNamespace()
			if ns == "" {
				ns = metav1.NamespaceDefault
			}
			ri = dyn.Resource(m.Resource).Namespace(ns)
		}
		body, err := d.Object.MarshalJSON()
		if err != nil {
			return fmt.Errorf("%s: %w", d.File, err)
		}
		force := true
		if _, err := ri.Patch(ctx, d.Object.GetName(), types.ApplyPatchType, body, metav1.PatchOptions{FieldManager: "herald-dev", Force: &force}); err != nil {
			return fmt.Errorf("applying %s %s from %s: %w", d.Object.GetKind(), d.Object.GetName(), d.File, err)
		}
	}
	return nil
}

func parseGroupVersion(apiVersion string) ([2]string, error) {
	switch parts := strings.Split(apiVersion, "/"); len(parts) {
	case 1:
		return [2]string{"", parts[0]}, nil
	case 2:
		return [2]string{parts[0], parts[1]}, nil
	default:
		return [2]string{}, fmt.Errorf("invalid apiVersion %q", apiVersion)
	}
}
