package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Document is one object loaded from a manifest.
type Document struct {
	// File is the file the document came from, as given or found.
	File string
	// Index is the document's place among the non-empty documents of its
	// file, from 0.
	Index int
	// Line is the line the document's content starts on.
	Line int
	// APIVersion, Kind, Name and Namespace are read from the document.
	APIVersion, Kind, Name, Namespace string
	// Object is the decoded object: the pointer the kind's New returned.
	Object any
	// Positions maps the document's field paths to lines.
	Positions *Positions
	// Raw is the document converted to JSON, exactly as
	// sigs.k8s.io/yaml.YAMLToJSON converts it.
	Raw []byte
}

// loadData loads the documents of one file. explicit says whether the file
// was named by the caller, which makes an empty file an error rather than a
// warning.
func loadData(name string, data []byte, explicit bool, opts Options) ([]Document, Diagnostics) {
	var docs []Document
	var diags Diagnostics
	dec := yaml.NewDecoder(bytes.NewReader(data))
	count := 0
	syntaxErr := false
	for {
		var n yaml.Node
		err := callSafely(func() error { return dec.Decode(&n) })
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			diags = append(diags, syntaxError(name, data, err))
			syntaxErr = true
			break
		}
		if isEmptyDocument(&n) {
			continue
		}
		doc, ddiags := loadDocument(name, &n, count, opts)
		count++
		if doc != nil {
			docs = append(docs, *doc)
		}
		diags = append(diags, ddiags...)
	}
	if count == 0 && !syntaxErr {
		d := Diagnostic{File: name, Message: "empty manifest: no YAML documents"}
		if !explicit {
			d.Severity = Warning
		}
		diags = append(diags, d)
	}
	diags.sortByPosition()
	return docs, diags
}

// isEmptyDocument reports whether a document has no content or only null,
// as an empty "---" section has.
func isEmptyDocument(n *yaml.Node) bool {
	if len(n.Content) == 0 {
		return true
	}
	c := n.Content[0]
	if c.Kind != yaml.ScalarNode {
		return false
	}
	v, err := resolveScalar(c)
	return err == nil && v == nil
}

