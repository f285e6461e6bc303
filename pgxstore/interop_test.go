package pgxstore_test

import (
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
)

// TestDjangoInterop: sessions move between this store and real Django
// 3.2, 4.2 and 5.2 sharing one PostgreSQL database, with USE_TZ=True and
// with USE_TZ=False in Europe/Paris, and across a SECRET_KEY rotation.
func TestDjangoInterop(t *testing.T) {
	djangotest.DjangoDir(t) // skip (or fail under CI) before making databases
	for _, rel := range djangotest.Releases {
		for _, set := range []struct {
			name  string
			useTZ bool
			tz    string
		}{{"USE_TZ", true, ""}, {"Paris", false, "Europe/Paris"}} {
			t.Run(rel+"/"+set.name, func(t *testing.T) {
				t.Parallel()
				tdb := djangotest.NewDatabase(t, "postgres")
				pool := openPool(t, tdb.URL)
				storetest.Interop(t, storetest.InteropConfig{Release: rel, Kind: "postgres", DatabaseURL: tdb.URL, UseTZ: set.useTZ, TimeZone: set.tz},
					func(t testing.TB, s *djangobridge.Settings) djangosession.Store { return newStore(t, pool, s) })
			})
		}
		t.Run(rel+"/SecretKeyFallbacks", func(t *testing.T) {
			t.Parallel()
			tdb := djangotest.NewDatabase(t, "postgres")
			pool := openPool(t, tdb.URL)
			storetest.InteropKeyFallbacks(t, storetest.InteropConfig{Release: rel, Kind: "postgres", DatabaseURL: tdb.URL, UseTZ: true},
				func(t testing.TB, s *djangobridge.Settings) djangosession.Store { return newStore(t, pool, s) })
		})
	}
}
