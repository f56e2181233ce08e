// Command genreferences derives the reference table of the SIMULATED AWS provider from the generated
// reference resolvers of provider-upjet-aws (module github.com/upbound/provider-aws/v2).
//
// It reads, never copies: for every `ResolveReferences` method in
// apis/namespaced/<group>/<version>/zz_generated.resolvers.go it records which field is resolved,
// from which Ref/Refs/Selector, into which kind, with which value extractor, and the Go field path
// crossplane-runtime's error messages name. JSON field names come from the json tags of the
// package's zz_*_types.go files.
//
// Usage (from test/cluster/go/simaws), with <dir> the provider's source at v2.6.0 (the Go module
// github.com/upbound/provider-aws/v2@v2.6.0, or a checkout of the crossplane-contrib/provider-upjet-aws
// tag v2.6.0):
//
//	go run ./internal/genreferences <dir> > internal/sim/references.tsv
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type field struct {
	json string
	typ  string
}

// structs maps a struct type name to its fields by Go name.
type structs map[string]map[string]field

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genreferences <provider-aws source dir>")
		os.Exit(2)
	}
	root := filepath.Join(os.Args[1], "apis", "namespaced")
	files, err := filepath.Glob(filepath.Join(root, "*", "*", "zz_generated.resolvers.go"))
	if err != nil || len(files) == 0 {
		fmt.Fprintf(os.Stderr, "genreferences: no apis/namespaced/*/*/zz_generated.resolvers.go under %s\n", os.Args[1])
		os.Exit(1)
	}
	sort.Strings(files)
	var out bytes.Buffer
	out.WriteString("# Derived by internal/genreferences from provider-upjet-aws v2.6.0 apis/namespaced/**/zz_generated.resolvers.go.\n")
	out.WriteString("# group\tversion\tkind\tgoPath\tvaluePath\trefField\tselectorField\tmulti\tnumeric\ttargetGroup\ttargetVersion\ttargetKind\textractor\n")
	for _, f := range files {
		if err := one(f, &out); err != nil {
			fmt.Fprintf(os.Stderr, "genreferences: %s: %v\n", f, err)
			os.Exit(1)
		}
	}
	_, _ = os.Stdout.Write(out.Bytes())
}

func one(file string, out *bytes.Buffer) error {
	dir := filepath.Dir(file)
	version := filepath.Base(dir)
	group := filepath.Base(filepath.Dir(dir)) + ".aws.m.upbound.io"
	fset := token.NewFileSet()
	types, err := readTypes(fset, dir)
	if err != nil {
		return err
	}
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		return err
	}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "ResolveReferences" || fn.Recv == nil {
			continue
		}
		kind := exprString(fset, fn.Recv.List[0].Type.(*ast.StarExpr).X)
		var target []string
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := exprString(fset, call.Fun)
			switch {
			case strings.HasSuffix(name, ".GetManagedResource"):
				target = nil
				for _, a := range call.Args {
					s, _ := strconv.Unquote(a.(*ast.BasicLit).Value)
					target = append(target, s)
				}
			case name == "r.Resolve" || name == "r.ResolveMultiple":
				arg := call.Args[1]
				if u, ok := arg.(*ast.UnaryExpr); ok {
					arg = u.X
				}
				lit := arg.(*ast.CompositeLit)
				kv := map[string]ast.Expr{}
				for _, e := range lit.Elts {
					p := e.(*ast.KeyValueExpr)
					kv[p.Key.(*ast.Ident).Name] = p.Value
				}
				multi := name == "r.ResolveMultiple"
				cur := kv["CurrentValue"]
				refKey := "Reference"
				if multi {
					cur = kv["CurrentValues"]
					refKey = "References"
				}
				// The value is usually wrapped (reference.FromPtrValue(...)); a plain string field is not.
				numeric := false
				if curCall, ok := cur.(*ast.CallExpr); ok {
					fn := exprString(fset, curCall.Fun)
					numeric = strings.Contains(fn, "Float") || strings.Contains(fn, "Int")
					cur = curCall.Args[0]
				}
				goPath := exprString(fset, cur)
				valuePath, err := jsonPath(types, kind, goPath)
				if err != nil {
					panic(fmt.Sprintf("%s %s: %v", kind, goPath, err))
				}
				refPath, err := jsonPath(types, kind, exprString(fset, kv[refKey]))
				if err != nil {
					panic(fmt.Sprintf("%s ref: %v", kind, err))
				}
				selPath, err := jsonPath(types, kind, exprString(fset, kv["Selector"]))
				if err != nil {
					panic(fmt.Sprintf("%s selector: %v", kind, err))
				}
				m := "0"
				if multi {
					m = "1"
				}
				num := "0"
				if numeric {
					num = "1"
				}
				fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
					group, version, kind, goPath, valuePath, last(refPath), last(selPath), m, num,
					target[0], target[1], target[2], extractor(fset, kv["Extract"]))
			}
			return true
		})
	}
	return nil
}

