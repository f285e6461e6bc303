package pgxstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/dburl"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/pgxstore"
)

func openPool(t testing.TB, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := dburl.OpenPool(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func newStore(t testing.TB, pool *pgxpool.Pool, s *djangobridge.Settings) *pgxstore.Store {
	t.Helper()
	st, err := pgxstore.New(pool, s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestContract(t *testing.T) {
	pool := openPool(t, djangotest.NewDatabase(t, "postgres").URL)
	storetest.Run(t, func(t testing.TB, s *djangobridge.Settings) djangosession.Store {
		return newStore(t, pool, s)
	})
}

// USE_TZ and TIME_ZONE do not change what timestamptz holds: the instant.
func TestExpireDateIsTheInstant(t *testing.T) {
	pool := openPool(t, djangotest.NewDatabase(t, "postgres").URL)
	ctx := context.Background()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 6789, time.UTC)
	for _, useTZ := range []bool{true, false} {
		s := storetest.Settings()
		s.UseTZ, s.TimeZone = useTZ, "Europe/Paris"
		st := newStore(t, pool, &s)
		k := djangosession.NewKey()
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: exp}, true); err != nil {
			t.Fatal(err)
		}
		var text string
		if err := pool.QueryRow(ctx, "SELECT to_char(expire_date AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM django_session WHERE session_key = $1", k).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if text != "2030-01-02 03:04:05.000006" {
			t.Errorf("USE_TZ=%v: stored %s UTC; want 2030-01-02 03:04:05.000006", useTZ, text)
		}
	}
}

func TestCreateSchema(t *testing.T) {
	pool := openPool(t, djangotest.NewEmptyDatabase(t, "postgres").URL)
	s := storetest.Settings()
	st := newStore(t, pool, &s)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := st.CreateSchema(ctx); err != nil {
			t.Fatalf("CreateSchema #%d: %v", i+1, err)
		}
	}
	var perms int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM auth_permission").Scan(&perms); err != nil || perms != 20 {
		t.Errorf("%d permissions, %v; want 20", perms, err)
	}
	k := djangosession.NewKey()
	if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
		t.Fatal(err)
	}
}

func TestUnreachableDatabase(t *testing.T) {
	pool := openPool(t, djangotest.NewDatabase(t, "postgres").URL)
	s := storetest.Settings()
	st := newStore(t, pool, &s)
	pool.Close()
	storetest.Unreachable(t, st)
}

func TestNewRefusesBadArguments(t *testing.T) {
	s := storetest.Settings()
	if _, err := pgxstore.New(nil, &s); err == nil {
		t.Error("nil pool accepted")
	}
}

// BenchmarkLoad loads a typical logged-in session (user id, backend, auth
// hash, CSRF secret, a few app values) from PostgreSQL.
func BenchmarkLoad(b *testing.B) {
	pool := openPool(b, djangotest.NewDatabase(b, "postgres").URL)
	s := storetest.Settings()
	storetest.BenchLoad(b, newStore(b, pool, &s))
}

// BenchmarkLoggedIn is the logged-in hot path: the session row, then the
// auth_user row it names.
func BenchmarkLoggedIn(b *testing.B) {
	pool := openPool(b, djangotest.NewDatabase(b, "postgres").URL)
	s := storetest.Settings()
	users, err := pgxstore.NewUsers(pool, &s)
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchLoggedIn(b, newStore(b, pool, &s), users)
}
