// Package dburl parses a Django-style database URL (the DATABASE_URL of
// dj-database-url) into the driver name and data source name that
// database/sql, pgx or go-sql-driver/mysql take. It imports no driver.
//
//	sqlite:////abs/path/db.sqlite3   (sqlite:///abs/path too; sqlite://:memory:)
//	postgres://user:pass@host:5432/db?sslmode=disable   (postgresql://, pgsql:// too)
//	mysql://user:pass@host:3306/db                      (MySQL or MariaDB; mariadb:// too)
//
// The DSNs set up each connection as a database shared with Django needs:
//
//   - SQLite: busy_timeout (SQLiteBusyTimeoutMS, as Django's "timeout"
//     option), foreign keys on, BEGIN IMMEDIATE for write transactions, and
//     mode=rw: a path that does not exist is an error, not a new empty
//     database (add ?mode=rwc to create it). The journal mode is never
//     changed: a database Django made in rollback-journal mode stays so.
//   - MySQL/MariaDB: utf8mb4, clientFoundRows (an UPDATE counts the rows it
//     matched, Django's CLIENT.FOUND_ROWS), no time parsing (the stores read
//     Django's naive datetimes themselves) and loc=UTC.
//   - PostgreSQL: the URL as given.
//
// Query parameters of the URL are passed on to the driver.
package dburl

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/djangobridge/djangobridge/sqlstore"
)

// ErrBadURL is wrapped by every error of Parse.
var ErrBadURL = errors.New("bad DATABASE_URL")

// SQLiteBusyTimeoutMS is the busy_timeout given to SQLite connections, in
// milliseconds: how long a writer waits for another's lock (Django's or
// this process's) before SQLITE_BUSY. Django's default "timeout" is 5 s.
const SQLiteBusyTimeoutMS = 5000

// Target is a parsed database URL: what to pass to sql.Open (or
// pgxpool.New for PostgreSQL).
type Target struct {
	// Dialect is the SQL the database speaks.
	Dialect sqlstore.Dialect
	// Driver is the database/sql driver name: "sqlite" (modernc.org/sqlite),
	// "pgx" (github.com/jackc/pgx/v5/stdlib) or "mysql"
	// (github.com/go-sql-driver/mysql).
	Driver string
	// DSN is the driver's data source name. It holds the password: never
	// log it (Redacted is the URL without it).
	DSN string
	// Path is the file of a SQLite database ("" for :memory: and servers).
	Path string
	// Memory is an in-memory SQLite database, which exists once per
	// connection: open such a pool with one connection.
	Memory bool
	// Redacted is the URL with its password replaced by "xxxxx", for
	// messages.
	Redacted string
}

// Parse turns a Django-style database URL into a driver and DSN. Errors
// wrap ErrBadURL and never contain the password.
func Parse(raw string) (Target, error) {
	red := Redact(raw)
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return Target{}, fmt.Errorf("%w: %q is not a database URL (want sqlite:////abs/path.sqlite3, postgres://user:pass@host/db or mysql://user:pass@host/db)", ErrBadURL, red)
	}
	var (
		t   Target
		err error
	)
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		t, err = parseSQLite(rest)
	case "postgres", "postgresql", "pgsql":
		var u *url.URL
		if u, err = url.Parse(raw); err != nil {
			return Target{}, fmt.Errorf("%w: %s: %v", ErrBadURL, red, errors.Unwrap(err))
		}
		u.Scheme = "postgres"
		t = Target{Dialect: sqlstore.PostgreSQL, Driver: "pgx", DSN: u.String()}
	case "mysql", "mariadb":
		t, err = parseMySQL(raw)
	default:
		return Target{}, fmt.Errorf("%w: unsupported scheme %q in %s (want sqlite, postgres or mysql)", ErrBadURL, scheme, red)
	}
	if err != nil {
		return Target{}, err
	}
	t.Redacted = red
	return t, nil
}