func last(p string) string { return p[strings.LastIndex(p, ".")+1:] }

var paramPath = regexp.MustCompile(`^resource\.ExtractParamPath\("([^"]+)", (true|false)\)$`)

// extractor names the value extractor in a form the simulator's table understands.
func extractor(fset *token.FileSet, e ast.Expr) string {
	s := exprString(fset, e)
	switch {
	case s == "reference.ExternalName()":
		return "externalName"
	case s == "resource.ExtractResourceID()", strings.HasSuffix(s, ".TerraformID()"):
		return "id"
	case strings.HasSuffix(s, ".ARNExtractor()"):
		return "arn"
	}
	if m := paramPath.FindStringSubmatch(s); m != nil {
		if m[2] == "true" {
			return "status:" + m[1]
		}
		return "spec:" + m[1]
	}
	return "custom:" + s
}

var index = regexp.MustCompile(`\[i\d+\]$`)

// jsonPath turns mg.Spec.ForProvider.Ingress[i3].SecurityGroups into spec.forProvider.ingress[].securityGroups.
func jsonPath(types structs, kind, goPath string) (string, error) {
	parts := strings.Split(goPath, ".")
	if parts[0] != "mg" {
		return "", fmt.Errorf("path %q does not start at mg", goPath)
	}
	typ := kind
	var out []string
	for _, p := range parts[1:] {
		idx := index.MatchString(p)
		p = index.ReplaceAllString(p, "")
		fs, ok := types[typ]
		if !ok {
			return "", fmt.Errorf("no struct %s", typ)
		}
		f, ok := fs[p]
		if !ok {
			return "", fmt.Errorf("no field %s in %s", p, typ)
		}
		seg := f.json
		if idx {
			seg += "[]"
		}
		out = append(out, seg)
		typ = f.typ
	}
	return strings.Join(out, "."), nil
}

func readTypes(fset *token.FileSet, dir string) (structs, error) {
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool {
		return strings.HasSuffix(fi.Name(), "_types.go")
	}, 0)
	if err != nil {
		return nil, err
	}
	s := structs{}
	for _, p := range pkgs {
		for _, f := range p.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, sp := range g.Specs {
					ts, ok := sp.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					fields := map[string]field{}
					for _, fl := range st.Fields.List {
						if len(fl.Names) == 0 || fl.Tag == nil {
							continue
						}
						tag, _ := strconv.Unquote(fl.Tag.Value)
						j := strings.Split(reflect.StructTag(tag).Get("json"), ",")[0]
						fields[fl.Names[0].Name] = field{json: j, typ: baseType(fl.Type)}
					}
					s[ts.Name.Name] = fields
				}
			}
		}
	}
	return s, nil
}

func baseType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return baseType(t.X)
	case *ast.ArrayType:
		return baseType(t.Elt)
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return t.Sel.Name
	}
	return ""
}

func exprString(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, e)
	return b.String()
}
