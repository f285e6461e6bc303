package dburl

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/djangobridge/djangobridge/sqlstore"
)

func TestParseSQLite(t *testing.T) {
	for _, u := range []string{"sqlite:///tmp/x y.db", "sqlite:////tmp/x%20y.db"} {
		tg, err := Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if tg.Dialect != sqlstore.SQLite || tg.Driver != "sqlite" || tg.Memory || tg.Path != "/tmp/x y.db" {
			t.Errorf("%s: %+v", u, tg)
		}
		if !strings.HasPrefix(tg.DSN, "file:/tmp/x%20y.db?") || !strings.Contains(tg.DSN, "_pragma=busy_timeout(5000)") || !strings.Contains(tg.DSN, "mode=rw") {
			t.Errorf("%s: DSN %s", u, tg.DSN)
		}
		if strings.Contains(tg.DSN, "journal_mode") {
			t.Errorf("%s: DSN %s changes the journal mode of a database Django shares", u, tg.DSN)
		}
	}
	if tg, _ := Parse("sqlite:////tmp/a.db?mode=rwc"); strings.Contains(tg.DSN, "mode=rw&") || !strings.Contains(tg.DSN, "mode=rwc") {
		t.Errorf("mode=rwc: %s", tg.DSN)
	}
	if tg, err := Parse("sqlite://:memory:"); err != nil || !tg.Memory {
		t.Errorf("memory: %+v, %v", tg, err)
	}
	if _, err := Parse("sqlite://relative.db"); !errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), "absolute path") {
		t.Errorf("relative sqlite path: %v", err)
	}
}

func TestParseMySQL(t *testing.T) {
	tg, err := Parse("mysql://root:p%40ss%3Aw%2Frd@db.example:3307/app?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "root" || cfg.Passwd != "p@ss:w/rd" || cfg.Addr != "db.example:3307" || cfg.DBName != "app" {
		t.Errorf("config %+v", cfg)
	}
	if cfg.ParseTime || !cfg.ClientFoundRows || cfg.Loc.String() != "UTC" || cfg.Timeout.String() != "5s" || !cfg.InterpolateParams {
		t.Errorf("options: parseTime=%v clientFoundRows=%v loc=%v timeout=%v", cfg.ParseTime, cfg.ClientFoundRows, cfg.Loc, cfg.Timeout)
	}
	if !strings.Contains(tg.DSN, "charset=utf8mb4") {
		t.Errorf("DSN %s lacks utf8mb4", tg.DSN)
	}
	if strings.Contains(tg.Redacted, "p%40ss") {
		t.Errorf("Redacted holds the password: %s", tg.Redacted)
	}
	if tg, _ := Parse("mariadb://u@h/db"); !strings.HasPrefix(tg.DSN, "u@tcp(h:3306)/db?") {
		t.Errorf("default port: %s", tg.DSN)
	}
}

func TestParsePostgresAndErrors(t *testing.T) {
	tg, err := Parse("postgresql://u:secret@h:5433/db?sslmode=disable")
	if err != nil || tg.Dialect != sqlstore.PostgreSQL || tg.Driver != "pgx" || tg.DSN != "postgres://u:secret@h:5433/db?sslmode=disable" {
		t.Errorf("%+v, %v", tg, err)
	}
	for _, bad := range []string{"oracle://x", "not a url", "", "postgres://u:hunter2@h:port/db"} {
		_, err := Parse(bad)
		if !errors.Is(err, ErrBadURL) {
			t.Errorf("Parse(%q): %v", bad, err)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("password in %v", err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"sqlite:////a/b.db", "postgres://u:p@h/db", "mysql://u:p@h:1/d?x=y", "sqlite://:memory:", "mysql://@/", "x://"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tg, err := Parse(raw)
		if err == nil && (tg.Driver == "" || tg.DSN == "") {
			t.Errorf("%q: %+v", raw, tg)
		}
	})
}

// SQLiteURL writes the canonical four-slash form (dj-database-url's
// absolute path) and Parse reads back the same path, whatever characters
// it holds.
func TestSQLiteURLRoundTrip(t *testing.T) {
	if got := SQLiteURL("/srv/app/db.sqlite3"); got != "sqlite:////srv/app/db.sqlite3" {
		t.Errorf("SQLiteURL = %s, want sqlite:////srv/app/db.sqlite3", got)
	}
	for _, p := range []string{"/srv/app/db.sqlite3", "/tmp/x y.db", "/tmp/100%.db", "/tmp/a?mode=memory.db", "/tmp/a#b.db",
		"/tmp/%41.db", "/tmp/ünï 漢字.db", "/tmp/a;b&c=d+e.db", "/a"} {
		u := SQLiteURL(p)
		if !strings.HasPrefix(u, "sqlite:////") {
			t.Errorf("%q: %s is not the four-slash form", p, u)
		}
		tg, err := Parse(u)
		if err != nil || tg.Path != p {
			t.Errorf("Parse(SQLiteURL(%q)) = %q (%s), %v", p, tg.Path, u, err)
		}
	}
	if _, err := Parse(SQLiteURL("relative.db")); !errors.Is(err, ErrBadURL) {
		t.Errorf("a relative path: %v", err)
	}
}

func FuzzSQLiteURL(f *testing.F) {
	for _, s := range []string{"/a/b.db", "/x y?z#%", "/ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\x00") {
			return
		}
		if tg, err := Parse(SQLiteURL(p)); err != nil || tg.Path != p {
			t.Errorf("Parse(SQLiteURL(%q)) = %q, %v", p, tg.Path, err)
		}
	})
}
