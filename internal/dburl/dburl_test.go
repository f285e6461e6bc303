package dburl

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func TestParseSQLite(t *testing.T) {
	for _, u := range []string{"sqlite:///tmp/x y.db", "sqlite:////tmp/x%20y.db"} {
		tg, err := Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		if tg.Dialect != sqlstore.SQLite || tg.Driver != "sqlite" || tg.Memory {
			t.Errorf("%s: %+v", u, tg)
		}
		if !strings.HasPrefix(tg.DSN, "file:/tmp/x%20y.db?") || !strings.Contains(tg.DSN, "_pragma=busy_timeout(5000)") || strings.Contains(tg.DSN, "journal_mode") || !strings.Contains(tg.DSN, "mode=rwc") {
			t.Errorf("%s: DSN %s", u, tg.DSN)
		}
	}
	if tg, err := Parse("sqlite://:memory:"); err != nil || !tg.Memory {
		t.Errorf("memory: %+v, %v", tg, err)
	}
	if _, err := Parse("sqlite://relative.db"); err == nil {
		t.Error("relative sqlite path accepted")
	}
}

func TestParseMySQL(t *testing.T) {
	tg, err := Parse("mysql://root:p%40ss@db.example:3307/app?timeout=5s")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := mysql.ParseDSN(tg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "root" || cfg.Passwd != "p@ss" || cfg.Addr != "db.example:3307" || cfg.DBName != "app" {
		t.Errorf("config %+v", cfg)
	}
	if cfg.ParseTime || !cfg.ClientFoundRows || cfg.Loc.String() != "UTC" || cfg.Timeout.String() != "5s" {
		t.Errorf("options: parseTime=%v clientFoundRows=%v loc=%v timeout=%v", cfg.ParseTime, cfg.ClientFoundRows, cfg.Loc, cfg.Timeout)
	}
	if !strings.Contains(tg.DSN, "charset=utf8mb4") {
		t.Errorf("DSN %s lacks utf8mb4", tg.DSN)
	}
}

func TestParsePostgresAndErrors(t *testing.T) {
	tg, err := Parse("postgresql://u:secret@h:5433/db?sslmode=disable")
	if err != nil || tg.Dialect != sqlstore.PostgreSQL || tg.Driver != "pgx" || tg.DSN != "postgres://u:secret@h:5433/db?sslmode=disable" {
		t.Errorf("%+v, %v", tg, err)
	}
	for _, bad := range []string{"oracle://x", "not a url", ""} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	// Passwords stay out of messages.
	_, _, err = Open(context.Background(), "postgres://u:hunter2@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open of an unreachable server: %v", err)
	}
}

func TestOpenEachKind(t *testing.T) {
	ctx := context.Background()
	db, d, err := Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "a.db"))
	if err != nil || d != sqlstore.SQLite {
		t.Fatal(d, err)
	}
	var mode string
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	db.Close()
	if mode != "delete" {
		t.Errorf("journal_mode = %s; want SQLite's default, delete", mode)
	}
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			u := djangotest.NewEmptyDatabase(t, kind).URL
			db, d, err := Open(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if d.String() != kind {
				t.Errorf("dialect %v", d)
			}
			if kind == "postgres" {
				pool, err := OpenPool(ctx, u)
				if err != nil {
					t.Fatal(err)
				}
				pool.Close()
			} else if _, err := OpenPool(ctx, u); err == nil {
				t.Error("OpenPool accepted a mysql URL")
			}
		})
	}
}
