package djangobridge

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoVersionComparisonOutsideReleaseTable walks every Go file of the
// module (tests included) and fails on any version comparison outside the
// rules table: a call of Version.AtLeast, or a comparison (<, <=, >, >=, ==,
// !=) of a .Major, .Minor or .Patch field. Rules that differ between Django
// releases live in release.go (Release, ReleaseOf) and nowhere else.
func TestNoVersionComparisonOutsideReleaseTable(t *testing.T) {
	allowed := map[string]bool{"release.go": true, "settings.go": true}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || allowed[path] {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		isVersionField := func(e ast.Expr) bool {
			sel, ok := e.(*ast.SelectorExpr)
			return ok && (sel.Sel.Name == "Major" || sel.Sel.Name == "Minor" || sel.Sel.Name == "Patch")
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "AtLeast" {
					t.Errorf("%s: a version comparison (AtLeast) outside release.go: add a field to Release instead", fset.Position(n.Pos()))
				}
			case *ast.BinaryExpr:
				switch n.Op {
				case token.LSS, token.LEQ, token.GTR, token.GEQ, token.EQL, token.NEQ:
					if isVersionField(n.X) || isVersionField(n.Y) {
						t.Errorf("%s: a comparison of a Django version field outside release.go: add a field to Release instead", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
