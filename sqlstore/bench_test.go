package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// loggedIn is a typical logged-in session: user id, backend, auth hash,
// CSRF secret and a few application values.
func loggedIn() *djangosession.Map {
	return djangosession.NewMap(
		djangosession.Item{Key: djangosession.KeyAuthUserID, Value: "1042"},
		djangosession.Item{Key: djangosession.KeyAuthBackend, Value: djangobridge.DefaultModelBackend},
		djangosession.Item{Key: djangosession.KeyAuthHash, Value: "2b7c1d8e0f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"},
		djangosession.Item{Key: djangosession.KeyCSRFToken, Value: "Qk9x2m7TqJ3aV8cN1pL5sR4wY6zE0hDg"},
		djangosession.Item{Key: "cart", Value: []any{djangosession.Number("17"), djangosession.Number("23")}},
		djangosession.Item{Key: "theme", Value: "dark"},
	)
}

func benchLoad(b *testing.B, st *sqlstore.Store) {
	ctx := context.Background()
	k := djangosession.NewKey()
	if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: loggedIn(), ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Load(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadSQLite loads a logged-in session from a SQLite file.
func BenchmarkLoadSQLite(b *testing.B) {
	db, d := sqliteDB(b)
	s := storetest.Settings()
	benchLoad(b, newStore(b, db, d, &s))
}

// BenchmarkLoadPostgreSQL loads it from PostgreSQL through pgx's
// database/sql driver (compare pgxstore's BenchmarkLoad).
func BenchmarkLoadPostgreSQL(b *testing.B) {
	db, d := openURL(b, djangotest.NewDatabase(b, "postgres").URL)
	s := storetest.Settings()
	benchLoad(b, newStore(b, db, d, &s))
}

// BenchmarkLoadMySQL loads it from MariaDB.
func BenchmarkLoadMySQL(b *testing.B) {
	db, d := openURL(b, djangotest.NewDatabase(b, "mysql").URL)
	s := storetest.Settings()
	benchLoad(b, newStore(b, db, d, &s))
}
