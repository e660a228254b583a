package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
)

// apiDocs holds the doc comments of the api/v1alpha1 Go types, read from
// their source: reflection gives field names and types but not comments.
type apiDocs struct {
	types map[string]*typeDoc
	// enums lists, per named type, the values of its typed constants in
	// declaration order, e.g. KubernetesResourceOperation → create, update, ...
	enums map[string][]string
}

// typeDoc is the doc comment of one type and of each of its fields, by Go
// field name (embedded fields under their type's name).
type typeDoc struct {
	doc    string
	fields map[string]fieldDoc
}

// fieldDoc is one field's comment with its kubebuilder markers split off.
type fieldDoc struct {
	doc      string
	optional bool
}

// readAPIDocs parses the non-test Go files of dir.
func readAPIDocs(dir string) (*apiDocs, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	d := &apiDocs{types: map[string]*typeDoc{}, enums: map[string][]string{}}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(filepath.Base(name), "zz_generated") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", name, err)
		}
		for _, decl := range f.Decls {
			if gd, ok := decl.(*ast.GenDecl); ok {
				d.addDecl(gd)
			}
		}
	}
	if len(d.types) == 0 {
		return nil, fmt.Errorf("no Go types found in %s", dir)
	}
	return d, nil
}

func (d *apiDocs) addDecl(gd *ast.GenDecl) {
	switch gd.Tok {
	case token.TYPE:
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			doc := ts.Doc
			if doc == nil {
				doc = gd.Doc
			}
			td := &typeDoc{doc: text(doc).doc, fields: map[string]fieldDoc{}}
			if st, ok := ts.Type.(*ast.StructType); ok {
				for _, f := range st.Fields.List {
					fd := text(f.Doc)
					for _, n := range f.Names {
						td.fields[n.Name] = fd
					}
					if len(f.Names) == 0 {
						td.fields[embeddedName(f.Type)] = fd
					}
				}
			}
			d.types[ts.Name.Name] = td
		}
	case token.CONST:
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			typ, ok := vs.Type.(*ast.Ident)
			if !ok {
				continue
			}
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						d.enums[typ.Name] = append(d.enums[typ.Name], s)
					}
				}
			}
		}
	}
}

// embeddedName is the field name Go gives an embedded field of type expr.
func embeddedName(expr ast.Expr) string {
	switch e := expr.(type) {
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// text turns a comment group into one paragraph of prose: marker lines
// (+optional, +kubebuilder:...) are dropped, +optional is remembered, and the
// lines are joined with spaces.
func text(cg *ast.CommentGroup) fieldDoc {
	var fd fieldDoc
	if cg == nil {
		return fd
	}
	var paras []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			paras = append(paras, strings.Join(cur, " "))
			cur = nil
		}
	}
	for line := range strings.SplitSeq(cg.Text(), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "+optional":
			fd.optional = true
		case strings.HasPrefix(line, "+"):
		case line == "":
			flush()
		default:
			cur = append(cur, line)
		}
	}
	flush()
	fd.doc = strings.Join(paras, "\n\n")
	return fd
}
