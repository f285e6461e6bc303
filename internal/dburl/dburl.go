// Package dburl opens a database named by a Django-style URL, the one
// place in djangobridge that imports every driver (for the CLI, the demo
// and tests; library users import only their own driver and call
// sqlstore.New or pgxstore.New):
//
//	sqlite:///abs/path.db    (sqlite:////abs/path.db too; sqlite://:memory:)
//	postgres://user:pass@host:port/db?sslmode=disable   (postgresql:// too)
//	mysql://user:pass@host:port/db                      (MySQL or MariaDB)
//
// Each handle is set up as Django's backend sets up its connections:
// SQLite with a busy timeout, WAL and foreign keys on; MySQL with utf8mb4,
// CLIENT_FOUND_ROWS (an UPDATE counts matched rows), no time parsing (the
// stores read Django's naive datetimes themselves) and UTC.
package dburl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"

	"github.com/djangobridge/djangobridge/sqlstore"
)

// SQLiteBusyTimeoutMS is the busy_timeout given to SQLite connections:
// how long a writer waits for another's lock before SQLITE_BUSY.
const SQLiteBusyTimeoutMS = 5000

// Target is a parsed database URL: what to pass to sql.Open.
type Target struct {
	Dialect sqlstore.Dialect
	Driver  string // "sqlite", "pgx" or "mysql"
	DSN     string // the driver's data source name
	// Memory is an in-memory SQLite database, which exists once per
	// connection: Open limits such a pool to one connection.
	Memory bool
}

// Parse turns a Django-style database URL into a driver and DSN.
func Parse(raw string) (Target, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Target{}, fmt.Errorf("dburl: %q is not a database URL (want sqlite:///path, postgres://... or mysql://...)", redact(raw))
	}
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		return parseSQLite(rest)
	case "postgres", "postgresql", "pgsql":
		u, err := url.Parse(raw)
		if err != nil {
			return Target{}, fmt.Errorf("dburl: %s: %w", redact(raw), errors.Unwrap(err))
		}
		u.Scheme = "postgres"
		return Target{Dialect: sqlstore.PostgreSQL, Driver: "pgx", DSN: u.String()}, nil
	case "mysql", "mariadb":
		return parseMySQL(raw)
	}
	return Target{}, fmt.Errorf("dburl: unsupported scheme %q (want sqlite, postgres or mysql)", scheme)
}

func parseSQLite(rest string) (Target, error) {
	path, query, _ := strings.Cut(rest, "?")
	if path == ":memory:" || path == "/:memory:" {
		dsn := "file::memory:?_pragma=foreign_keys(1)"
		if query != "" {
			dsn += "&" + query
		}
		return Target{Dialect: sqlstore.SQLite, Driver: "sqlite", DSN: dsn, Memory: true}, nil
	}
	if !strings.HasPrefix(path, "/") {
		return Target{}, fmt.Errorf("dburl: sqlite URL needs an absolute path: sqlite:///abs/path.db")
	}
	path = "/" + strings.TrimLeft(path, "/")
	p, err := url.PathUnescape(path)
	if err != nil {
		return Target{}, fmt.Errorf("dburl: sqlite path %q: %w", path, err)
	}
	dsn := "file:" + (&url.URL{Path: p}).EscapedPath() +
		fmt.Sprintf("?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate", SQLiteBusyTimeoutMS)
	if query != "" {
		dsn += "&" + query
	}
	return Target{Dialect: sqlstore.SQLite, Driver: "sqlite", DSN: dsn}, nil
}

func parseMySQL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("dburl: %s: %w", redact(raw), errors.Unwrap(err))
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1:3306"
	} else if u.Port() == "" {
		host += ":3306"
	}
	q := u.Query()
	// Django's MySQL connection: utf8mb4 unless told otherwise; these four
	// are what the stores rely on.
	if q.Get("charset") == "" {
		q.Set("charset", "utf8mb4")
	}
	q.Set("parseTime", "false")
	q.Set("clientFoundRows", "true")
	q.Set("loc", "UTC")
	if q.Get("interpolateParams") == "" {
		q.Set("interpolateParams", "true")
	}
	cfg, err := mysql.ParseDSN("tcp(" + host + ")/" + strings.TrimPrefix(u.Path, "/") + "?" + q.Encode())
	if err != nil {
		return Target{}, fmt.Errorf("dburl: %s: %w", redact(raw), err)
	}
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	return Target{Dialect: sqlstore.MySQL, Driver: "mysql", DSN: cfg.FormatDSN()}, nil
}

// Open opens and pings the database at raw.
func Open(ctx context.Context, raw string) (*sql.DB, sqlstore.Dialect, error) {
	t, err := Parse(raw)
	if err != nil {
		return nil, 0, err
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, 0, fmt.Errorf("dburl: open %s: %w", redact(raw), err)
	}
	if t.Memory {
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, 0, fmt.Errorf("dburl: connect to %s: %w", redact(raw), err)
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
		return nil, fmt.Errorf("dburl: open %s: %w", redact(raw), err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("dburl: connect to %s: %w", redact(raw), err)
	}
	return pool, nil
}

// redact hides a URL's password in messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "***" + raw[i:]
			}
		}
		return raw
	}
	return u.Redacted()
}
