package bridge_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/bridge/postgres"
	"github.com/djangobridge/djangobridge/bridge/sqlite"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestMain ends the output with one line per unset test variable that made
// tests skip (djangotest.RunMain).
func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func settings(key string) *djangobridge.Settings {
	s := djangobridge.Defaults()
	s.SecretKey = key
	s.Logger = nil
	return &s
}

// sqliteDB is a SQLite file with the tables Django 5.2's migrate made.
func sqliteDB(t *testing.T) (url string, raw *sql.DB) {
	db := djangotest.NewDatabase(t, "sqlite")
	return db.URL, db.Open(t)
}

func open(t *testing.T, url string, s *djangobridge.Settings) *bridge.Bridge {
	t.Helper()
	b, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: url, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func wantErr(t *testing.T, err error, kind error, words ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("error %v; want %v", err, kind)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

func TestCheckPassesOnDjangoDatabase(t *testing.T) {
	url, _ := sqliteDB(t)
	b := open(t, url, settings("k1"))
	if err := b.Check(context.Background()); err != nil {
		t.Fatalf("Check of a database Django migrated: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestEmptySecretKey(t *testing.T) {
	url, _ := sqliteDB(t)
	_, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: url, Settings: settings("")})
	wantErr(t, err, bridge.ErrConfig, "SECRET_KEY is empty", "settings.py")
}

func TestUnsetRelease(t *testing.T) {
	url, _ := sqliteDB(t)
	s := settings("k")
	s.DjangoVersion = djangobridge.Version{}
	_, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, djangobridge.ErrVersionUnset, "DJANGO_VERSION")
	if !errors.Is(err, bridge.ErrConfig) {
		t.Error("not ErrConfig")
	}
	_, err = sqlite.Open(context.Background(), bridge.Config{DatabaseURL: url})
	wantErr(t, err, bridge.ErrConfig, "nil Settings")
}

func TestNilDatabase(t *testing.T) {
	_, err := bridge.New(context.Background(), bridge.Config{Settings: settings("k")}, nil)
	wantErr(t, err, bridge.ErrConfig, "no database")
}

func TestMissingSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.sqlite3")
	_, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: "sqlite://" + path, Settings: settings("k")})
	wantErr(t, err, bridge.ErrUnreachable, "no SQLite database at "+path, "manage.py migrate")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("opening a missing SQLite path created it: %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	_, err := postgres.Open(context.Background(), bridge.Config{DatabaseURL: "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=2", Settings: settings("k")})
	wantErr(t, err, bridge.ErrUnreachable, "does not answer", "127.0.0.1:1")
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("password in the message: %v", err)
	}
	_, err = anydb.Open(context.Background(), bridge.Config{DatabaseURL: "mysql://u:hunter2@127.0.0.1:1/db?timeout=2s", Settings: settings("k")})
	wantErr(t, err, bridge.ErrUnreachable, "does not answer")
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("password in the message: %v", err)
	}
}

func TestDialectDoesNotMatchPackage(t *testing.T) {
	_, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: "postgres://u@127.0.0.1/db", Settings: settings("k")})
	wantErr(t, err, bridge.ErrConfig, "is a postgres database", "bridge/postgres")
	_, err = postgres.Open(context.Background(), bridge.Config{DatabaseURL: "sqlite:///tmp/x.db", Settings: settings("k")})
	wantErr(t, err, bridge.ErrConfig, "is a sqlite database", "bridge/sqlite")
	_, err = sqlite.Open(context.Background(), bridge.Config{Settings: settings("k")})
	wantErr(t, err, bridge.ErrConfig, "DATABASE_URL is empty")
}

func TestCacheEngineWithoutCache(t *testing.T) {
	url, _ := sqliteDB(t)
	s := settings("k")
	s.SessionEngine = "cached_db"
	_, err := sqlite.Open(context.Background(), bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, bridge.ErrConfig, "CACHE_URL")
	_, err = anydb.Open(context.Background(), bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, bridge.ErrConfig, "CACHE_URL is empty")
}