func parseSQLite(rest string) (Target, error) {
	path, query, _ := strings.Cut(rest, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return Target{}, fmt.Errorf("%w: sqlite query %q: %v", ErrBadURL, query, err)
	}
	if path == ":memory:" || path == "/:memory:" {
		dsn := "file::memory:?_pragma=foreign_keys(1)"
		if query != "" {
			dsn += "&" + query
		}
		return Target{Dialect: sqlstore.SQLite, Driver: "sqlite", DSN: dsn, Memory: true}, nil
	}
	if !strings.HasPrefix(path, "/") {
		return Target{}, fmt.Errorf("%w: a sqlite URL needs an absolute path, sqlite:////abs/path.sqlite3 (got %q)", ErrBadURL, "sqlite://"+path)
	}
	path = "/" + strings.TrimLeft(path, "/")
	p, err := url.PathUnescape(path)
	if err != nil {
		return Target{}, fmt.Errorf("%w: sqlite path %q: %v", ErrBadURL, path, err)
	}
	params := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", SQLiteBusyTimeoutMS),
		"_pragma=foreign_keys(1)",
		"_txlock=immediate",
	}
	if q.Get("mode") == "" {
		params = append(params, "mode=rw")
	}
	if query != "" {
		params = append(params, query)
	}
	dsn := "file:" + (&url.URL{Path: p}).EscapedPath() + "?" + strings.Join(params, "&")
	return Target{Dialect: sqlstore.SQLite, Driver: "sqlite", DSN: dsn, Path: p}, nil
}

// SQLiteURL is the canonical URL of the SQLite file at the absolute path
// path, as dj-database-url writes it: "sqlite:///" followed by the path,
// so four slashes in all (sqlite:////srv/app/db.sqlite3; dj-database-url
// reads three slashes as a relative path). Characters a URL path cannot
// hold as they are ('%', '?', '#', spaces...) are percent-escaped, so
// Parse(SQLiteURL(p)).Path == p. A relative path gives sqlite://rel/path,
// which Parse refuses, asking for an absolute path.
func SQLiteURL(path string) string {
	esc := (&url.URL{Path: path}).EscapedPath()
	if !strings.HasPrefix(path, "/") {
		return "sqlite://" + esc
	}
	return "sqlite:///" + esc
}

func parseMySQL(raw string) (Target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("%w: %s: %v", ErrBadURL, Redact(raw), errors.Unwrap(err))
	}
	host := u.Host
	if host == "" {
		host = "127.0.0.1:3306"
	} else if u.Port() == "" {
		host += ":3306"
	}
	q := u.Query()
	// Django's MySQL connection: utf8mb4 unless told otherwise; the
	// others are what the stores rely on.
	if q.Get("charset") == "" {
		q.Set("charset", "utf8mb4")
	}
	q.Set("parseTime", "false")
	q.Set("clientFoundRows", "true")
	q.Set("loc", "UTC")
	if q.Get("interpolateParams") == "" {
		q.Set("interpolateParams", "true")
	}
	// go-sql-driver/mysql's DSN: [user[:password]@]tcp(host:port)/dbname?params.
	// The driver splits at the last '@' and the first ':' before it, so
	// the password may hold any character; the user may not hold ':'.
	var cred string
	if u.User != nil {
		name := u.User.Username()
		if strings.ContainsAny(name, ":@/") {
			return Target{}, fmt.Errorf("%w: mysql user name %q holds ':', '@' or '/'", ErrBadURL, name)
		}
		cred = name
		if pw, ok := u.User.Password(); ok {
			cred += ":" + pw
		}
		cred += "@"
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var params []string
	for _, k := range keys {
		for _, v := range q[k] {
			params = append(params, k+"="+url.QueryEscape(v))
		}
	}
	dsn := cred + "tcp(" + host + ")/" + strings.TrimPrefix(u.Path, "/") + "?" + strings.Join(params, "&")
	return Target{Dialect: sqlstore.MySQL, Driver: "mysql", DSN: dsn}, nil
}

// Redact returns raw with its password replaced by "xxxxx", for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if i := strings.LastIndex(raw, "@"); i >= 0 {
			if j := strings.Index(raw, "://"); j >= 0 && j < i {
				return raw[:j+3] + "xxxxx" + raw[i:]
			}
		}
		return raw
	}
	return u.Redacted()
}
