package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func TestParseDialect(t *testing.T) {
	for name, want := range map[string]sqlstore.Dialect{"sqlite": sqlstore.SQLite, "sqlite3": sqlstore.SQLite, "postgres": sqlstore.PostgreSQL,
		"PostgreSQL": sqlstore.PostgreSQL, "pgx": sqlstore.PostgreSQL, "mysql": sqlstore.MySQL, "mariadb": sqlstore.MySQL} {
		if d, err := sqlstore.ParseDialect(name); err != nil || d != want {
			t.Errorf("ParseDialect(%q) = %v, %v", name, d, err)
		}
	}
	if _, err := sqlstore.ParseDialect("oracle"); err == nil {
		t.Error("ParseDialect(oracle) succeeded")
	}
	if s := sqlstore.Dialect(0).String(); s != "Dialect(0)" {
		t.Errorf("Dialect(0).String() = %q", s)
	}
}

// A dialect the *sql.DB's driver does not speak is refused at
// construction, naming the dialect to pass, for every wrong pairing of
// the three drivers djangobridge is tested with (sql.Open connects to
// nothing: no server is needed).
func TestDialectMismatchIsRefused(t *testing.T) {
	drivers := []struct {
		name, dsn string
		speaks    sqlstore.Dialect
		fix       string
	}{
		{"sqlite", ":memory:", sqlstore.SQLite, "pass sqlstore.SQLite"},
		{"mysql", "root@tcp(127.0.0.1:1)/x", sqlstore.MySQL, "pass sqlstore.MySQL"},
		{"pgx", "postgres://x@127.0.0.1:1/x", sqlstore.PostgreSQL, "pass sqlstore.PostgreSQL"},
	}
	s := storetest.Settings()
	for _, drv := range drivers {
		db, err := sql.Open(drv.name, drv.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.PostgreSQL, sqlstore.MySQL} {
			_, errStore := sqlstore.New(db, d, &s)
			_, errUsers := sqlstore.NewUsers(db, d, &s)
			for what, err := range map[string]error{"New": errStore, "NewUsers": errUsers} {
				if d == drv.speaks {
					if err != nil {
						t.Errorf("%s(%s driver, %v) = %v", what, drv.name, d, err)
					}
					continue
				}
				if !errors.Is(err, sqlstore.ErrDialectMismatch) || !strings.Contains(err.Error(), drv.fix) {
					t.Errorf("%s(%s driver, %v) = %v; want ErrDialectMismatch saying %q", what, drv.name, d, err, drv.fix)
				}
			}
		}
	}
}

// A driver sqlstore does not know (here a stand-in; in life a wrapping
// driver, say for tracing) is taken at its word.
func TestUnknownDriverTakesTheDialectGiven(t *testing.T) {
	db := sql.OpenDB(fakeConnector{})
	defer db.Close()
	s := storetest.Settings()
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.PostgreSQL, sqlstore.MySQL} {
		if st, err := sqlstore.New(db, d, &s); err != nil || st.Dialect() != d {
			t.Errorf("New(unknown driver, %v) = %v", d, err)
		}
	}
	if _, err := sqlstore.New(db, sqlstore.Dialect(7), &s); err == nil || !strings.Contains(err.Error(), "pass sqlstore.SQLite, sqlstore.PostgreSQL or sqlstore.MySQL") {
		t.Errorf("New(Dialect(7)) = %v", err)
	}
}

type fakeConnector struct{}

func (fakeConnector) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("fake") }
func (fakeConnector) Driver() driver.Driver                        { return fakeDriver{} }

type fakeDriver struct{}

func (fakeDriver) Open(string) (driver.Conn, error) { return nil, errors.New("fake") }
