package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser/usertest"
	"github.com/djangobridge/djangobridge/internal/dburl"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// openURL opens a database URL through dburl, closing it at cleanup.
func openURL(t testing.TB, url string) (*sql.DB, sqlstore.Dialect) {
	t.Helper()
	db, d, err := dburl.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, d
}

func newStore(t testing.TB, db *sql.DB, d sqlstore.Dialect, s *djangobridge.Settings) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.New(db, d, s)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// sqliteDB is a new SQLite file with Django's tables, made by CreateSchema.
func sqliteDB(t testing.TB) (*sql.DB, sqlstore.Dialect) {
	t.Helper()
	db, d := openURL(t, "sqlite://"+filepath.Join(t.TempDir(), "django.db"))
	s := storetest.Settings()
	if err := newStore(t, db, d, &s).CreateSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, d
}

func runContract(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
	storetest.Run(t, func(t testing.TB, s *djangobridge.Settings) djangosession.Store {
		return newStore(t, db, d, s)
	})
}

func TestContractSQLite(t *testing.T) {
	db, d := sqliteDB(t)
	runContract(t, db, d)
}

func TestContractSQLiteDjangoSchema(t *testing.T) {
	// The same on the schema the harness applies from testdata.
	db, d := openURL(t, djangotest.NewDatabase(t, "sqlite").URL)
	runContract(t, db, d)
}

func TestContractPostgreSQL(t *testing.T) {
	db, d := openURL(t, djangotest.NewDatabase(t, "postgres").URL)
	if d != sqlstore.PostgreSQL {
		t.Fatalf("dialect %v", d)
	}
	runContract(t, db, d)
}

func TestContractMySQL(t *testing.T) {
	db, d := openURL(t, djangotest.NewDatabase(t, "mysql").URL)
	if d != sqlstore.MySQL {
		t.Fatalf("dialect %v", d)
	}
	runContract(t, db, d)
}

// A MySQL handle opened without clientFoundRows (as users may do) must
// still tell an unchanged update from a vanished row.
func TestMySQLWithoutClientFoundRows(t *testing.T) {
	tdb := djangotest.NewDatabase(t, "mysql")
	db := tdb.Open(t) // the harness DSN: no clientFoundRows
	st := newStore(t, db, sqlstore.MySQL, ptr(storetest.Settings()))
	ctx := context.Background()
	k := djangosession.NewKey()
	r := djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: time.Now().Add(time.Hour)}
	if _, err := st.Save(ctx, r, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, r, false); err != nil {
		t.Fatalf("identical update = %v", err)
	}
	r.Key = djangosession.NewKey()
	if _, err := st.Save(ctx, r, false); !errors.Is(err, djangosession.ErrVanished) {
		t.Fatalf("update of a missing row = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// storedText is expire_date of key as SQLite holds it (the cast keeps
// the driver from parsing it).
func storedText(t testing.TB, db *sql.DB, key string) string {
	t.Helper()
	var s string
	if err := db.QueryRow("SELECT CAST(expire_date AS TEXT) FROM django_session WHERE session_key = ?", key).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// SQLite keeps datetimes as the text Django writes, str(naive datetime):
// microseconds only when not zero; naive UTC with USE_TZ, naive local time
// in TIME_ZONE without.
func TestSQLiteDatetimeTextIsDjangos(t *testing.T) {
	db, d := sqliteDB(t)
	ctx := context.Background()
	cases := []struct {
		useTZ bool
		tz    string
		exp   time.Time
		want  string
	}{
		{true, "America/Chicago", time.Date(2030, 1, 2, 3, 4, 5, 6000, time.UTC), "2030-01-02 03:04:05.000006"},
		{true, "America/Chicago", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), "2030-01-02 03:04:05"},
		{true, "America/Chicago", time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.FixedZone("X", 3600)), "2030-01-02 02:04:05.123456"},
		{false, "Europe/Paris", time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC), "2030-01-02 04:04:05.500000"},
		{false, "Europe/Paris", time.Date(2030, 7, 2, 3, 4, 5, 0, time.UTC), "2030-07-02 05:04:05"},
		{false, "UTC", time.Date(2030, 7, 2, 3, 4, 5, 0, time.UTC), "2030-07-02 03:04:05"},
	}
	for _, c := range cases {
		s := storetest.Settings()
		s.UseTZ, s.TimeZone = c.useTZ, c.tz
		st := newStore(t, db, d, &s)
		k := djangosession.NewKey()
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: c.exp}, true); err != nil {
			t.Fatal(err)
		}
		if got := storedText(t, db, k); got != c.want {
			t.Errorf("USE_TZ=%v TIME_ZONE=%s, %v: stored %q; want %q", c.useTZ, c.tz, c.exp, got, c.want)
		}
		r, err := st.LoadRecord(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if !r.ExpireDate.Equal(c.exp.Truncate(time.Microsecond)) {
			t.Errorf("LoadRecord expire_date = %v; want %v", r.ExpireDate, c.exp)
		}
	}
}

