package sqlstore_test

import (
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
)

// interopSettings are the Django settings each database is checked under:
// Django 5's default (aware datetimes, stored as UTC) and the ≤4.2 default
// (naive local time) in a zone east of UTC with DST.
var interopSettings = []struct {
	name     string
	useTZ    bool
	timeZone string
}{
	{"USE_TZ", true, ""},
	{"Paris", false, "Europe/Paris"},
}

// TestDjangoInterop: sessions move between this store and real Django
// 3.2, 4.2 and 5.2 sharing one database, on SQLite, PostgreSQL (through
// pgx's database/sql driver) and MariaDB, one Django process per
// combination; and a SECRET_KEY rotation (on SQLite: it does not depend on
// the database).
func TestDjangoInterop(t *testing.T) {
	djangotest.DjangoDir(t) // skip (or fail under CI) before making databases
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			for _, rel := range djangotest.Releases {
				for _, set := range interopSettings {
					t.Run(rel+"/"+set.name, func(t *testing.T) {
						t.Parallel()
						tdb := djangotest.NewDatabase(t, kind)
						db, d := openURL(t, tdb.URL)
						storetest.Interop(t, storetest.InteropConfig{
							Release: rel, Kind: kind, DatabaseURL: tdb.URL, UseTZ: set.useTZ, TimeZone: set.timeZone,
						}, func(t testing.TB, s *djangobridge.Settings) djangosession.Store { return newStore(t, db, d, s) })
					})
				}
				if kind != "sqlite" {
					continue // key rotation does not depend on the database: once is enough
				}
				t.Run(rel+"/SecretKeyFallbacks", func(t *testing.T) {
					t.Parallel()
					tdb := djangotest.NewDatabase(t, kind)
					db, d := openURL(t, tdb.URL)
					storetest.InteropKeyFallbacks(t, storetest.InteropConfig{Release: rel, Kind: kind, DatabaseURL: tdb.URL, UseTZ: true},
						func(t testing.TB, s *djangobridge.Settings) djangosession.Store { return newStore(t, db, d, s) })
				})
			}
		})
	}
}
