package djangoschema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The embedded copies must be exactly what testdata/gen made from Django
// 5.2's migrate; after regenerating testdata, copy the files here again.
func TestCopiesEqualTestdata(t *testing.T) {
	for _, kind := range Kinds {
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "django", "5.2", "schema_"+kind+".sql"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := files.ReadFile("schema_" + kind + ".sql")
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("internal/djangoschema/schema_%s.sql differs from testdata/django/5.2/schema_%s.sql: copy it again", kind, kind)
		}
	}
}

func TestStatements(t *testing.T) {
	for _, kind := range Kinds {
		st, err := Statements(kind)
		if err != nil {
			t.Fatal(err)
		}
		var session, perms int
		for _, s := range st {
			if strings.HasPrefix(s, "--") || strings.HasSuffix(s, ";") {
				t.Errorf("%s: statement not cut cleanly: %q", kind, s)
			}
			if strings.Contains(s, "CREATE TABLE") && strings.Contains(s, "django_session") {
				session++
			}
			if strings.HasPrefix(s, "INSERT INTO") && strings.Contains(s, "auth_permission") {
				perms++
			}
		}
		if session != 1 || perms != 20 {
			t.Errorf("%s: %d django_session tables, %d permission rows; want 1 and 20", kind, session, perms)
		}
	}
	if _, err := Statements("oracle"); err == nil {
		t.Error("Statements(oracle) did not fail")
	}
}

func TestSplit(t *testing.T) {
	got := Split("-- c\nCREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\n")
	if len(got) != 2 || got[0] != "CREATE TABLE a (x int)" || got[1] != "INSERT INTO a VALUES (1)" {
		t.Errorf("Split = %q", got)
	}
}
