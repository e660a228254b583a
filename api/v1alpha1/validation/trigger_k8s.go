package validation

import (
	"encoding/json"
	"net/url"
	"strings"

	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/herald-dev/herald/api/v1alpha1"
)

// patchStrategies are the patch content types a patch operation may use.
var patchStrategies = map[k8stypes.PatchType]bool{
	k8stypes.MergePatchType:          true,
	k8stypes.StrategicMergePatchType: true,
	k8stypes.JSONPatchType:           true,
	k8stypes.ApplyYAMLPatchType:      true,
}

// validateK8sTrigger checks a k8s trigger's manifest location, operation,
// patch strategy and liveObject. Its parameters are checked by the caller.
// rewritten holds the template paths that trigger-level parameters replace at
// run time.
func validateK8sTrigger(r *report, path *field.Path, k *v1alpha1.StandardK8STrigger, s Support, rewritten map[string]bool) {
	validateArtifactLocation(r, path.Child("source"), k.Source, "k8s", s, k.Parameters)
	opPath := path.Child("operation")
	switch k.Operation {
	case "", v1alpha1.K8sOperationCreate, v1alpha1.K8sOperationUpdate, v1alpha1.K8sOperationPatch, v1alpha1.K8sOperationDelete:
	case v1alpha1.K8sOperationApply:
		r.warn(invalid(opPath, string(k.Operation), "operation apply is a Herald extension: Argo Events rejects this sensor"))
	default:
		r.add(invalid(opPath, string(k.Operation), "unknown operation %q (want create, update, patch, delete, apply)", k.Operation))
	}
	// When a trigger-level parameter sets the operation, the one written here
	// is only a default and the warnings below would be guesses.
	op := k.Operation
	if op == "" {
		op = v1alpha1.K8sOperationCreate
	}
	opFixed := !rewritten["k8s.operation"]
	if k.PatchStrategy != "" {
		switch {
		case !patchStrategies[k.PatchStrategy]:
			r.add(invalid(path.Child("patchStrategy"), string(k.PatchStrategy),
				"unknown patch strategy %q (want application/merge-patch+json, application/strategic-merge-patch+json, application/json-patch+json, application/apply-patch+yaml)", k.PatchStrategy))
		case opFixed && op != v1alpha1.K8sOperationPatch:
			r.warn(invalid(path.Child("patchStrategy"), string(k.PatchStrategy), "patchStrategy is ignored: only the patch operation uses it"))
		}
	}
	if k.LiveObject && opFixed && op != v1alpha1.K8sOperationUpdate {
		r.warn(invalid(path.Child("liveObject"), true, "liveObject is ignored: only the update operation reads the live object"))
	}
}

// artifactLocations lists the fields of an ArtifactLocation in the order Argo
// tries them.
var artifactLocations = []struct {
	name string
	set  func(*v1alpha1.ArtifactLocation) bool
}{
	{"s3", func(a *v1alpha1.ArtifactLocation) bool { return a.S3 != nil }},
	{"inline", func(a *v1alpha1.ArtifactLocation) bool { return a.Inline != nil }},
	{"file", func(a *v1alpha1.ArtifactLocation) bool { return a.File != nil }},
	{"url", func(a *v1alpha1.ArtifactLocation) bool { return a.URL != nil }},
	{"git", func(a *v1alpha1.ArtifactLocation) bool { return a.Git != nil }},
	{"configmap", func(a *v1alpha1.ArtifactLocation) bool { return a.Configmap != nil }},
	{"resource", func(a *v1alpha1.ArtifactLocation) bool { return a.Resource != nil }},
}

const allLocations = "resource, inline, file, url, configmap, git, s3"

// validateArtifactLocation checks that a trigger source sets exactly one
// supported location and that the location is complete. params are the
// trigger's own parameters, which may fill in the object's kind.
func validateArtifactLocation(r *report, path *field.Path, loc *v1alpha1.ArtifactLocation, kind string, s Support, params []v1alpha1.TriggerParameter) {
	if loc == nil {
		r.add(required(path, "source is required: where the object manifest is read from (want one of %s)", allLocations))
		return
	}
	supported := s.ArtifactLocations
	if supported == nil {
		supported = defaultArtifactLocations()
	}
	var found []string
	for _, l := range artifactLocations {
		if !l.set(loc) {
			continue
		}
		found = append(found, l.name)
		if !supported[l.name] {
			r.add(unsupported(path.Child(l.name), "%s trigger source %s", kind, l.name))
			continue
		}
		validateLocation(r, path.Child(l.name), l.name, loc, params)
	}
	switch len(found) {
	case 0:
		r.add(required(path, "source sets no location (want one of %s)", allLocations))
	case 1:
	default:
		r.add(invalid(path, field.OmitValueType{}, "source sets more than one location: %s (want exactly one)", strings.Join(found, ", ")))
	}
}

// validateLocation checks the content of one supported location.
func validateLocation(r *report, path *field.Path, name string, loc *v1alpha1.ArtifactLocation, params []v1alpha1.TriggerParameter) {
	switch name {
	case "inline":
		if strings.TrimSpace(*loc.Inline) == "" {
			r.add(required(path, "inline manifest is empty"))
		}
	case "file":
		if loc.File.Path == "" {
			r.add(required(path.Child("path"), "path is required: the file the manifest is read from"))
		}
	case "url":
		validateURLLocation(r, path.Child("path"), loc.URL.Path)
	case "configmap":
		if loc.Configmap.Name == "" {
			r.add(required(path.Child("name"), "name is required: the ConfigMap holding the manifest"))
		}
		if loc.Configmap.Key == "" {
			r.add(required(path.Child("key"), "key is required: the ConfigMap key holding the manifest"))
		}
	case "resource":
		validateResourceManifest(r, path, loc.Resource, params)
	}
}

func validateURLLocation(r *report, path *field.Path, raw string) {
	if raw == "" {
		r.add(required(path, "path is required: the URL the manifest is fetched from"))
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.add(invalid(path, raw, "%q is not an absolute http or https URL", raw))
	}
}

// validateResourceManifest checks that an inline object names its apiVersion
// and kind, unless a parameter sets them.
func validateResourceManifest(r *report, path *field.Path, res *v1alpha1.K8SResource, params []v1alpha1.TriggerParameter) {
	var obj map[string]any
	if len(res.Value) == 0 || json.Unmarshal(res.Value, &obj) != nil || len(obj) == 0 {
		r.add(required(path, "resource is empty: write the object to create, update, patch or delete"))
		return
	}
	for _, key := range []string{"apiVersion", "kind"} {
		if v, ok := obj[key].(string); ok && v != "" {
			continue
		}
		if paramSets(params, key) {
			continue
		}
		r.add(required(path.Child(key), "%s is required: the object's %s", key, key))
	}
}

// paramSets reports whether one of params writes dest.
func paramSets(params []v1alpha1.TriggerParameter, dest string) bool {
	for _, p := range params {
		if p.Dest == dest {
			return true
		}
	}
	return false
}