// syntaxLine splits yaml.v3's "yaml: line 12: message" errors.
var syntaxLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parserProblems are the messages of yaml.v3's parser (as opposed to its
// scanner). For those, yaml.v3 prints the 0-based line of the construct
// being parsed and leaves the line out when it is 0, so 1 must be added.
var parserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// syntaxError turns a yaml.v3 parse error into a diagnostic with the right
// line. data is the file being parsed, used to locate errors that yaml.v3
// reports without a line.
func syntaxError(name string, data []byte, err error) Diagnostic {
	d := Diagnostic{File: name}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := syntaxLine.FindStringSubmatch(err.Error()); m != nil {
		d.Line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	switch {
	case slices.Contains(parserProblems, msg):
		d.Line++
	case d.Line > 0:
	case strings.HasPrefix(msg, "unknown anchor '"):
		anchor := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		if i := bytes.Index(data, []byte("*"+anchor)); i >= 0 {
			d.Line = lineAt(data, i)
		}
	case strings.Contains(msg, "UTF-8") || msg == "control characters are not allowed" || msg == "invalid Unicode character":
		if i := firstUnprintable(data); i >= 0 {
			d.Line = lineAt(data, i)
		}
	case !strings.HasPrefix(msg, "input error"):
		// Scanner errors leave the line out when it is the first one.
		d.Line = 1
	}
	d.Message = "YAML syntax: " + msg
	return d
}

// lineAt returns the 1-based line of a byte offset.
func lineAt(data []byte, offset int) int {
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// firstUnprintable returns the offset of the first byte that is not valid
// UTF-8 or not a character YAML allows, or -1.
func firstUnprintable(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		printable := r == '\t' || r == '\n' || r == '\r' || r == 0x85 ||
			(r >= 0x20 && r <= 0x7E) || (r >= 0xA0 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD && (r != 0xFEFF || i == 0)) || r >= 0x10000
		if (r == utf8.RuneError && size <= 1) || !printable {
			return i
		}
		i += size
	}
	return -1
}

// loadDocument identifies, checks and decodes one document.
func loadDocument(file string, n *yaml.Node, index int, opts Options) (*Document, Diagnostics) {
	line := n.Line
	if len(n.Content) > 0 {
		line = n.Content[0].Line
	}
	diag := func(sev Severity, path, format string, args ...any) Diagnostics {
		return Diagnostics{{File: file, Line: line, Path: path, Severity: sev, Message: fmt.Sprintf(format, args...)}}
	}
	root, err := convertDocument(n)
	if err != nil {
		return nil, diag(Error, "", "%s", err)
	}
	if root.kind != objectValue {
		if root.err != "" {
			return nil, diag(Error, "", "%s", root.err)
		}
		return nil, diag(Warning, "", "skipping a document that is a %s, not an object", root.kind)
	}

	kind, apiVersion, ds := identify(root, opts.Kinds)
	if ds != nil {
		for i := range ds {
			ds[i].File, ds[i].Line = file, line
			if m := root.member(ds[i].Path); m != nil {
				ds[i].Line, ds[i].Column = m.line, m.column
			}
		}
		return nil, ds
	}

	obj := kind.New()
	pos := newPositions(Position{Line: root.line, Column: root.column})
	c := checker{strict: opts.Strict, pos: pos}
	c.check(root, reflect.TypeOf(obj).Elem(), "")
	diags := c.diags
	for i := range diags {
		diags[i].File = file
	}
	if diags.HasErrors() {
		return nil, diags
	}
	raw, err := json.Marshal(root.toAny())
	if err == nil {
		err = json.Unmarshal(raw, obj)
	}
	if err != nil {
		return nil, append(diags, diag(Error, "", "decoding %s: %s", kind.Kind, err)...)
	}
	meta := root.get("metadata")
	name, _ := meta.get("name").str()
	namespace, _ := meta.get("namespace").str()
	return &Document{
		File: file, Index: index, Line: root.line,
		APIVersion: apiVersion, Kind: kind.Kind, Name: name, Namespace: namespace,
		Object: obj, Positions: pos, Raw: raw,
	}, diags
}

// identify finds the registered kind of a document from its apiVersion and
// kind. When the document is not one to load it returns diagnostics instead
// (without file and line): a note for foreign kinds, a warning when the
// kind looks like a misspelt registered one, an error for a registered kind
// with a wrong or missing apiVersion.
func identify(root *value, kinds Kinds) (Kind, string, Diagnostics) {
	note := func(sev Severity, path, format string, args ...any) Diagnostics {
		return Diagnostics{{Path: path, Severity: sev, Message: fmt.Sprintf(format, args...)}}
	}
	kindName, ok := root.get("kind").str()
	switch {
	case root.get("kind") == nil:
		return Kind{}, "", note(Warning, "", "skipping a document without a kind")
	case !ok || kindName == "":
		return Kind{}, "", note(Warning, "kind", "skipping a document whose kind is not a name")
	}
	apiVersion, _ := root.get("apiVersion").str()
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		if _, known := kinds.similar("", kindName); known || kinds.hasName(kindName) {
			return Kind{}, "", note(Error, "apiVersion", "invalid apiVersion %q: %s", apiVersion, err)
		}
		return Kind{}, "", note(Info, "", "skipping %s (not %s)", kindName, kinds.describe())
	}
	kind, ok := kinds.lookup(gv.Group, kindName)
	if !ok {
		if apiVersion == "" && kinds.hasName(kindName) {
			k, _ := kinds.similar("", kindName)
			return Kind{}, "", note(Error, "apiVersion", "missing apiVersion: want %s", k.preferred())
		}
		if k, ok := kinds.similar(gv.Group, kindName); ok {
			return Kind{}, "", note(Warning, "", "skipping %s %s: did you mean %s %s?", apiVersion, kindName, k.preferred(), k.Kind)
		}
		return Kind{}, "", note(Info, "", "skipping %s (not %s)", kindName, kinds.describe())
	}
	if !slices.Contains(kind.Versions, gv.Version) {
		return Kind{}, "", note(Error, "apiVersion", "unsupported apiVersion %q for %s: want %s", apiVersion, kindName, kind.preferred())
	}
	return kind, apiVersion, nil
}
