// Package djangoschema holds the tables Django 5.2's migrate creates for
// contenttypes, auth and sessions, per database kind, so that sqlstore and
// pgxstore can create a Django-shaped database without Python.
//
// The files are copies of testdata/django/5.2/schema_<kind>.sql, which
// testdata/gen/gen_schema.py dumped from a real migrate (DDL, the
// django_migrations rows, and the content types and permissions
// post_migrate inserts); a test keeps the copies equal to testdata.
// The tables have been the same since Django 3.2 (auth has had no migration
// after 0012), so a database created from them serves 3.2, 4.2 and 5.2.
package djangoschema

import (
	"embed"
	"fmt"
	"strings"
)

//go:embed schema_sqlite.sql schema_postgres.sql schema_mysql.sql
var files embed.FS

// Kinds are the database kinds with a schema.
var Kinds = []string{"sqlite", "postgres", "mysql"}

// MarkerTable is a table the schema creates and Django's migrate always
// creates first; its presence means the database was already migrated.
const MarkerTable = "django_migrations"

// Statements returns the schema of kind ("sqlite", "postgres" or "mysql")
// as statements, without their trailing semicolons, in order.
func Statements(kind string) ([]string, error) {
	b, err := files.ReadFile("schema_" + kind + ".sql")
	if err != nil {
		return nil, fmt.Errorf("djangoschema: no schema for %q (want sqlite, postgres or mysql)", kind)
	}
	return Split(string(b)), nil
}

// Split cuts a schema file into statements: each ends with ";" at the end
// of a line; lines starting with "--" are comments.
func Split(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") && cur.Len() == 0 {
			continue
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(line)
		if strings.HasSuffix(strings.TrimRight(line, " \t\r"), ";") {
			s := strings.TrimSpace(cur.String())
			out = append(out, strings.TrimSuffix(s, ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}
