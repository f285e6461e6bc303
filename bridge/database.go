package bridge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// ParseURL parses rawURL (see package dburl) and checks that it names a
// database of dialect want: the driver packages call it, so that
// bridge/sqlite given a postgres:// URL says which package to use instead
// of failing later with a SQL syntax error. Errors wrap ErrConfig.
func ParseURL(rawURL string, want sqlstore.Dialect) (dburl.Target, error) {
	if rawURL == "" {
		return dburl.Target{}, fmt.Errorf("%w: DATABASE_URL is empty: set it to the database Django uses, e.g. sqlite:////srv/app/db.sqlite3 or postgres://user:pass@host/db", ErrConfig)
	}
	t, err := dburl.Parse(rawURL)
	if err != nil {
		return dburl.Target{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if t.Dialect != want {
		return dburl.Target{}, fmt.Errorf("%w: DATABASE_URL %s is a %s database, but this is bridge/%s: open it with bridge/%s (or bridge/anydb)", ErrConfig, t.Redacted, t.Dialect, packageOf(want), packageOf(t.Dialect))
	}
	return t, nil
}

func packageOf(d sqlstore.Dialect) string {
	if d == sqlstore.PostgreSQL {
		return "postgres"
	}
	return d.String()
}

// OpenSQL opens t through database/sql (its driver must be registered by
// the caller's import), pings it and makes the sqlstore session engine and
// user store over the one handle. The driver packages bridge/sqlite and
// bridge/mysql call it. A SQLite file that does not exist is
// ErrUnreachable (unless the URL says ?mode=rwc): a typo in the path must
// not become a new, empty database.
func OpenSQL(ctx context.Context, t dburl.Target, s *djangobridge.Settings) (*Database, error) {
	if err := ValidateSettings(s); err != nil {
		return nil, err
	}
	if t.Dialect == sqlstore.SQLite && t.Path != "" && !t.Memory {
		if _, err := os.Stat(t.Path); errors.Is(err, os.ErrNotExist) && !createMode(t.DSN) {
			return nil, fmt.Errorf("%w: no SQLite database at %s: check the path in DATABASE_URL (sqlite:////abs/path.sqlite3: four slashes before an absolute path); Django creates the file with `python manage.py migrate`", ErrUnreachable, t.Path)
		}
	}
	db, err := sql.Open(t.Driver, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %v (is the driver package imported?)", ErrConfig, t.Redacted, err)
	}
	if t.Memory {
		db.SetMaxOpenConns(1)
		db.SetConnMaxIdleTime(0)
		db.SetConnMaxLifetime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %s does not answer: %v", ErrUnreachable, t.Redacted, err)
	}
	sessions, err := sqlstore.New(db, t.Dialect, s)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	users, err := sqlstore.NewUsers(db, t.Dialect, s)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	newCache := func(s *djangobridge.Settings) (djangosession.Cache, error) {
		return sqlstore.NewCache(db, t.Dialect, s)
	}
	return &Database{Sessions: sessions, Users: users, SQL: db, Dialect: t.Dialect, Redacted: t.Redacted, Close: db.Close, NewCache: newCache}, nil
}

func createMode(dsn string) bool {
	for _, m := range []string{"mode=rwc", "mode=memory"} {
		if containsParam(dsn, m) {
			return true
		}
	}
	return false
}

func containsParam(dsn, p string) bool {
	for i := 0; i+len(p) <= len(dsn); i++ {
		if dsn[i:i+len(p)] == p && (i == 0 || dsn[i-1] == '?' || dsn[i-1] == '&') && (i+len(p) == len(dsn) || dsn[i+len(p)] == '&') {
			return true
		}
	}
	return false
}
