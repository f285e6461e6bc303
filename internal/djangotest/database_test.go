package djangotest

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

var kinds = []string{"sqlite", "postgres", "mysql"}

// A missing test variable fails the test under CI (CI=true, as CI systems
// set it) and skips it otherwise.
func TestFailWhenMissing(t *testing.T) {
	for ci, want := range map[string]bool{
		"": false, "false": false, "0": false, "no": false,
		"true": true, "TRUE": true, "True": true, "1": true, " true ": true,
	} {
		got := failWhenMissing(func(name string) string {
			if name != "CI" {
				t.Fatalf("failWhenMissing read %q, want only CI", name)
			}
			return ci
		})
		if got != want {
			t.Errorf("CI=%q: failWhenMissing = %v, want %v", ci, got, want)
		}
	}
}

// A set variable is returned as is, whatever CI says.
func TestRequireEnvSet(t *testing.T) {
	t.Setenv("DJANGOBRIDGE_TEST_X", "value")
	t.Setenv("CI", "true")
	if got := requireEnv(t, "DJANGOBRIDGE_TEST_X"); got != "value" {
		t.Fatalf("requireEnv = %q", got)
	}
}

func TestSplitStatements(t *testing.T) {
	got := splitStatements("-- header\n-- more; stuff\nCREATE TABLE a (x int);\nINSERT INTO a VALUES ('x;y');\n\n-- tail\n")
	want := []string{"CREATE TABLE a (x int)", "INSERT INTO a VALUES ('x;y')"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("splitStatements = %q, want %q", got, want)
	}
}

// Every committed schema replays on an empty database of its kind and holds
// what migrate left there: Django's tables, the 20 permissions of
// contenttypes/auth/sessions, and id sequences that continue after them.
func TestSchemasReplay(t *testing.T) {
	for _, rel := range Releases {
		for _, kind := range kinds {
			t.Run(rel+"/"+kind, func(t *testing.T) {
				t.Parallel()
				db := NewDatabaseRelease(t, kind, rel)
				count := func(q string) int {
					t.Helper()
					var n int
					if kind == "postgres" {
						ctx := context.Background()
						c, err := pgx.Connect(ctx, db.DSN)
						if err != nil {
							t.Fatal(err)
						}
						defer c.Close(ctx)
						if err := c.QueryRow(ctx, q).Scan(&n); err != nil {
							t.Fatalf("%s: %v", q, err)
						}
						return n
					}
					h := db.Open(t)
					if err := h.QueryRow(q).Scan(&n); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
					return n
				}
				for _, table := range []string{"auth_user", "auth_group", "auth_user_groups", "auth_user_user_permissions",
					"auth_group_permissions", "django_session"} {
					if n := count("SELECT COUNT(*) FROM " + table); n != 0 {
						t.Errorf("%s has %d rows, want 0", table, n)
					}
				}
				if n := count("SELECT COUNT(*) FROM auth_permission"); n != 20 {
					t.Errorf("auth_permission has %d rows, want 20", n)
				}
				if n := count("SELECT COUNT(*) FROM django_content_type"); n != 5 {
					t.Errorf("django_content_type has %d rows, want 5", n)
				}
				if n := count("SELECT COUNT(*) FROM django_migrations"); n < 15 {
					t.Errorf("django_migrations has %d rows, want the migrations of contenttypes, auth and sessions", n)
				}
				// A new row gets the next id (the sequences were reset after the explicit ids).
				ins := "INSERT INTO django_content_type (app_label, model) VALUES ('djbt', 'probe')"
				if kind == "postgres" {
					ctx := context.Background()
					c, err := pgx.Connect(ctx, db.DSN)
					if err != nil {
						t.Fatal(err)
					}
					defer c.Close(ctx)
					if _, err := c.Exec(ctx, ins); err != nil {
						t.Fatal(err)
					}
				} else if _, err := db.Open(t).Exec(ins); err != nil {
					t.Fatal(err)
				}
				if n := count("SELECT id FROM django_content_type WHERE app_label = 'djbt'"); n != 6 {
					t.Errorf("new content type got id %d, want 6", n)
				}
			})
		}
	}
}

// Real Django runs on each database kind: on an empty database its migrate
// creates the permissions and records the migrations the committed schema
// holds, and on a database made from the committed schema migrate has
// nothing left to do (it would fail creating existing tables otherwise).
// One process per release serves all six databases, as DATABASES aliases.
func TestDjangoOnEachDatabase(t *testing.T) {
	for _, rel := range Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			dbs := map[string]string{}
			for _, kind := range kinds {
				dbs[kind+"_empty"] = NewEmptyDatabase(t, kind).URL
				dbs[kind+"_schema"] = NewDatabaseRelease(t, kind, rel).URL
			}
			d := Start(t, rel, Config{DatabaseURL: dbs["sqlite_empty"], Databases: dbs})
			for _, kind := range kinds {
				empty, replayed := kind+"_empty", kind+"_schema"
				d.Do(t, "migrate", map[string]any{"database": empty}, nil)
				var rows [][]any
				d.Do(t, "sql", map[string]any{"database": empty, "sql": "SELECT codename FROM auth_permission ORDER BY id"}, &rows)
				if len(rows) != 20 || rows[0][0] != "add_contenttype" {
					t.Fatalf("%s: after migrate: permissions %v", kind, rows)
				}
				q := map[string]any{"sql": "SELECT app, name FROM django_migrations ORDER BY id"}
				var migrated, recorded [][]any
				q["database"] = empty
				d.Do(t, "sql", q, &migrated)
				q["database"] = replayed
				d.Do(t, "sql", q, &recorded)
				if !reflect.DeepEqual(migrated, recorded) {
					t.Errorf("%s: schema file records migrations %v, Django applies %v", kind, recorded, migrated)
				}
				d.Do(t, "migrate", map[string]any{"database": replayed}, nil)
				var n [][]int
				d.Do(t, "sql", map[string]any{
					"database": replayed,
					"sql":      "SELECT COUNT(*) FROM auth_permission WHERE codename LIKE %s",
					"params":   []any{"%session"},
				}, &n)
				if n[0][0] != 4 {
					t.Errorf("%s: session permissions = %v, want 4", kind, n)
				}
			}
		})
	}
}

// NewDatabase URLs have the documented shapes.
func TestDatabaseURLShapes(t *testing.T) {
	db := NewDatabase(t, "sqlite")
	if !strings.HasPrefix(db.URL, "sqlite:///") || !strings.HasPrefix(db.DSN, "file:/") || db.Driver != "sqlite" {
		t.Errorf("sqlite database = %+v", db)
	}
	cfg, err := mysqlConfig("mysql://u:p%40ss@db.example:3307/name")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "u" || cfg.Passwd != "p@ss" || cfg.Addr != "db.example:3307" || cfg.DBName != "name" {
		t.Errorf("mysqlConfig = %+v", cfg)
	}
	if got := cfg.FormatDSN(); got != "u:p@ss@tcp(db.example:3307)/name" {
		t.Errorf("DSN = %q", got)
	}
}
