package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// Dialect is the SQL spoken by the database behind a *sql.DB. It decides the
// placeholders, how datetimes are written and read (Django's conventions per
// backend), identifier quoting, and how a unique-key violation is recognised.
// sqlstore imports no driver: open the *sql.DB with the driver of your choice
// (modernc.org/sqlite, github.com/go-sql-driver/mysql, or pgx's stdlib) and
// say which dialect it speaks. [New] and [NewUsers] refuse a dialect that
// does not match a driver they know ([ErrDialectMismatch]).
type Dialect int

// The dialects of the databases Django supports out of the box.
const (
	// SQLite: datetimes are TEXT in Django's format
	// "YYYY-MM-DD HH:MM:SS[.ffffff]", naive (UTC when USE_TZ, else local
	// time in TIME_ZONE), compared as text exactly as Django compares them.
	SQLite = Dialect(sqlcore.SQLite)
	// PostgreSQL: datetimes are timestamp with time zone, bound and read as
	// instants; placeholders $1, $2...
	PostgreSQL = Dialect(sqlcore.PostgreSQL)
	// MySQL (and MariaDB): datetimes are datetime(6), naive (UTC when
	// USE_TZ, else local time in TIME_ZONE). Open the handle with
	// clientFoundRows=true, as Django does (CLIENT.FOUND_ROWS), so an UPDATE
	// writing identical values still counts its row; without it the store
	// checks existence after an UPDATE that matched nothing.
	MySQL = Dialect(sqlcore.MySQL)
)

// String returns "sqlite", "postgres" or "mysql".
func (d Dialect) String() string { return sqlcore.Dialect(d).String() }

// ParseDialect returns the dialect named "sqlite" (or "sqlite3"),
// "postgres" (or "postgresql", "pgx") or "mysql" (or "mariadb").
func ParseDialect(name string) (Dialect, error) {
	switch strings.ToLower(name) {
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "postgres", "postgresql", "pgx", "pgsql":
		return PostgreSQL, nil
	case "mysql", "mariadb":
		return MySQL, nil
	}
	return 0, fmt.Errorf("sqlstore: unknown dialect %q (want sqlite, postgres or mysql)", name)
}

// ErrDialectMismatch is returned by [New] and [NewUsers] when the dialect
// passed is not the one the *sql.DB's driver speaks (say, the SQLite
// driver with PostgreSQL), which would otherwise give SQL syntax errors or,
// worse, datetimes written in a form Django cannot read.
var ErrDialectMismatch = errors.New("sqlstore: dialect does not match the driver")

// driverDialects are the import paths of the database/sql drivers whose
// dialect sqlstore knows, by path prefix.
var driverDialects = []struct {
	pkg string
	d   Dialect
}{
	{"modernc.org/sqlite", SQLite},
	{"github.com/mattn/go-sqlite3", SQLite},
	{"github.com/ncruces/go-sqlite3", SQLite},
	{"github.com/glebarez/go-sqlite", SQLite},
	{"github.com/go-sql-driver/mysql", MySQL},
	{"github.com/jackc/pgx/", PostgreSQL},
	{"github.com/lib/pq", PostgreSQL},
}

// checkDialect returns d if db's driver speaks it (or is one sqlstore
// does not know, such as a wrapping driver), else ErrDialectMismatch
// naming the dialect to pass.
func checkDialect(db *sql.DB, d Dialect) (sqlcore.Dialect, error) {
	if !sqlcore.Dialect(d).Valid() {
		return 0, fmt.Errorf("sqlstore: invalid dialect %v: pass sqlstore.SQLite, sqlstore.PostgreSQL or sqlstore.MySQL", d)
	}
	t := reflect.TypeOf(db.Driver())
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return sqlcore.Dialect(d), nil
	}
	for _, k := range driverDialects {
		if strings.HasPrefix(t.PkgPath(), k.pkg) && k.d != d {
			return 0, fmt.Errorf("%w: the *sql.DB's driver (%s.%s) speaks %s, not %s: pass sqlstore.%s, or open the database with a %s driver",
				ErrDialectMismatch, t.PkgPath(), t.Name(), k.d, d, k.d.constName(), d)
		}
	}
	return sqlcore.Dialect(d), nil
}

// constName is the name of d's constant (d is valid).
func (d Dialect) constName() string {
	return [...]string{SQLite: "SQLite", PostgreSQL: "PostgreSQL", MySQL: "MySQL"}[d]
}
