package sqlstore_test

import (
	"database/sql"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// benchDB is the database of a benchmark on kind ("sqlite" a file Django's
// tables were given by CreateSchema).
func benchDB(b *testing.B, kind string) (*sql.DB, sqlstore.Dialect) {
	if kind == "sqlite" {
		return sqliteDB(b)
	}
	return openURL(b, djangotest.NewDatabase(b, kind).URL)
}

// BenchmarkLoad loads a logged-in session from each database (PostgreSQL
// through pgx's database/sql driver: compare pgxstore's BenchmarkLoad).
func BenchmarkLoad(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		b.Run(kind, func(b *testing.B) {
			db, d := benchDB(b, kind)
			s := storetest.Settings()
			storetest.BenchLoad(b, newStore(b, db, d, &s))
		})
	}
}

// BenchmarkLoggedIn is the logged-in hot path on each database: the
// session row, then the auth_user row it names.
func BenchmarkLoggedIn(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		b.Run(kind, func(b *testing.B) {
			db, d := benchDB(b, kind)
			s := storetest.Settings()
			users, err := sqlstore.NewUsers(db, d, &s)
			if err != nil {
				b.Fatal(err)
			}
			storetest.BenchLoggedIn(b, newStore(b, db, d, &s), users)
		})
	}
}
