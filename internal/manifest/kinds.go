package manifest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// ErrInvalidOptions is wrapped by the error Load and LoadBytes return when
// the caller's Options cannot work (no kinds, a kind without a constructor).
// It signals a programming error, never a problem in a manifest.
var ErrInvalidOptions = errors.New("invalid manifest options")

// Kind describes one object kind that a load accepts, for example
// {Group: "argoproj.io", Kind: "Sensor", Versions: []string{"v1alpha1"},
// New: func() any { return &v1alpha1.Sensor{} }}.
type Kind struct {
	// Group is the API group, the part of apiVersion before the slash
	// (empty for the core group).
	Group string
	// Kind is the object kind, matched case-sensitively.
	Kind string
	// Versions lists the accepted versions; the first is the one named in
	// messages.
	Versions []string
	// New returns a pointer to a new zero object of the kind's Go type. The
	// strict check reads the type from it and the document is decoded into
	// it.
	New func() any
}

// GroupKind returns the kind's group and kind.
func (k Kind) GroupKind() schema.GroupKind {
	return schema.GroupKind{Group: k.Group, Kind: k.Kind}
}

// preferred returns the kind's apiVersion as written in messages.
func (k Kind) preferred() string {
	return schema.GroupVersion{Group: k.Group, Version: k.Versions[0]}.String()
}

// Kinds is the list of kinds a load accepts. Documents of other kinds are
// skipped with a note. The order is the one used in messages.
type Kinds []Kind

// lookup returns the kind with the given group and kind.
func (ks Kinds) lookup(group, kind string) (Kind, bool) {
	for _, k := range ks {
		if k.Group == group && k.Kind == kind {
			return k, true
		}
	}
	return Kind{}, false
}

// similar returns a registered kind whose name matches kind apart from case
// or group, for "did you mean" hints about skipped documents.
func (ks Kinds) similar(group, kind string) (Kind, bool) {
	for _, k := range ks {
		if strings.EqualFold(k.Kind, kind) && (k.Kind != kind || k.Group != group) {
			return k, true
		}
		// A misspelt kind of the kinds' own group ("Sensr") is a near miss too.
		if k.Group == group && k.Kind != kind && editDistance(strings.ToLower(k.Kind), strings.ToLower(kind)) <= 2 {
			return k, true
		}
	}
	return Kind{}, false
}

// describe names the accepted kinds, e.g. "an argoproj.io/v1alpha1
// EventSource, Sensor or EventBus".
func (ks Kinds) describe() string {
	sameAPI := true
	for _, k := range ks[1:] {
		if k.preferred() != ks[0].preferred() {
			sameAPI = false
		}
	}
	var names []string
	for _, k := range ks {
		if sameAPI {
			names = append(names, k.Kind)
		} else {
			names = append(names, k.preferred()+" "+k.Kind)
		}
	}
	list := names[0]
	if n := len(names); n > 1 {
		list = strings.Join(names[:n-1], ", ") + " or " + names[n-1]
	}
	if sameAPI {
		list = ks[0].preferred() + " " + list
	}
	return article(list) + " " + list
}

// article returns "an" before a vowel and "a" otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("aeiouAEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}

// validate checks that the kinds can be used to load documents.
func (ks Kinds) validate() error {
	if len(ks) == 0 {
		return fmt.Errorf("%w: no kinds registered", ErrInvalidOptions)
	}
	var seen []schema.GroupKind
	for i, k := range ks {
		switch {
		case k.Kind == "":
			return fmt.Errorf("%w: kind %d has no name", ErrInvalidOptions, i)
		case len(k.Versions) == 0:
			return fmt.Errorf("%w: kind %s has no versions", ErrInvalidOptions, k.Kind)
		case k.New == nil:
			return fmt.Errorf("%w: kind %s has no constructor", ErrInvalidOptions, k.Kind)
		case slices.Contains(seen, k.GroupKind()):
			return fmt.Errorf("%w: kind %s registered twice", ErrInvalidOptions, k.GroupKind())
		}
		seen = append(seen, k.GroupKind())
		obj := k.New()
		if t := reflect.TypeOf(obj); t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || reflect.ValueOf(obj).IsNil() {
			return fmt.Errorf("%w: constructor of kind %s returns %T, want a non-nil pointer to a struct", ErrInvalidOptions, k.Kind, obj)
		}
	}
	return nil
}

// hasName reports whether a kind of this exact name is registered in any
// group.
func (ks Kinds) hasName(kind string) bool {
	return slices.ContainsFunc(ks, func(k Kind) bool { return k.Kind == kind })
}