func TestCheckMissingDjangoSession(t *testing.T) {
	url, raw := sqliteDB(t)
	if _, err := raw.Exec("DROP TABLE django_session"); err != nil {
		t.Fatal(err)
	}
	err := open(t, url, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrSchema, "no table django_session", "manage.py migrate")
	// signed_cookies keeps no table: nothing to say.
	s := settings("k")
	s.SessionEngine = "signed_cookies"
	if err := open(t, url, s).Check(context.Background()); err != nil {
		t.Errorf("signed_cookies: %v", err)
	}
}

func TestCheckMissingAuthUser(t *testing.T) {
	url, raw := sqliteDB(t)
	for _, q := range []string{"PRAGMA foreign_keys=OFF", "DROP TABLE auth_user_groups", "DROP TABLE auth_user_user_permissions", "DROP TABLE auth_user"} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	err := open(t, url, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrSchema, "auth_user", "auth_user_groups", "manage.py migrate")
}

func TestCheckMissingColumn(t *testing.T) {
	url, raw := sqliteDB(t)
	if _, err := raw.Exec("ALTER TABLE auth_user DROP COLUMN first_name"); err != nil {
		t.Fatal(err)
	}
	err := open(t, url, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrSchema, "auth_user lacks the column(s) first_name")
}

func TestCheckEmptyDatabase(t *testing.T) {
	// A SQLite file that exists but has no tables (the driver made it
	// empty earlier, or the wrong file).
	path := filepath.Join(t.TempDir(), "empty.sqlite3")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := open(t, "sqlite://"+path, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrSchema, "django_session", "auth_user", "manage.py migrate")
}

func TestCheckMigrations(t *testing.T) {
	url, raw := sqliteDB(t)
	if _, err := raw.Exec("INSERT INTO django_migrations (app, name, applied) VALUES ('auth', '0013_from_the_future', '2030-01-01 00:00:00')"); err != nil {
		t.Fatal(err)
	}
	err := open(t, url, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrRelease, "auth.0013_from_the_future", "Django 5.2", "DJANGO_VERSION")

	url2, raw2 := sqliteDB(t)
	if _, err := raw2.Exec("DELETE FROM django_migrations WHERE app = 'auth' AND name = '0012_alter_user_first_name_max_length'"); err != nil {
		t.Fatal(err)
	}
	err = open(t, url2, settings("k")).Check(context.Background())
	wantErr(t, err, bridge.ErrSchema, "lacks auth.0012_alter_user_first_name_max_length", "manage.py migrate")
}

func TestCheckKeyMismatch(t *testing.T) {
	url, _ := sqliteDB(t)
	ctx := context.Background()
	// Sessions signed with Django's key...
	django := open(t, url, settings("the-key-django-uses"))
	for range 3 {
		sess := django.Sessions.Open(ctx, "")
		sess.Set("_auth_user_id", "1")
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := django.Check(ctx); err != nil {
		t.Fatalf("the right key: %v", err)
	}
	// ...checked with another: every Django user would be logged out.
	err := open(t, url, settings("a-different-key")).Check(ctx)
	wantErr(t, err, bridge.ErrKeyMismatch, "verifies none of the 3 newest sessions", "SECRET_KEY_FALLBACKS")
	// The old key as a fallback verifies them.
	s := settings("a-different-key")
	s.SecretKeyFallbacks = []string{"the-key-django-uses"}
	if err := open(t, url, s).Check(ctx); err != nil {
		t.Errorf("with the key in SECRET_KEY_FALLBACKS: %v", err)
	}
}

func TestCheckUnreachableAfterOpen(t *testing.T) {
	url, _ := sqliteDB(t)
	b := open(t, url, settings("k"))
	db, _ := b.DB()
	db.Close()
	err := b.Check(context.Background())
	wantErr(t, err, bridge.ErrUnreachable, "does not answer")
}

func TestEachServerKind(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			db := djangotest.NewDatabase(t, kind)
			b, err := anydb.Open(context.Background(), bridge.Config{DatabaseURL: db.URL, Settings: settings("k")})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Check(context.Background()); err != nil {
				t.Fatalf("Check: %v", err)
			}
			raw := db.Open(t)
			if _, err := raw.Exec("DROP TABLE django_session"); err != nil {
				t.Fatal(err)
			}
			wantErr(t, b.Check(context.Background()), bridge.ErrSchema, "no table django_session")
		})
	}
}
