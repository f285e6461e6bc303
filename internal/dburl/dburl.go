// Package dburl is the tests' way to open a database named by a
// Django-style URL: the public package dburl's parsing (no journal-mode
// change, a busy timeout), with SQLite files created when missing
// (mode=rwc), as tests start from empty files. Services use bridge/sqlite,
// bridge/postgres, bridge/mysql or bridge/anydb.
package dburl

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Target is a parsed database URL.
type Target = dburl.Target

// Parse is dburl.Parse, with SQLite files created when missing.
func Parse(raw string) (Target, error) {
	t, err := dburl.Parse(raw)
	if err == nil && t.Dialect == sqlstore.SQLite && !t.Memory {
		path, query, _ := strings.Cut(t.DSN, "?")
		params := strings.Split(query, "&")
		for i, p := range params {
			if p == "mode=rw" {
				params[i] = "mode=rwc"
			}
		}
		t.DSN = path + "?" + strings.Join(params, "&")
	}
	return t, err
}

// Open opens and pings the database at raw.
func Open(ctx context.Context, raw string) (*sql.DB, sqlstore.Dialect, error) {
	t, err := Parse(raw)
	if err != nil {
		return nil, 0, err
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, 0, fmt.Errorf("dburl: open %s: %w", t.Redacted, err)
	}
	if t.Memory {
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("dburl: connect to %s: %w", t.Redacted, err)
	}
	return db, t.Dialect, nil
}

// OpenPool opens a pgx pool for a postgres:// URL (for pgxstore).
func OpenPool(ctx context.Context, raw string) (*pgxpool.Pool, error) {
	t, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	if t.Dialect != sqlstore.PostgreSQL {
		return nil, fmt.Errorf("dburl: a pgx pool needs a postgres:// URL, not %s", t.Dialect)
	}
	pool, err := pgxpool.New(ctx, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("dburl: open %s: %w", t.Redacted, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("dburl: connect to %s: %w", t.Redacted, err)
	}
	return pool, nil
}