// With USE_TZ=False the comparison with "now" is in TIME_ZONE's local
// time: a row that expired 30 minutes ago is gone even though its naive
// text is later than the naive UTC time (Paris is ahead of UTC).
func TestUseTZFalseComparesLocalTime(t *testing.T) {
	db, d := sqliteDB(t)
	ctx := context.Background()
	s := storetest.Settings()
	s.UseTZ, s.TimeZone = false, "Europe/Paris"
	st := newStore(t, db, d, &s)
	expired, live := djangosession.NewKey(), djangosession.NewKey()
	for k, exp := range map[string]time.Time{expired: time.Now().Add(-30 * time.Minute), live: time.Now().Add(30 * time.Minute)} {
		if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: exp}, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Load(ctx, expired); !errors.Is(err, djangosession.ErrNotFound) {
		t.Errorf("Load of a session expired 30 min ago = %v; want ErrNotFound", err)
	}
	if _, err := st.Load(ctx, live); err != nil {
		t.Errorf("Load of a live session: %v", err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	want := time.Now().In(paris).Add(30 * time.Minute).Format("2006-01-02 15:04")
	if got := storedText(t, db, live); got[:16] != want {
		t.Errorf("stored %q; want Paris local time %s...", got, want)
	}
	if n, err := st.ClearExpired(ctx); err != nil || n != 1 {
		t.Errorf("ClearExpired = %d, %v; want 1", n, err)
	}
}

// Rows Django wrote in its text form, with and without microseconds, are
// read back (Django writes "2030-01-02 03:04:05" when the fraction is 0).
func TestSQLiteReadsDjangoText(t *testing.T) {
	db, d := sqliteDB(t)
	ctx := context.Background()
	s := storetest.Settings()
	st := newStore(t, db, d, &s)
	codec, _ := djangosession.NewCodec(&s)
	data, _ := codec.Encode(storetest.Sample())
	for text, want := range map[string]time.Time{
		"2099-01-02 03:04:05":        time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC),
		"2099-01-02 03:04:05.000007": time.Date(2099, 1, 2, 3, 4, 5, 7000, time.UTC),
	} {
		k := djangosession.NewKey()
		if _, err := db.Exec("INSERT INTO django_session VALUES (?, ?, ?)", k, data, text); err != nil {
			t.Fatal(err)
		}
		r, err := st.LoadRecord(ctx, k)
		if err != nil || !r.ExpireDate.Equal(want) || storetest.JSON(t, r.Data) != storetest.JSON(t, storetest.Sample()) {
			t.Errorf("%s: LoadRecord = %v %s, %v", text, r.ExpireDate, storetest.JSON(t, r.Data), err)
		}
	}
}

// A store whose database is gone reports the driver's error, never "no
// session".
func TestUnreachableDatabase(t *testing.T) {
	db, d := sqliteDB(t)
	s := storetest.Settings()
	st := newStore(t, db, d, &s)
	db.Close()
	storetest.Unreachable(t, st)
}

func TestCreateSchemaIsIdempotentAndDjangoShaped(t *testing.T) {
	db, d := sqliteDB(t)
	s := storetest.Settings()
	st := newStore(t, db, d, &s)
	if err := st.CreateSchema(context.Background()); err != nil {
		t.Fatalf("second CreateSchema: %v", err)
	}
	var perms, types int
	db.QueryRow("SELECT count(*) FROM auth_permission").Scan(&perms)
	db.QueryRow("SELECT count(*) FROM django_content_type").Scan(&types)
	if perms != 20 || types != 5 {
		t.Errorf("%d permissions, %d content types; want 20 and 5 as migrate makes", perms, types)
	}
}

func TestCreateSchemaOnServers(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			db, d := openURL(t, djangotest.NewEmptyDatabase(t, kind).URL)
			s := storetest.Settings()
			st := newStore(t, db, d, &s)
			for i := 0; i < 2; i++ {
				if err := st.CreateSchema(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			var perms int
			if err := db.QueryRow("SELECT count(*) FROM auth_permission").Scan(&perms); err != nil || perms != 20 {
				t.Errorf("%d permissions, %v", perms, err)
			}
			k := djangosession.NewKey()
			if _, err := st.Save(context.Background(), djangosession.Record{Key: k, Data: storetest.Sample(), ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewRefusesBadArguments(t *testing.T) {
	s := storetest.Settings()
	db, d := sqliteDB(t)
	if _, err := sqlstore.New(nil, d, &s); err == nil {
		t.Error("nil db accepted")
	}
	if _, err := sqlstore.New(db, 0, &s); err == nil {
		t.Error("zero dialect accepted")
	}
	bad := s
	bad.UseTZ, bad.TimeZone = false, "Mars/Olympus"
	if _, err := sqlstore.New(db, d, &bad); err == nil {
		t.Error("unknown TIME_ZONE accepted")
	}
}

// A server that does not answer: the driver's error comes back wrapped,
// for every kind of database/sql handle.
func TestServerDown(t *testing.T) {
	for _, u := range []string{"postgres://postgres@127.0.0.1:1/x?connect_timeout=2", "mysql://root@127.0.0.1:1/x?timeout=2s"} {
		tg, err := dburl.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open(tg.Driver, tg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		s := storetest.Settings()
		st := newStore(t, db, tg.Dialect, &s)
		_, err = st.Load(context.Background(), djangosession.NewKey())
		if err == nil || errors.Is(err, djangosession.ErrNotFound) || !strings.Contains(err.Error(), "sqlstore: load session") {
			t.Errorf("%s: Load = %v", tg.Dialect, err)
		}
		if _, err := st.Save(context.Background(), djangosession.Record{Key: djangosession.NewKey(), Data: storetest.Sample(), ExpireDate: time.Now()}, true); err == nil {
			t.Errorf("%s: Save succeeded", tg.Dialect)
		}
	}
}

// TestContractsOnEveryRelease runs both contract suites, unchanged, on
// the tables each Django release's migrate made (testdata/django/<release>),
// on each database.
func TestContractsOnEveryRelease(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				db, d := openURL(t, djangotest.NewDatabaseRelease(t, kind, rel).URL)
				runContract(t, db, d)
				s := djangobridge.Defaults()
				users, err := sqlstore.NewUsers(db, d, &s)
				if err != nil {
					t.Fatal(err)
				}
				usertest.Run(t, users)
			})
		}
	}
}
