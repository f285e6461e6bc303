package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/dburl"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// demo is what the three apps share: one session store, one user store,
// one middleware.
type demo struct {
	databaseURL string
	demoUser    string // "demo / demo" when the demo user was created or checked
	auth        *djangouser.Auth
	mw          *middleware.Middleware
	closers     []func()
	acct        *accounts // registration and password reset (accounts.go)
	acctStore   acctStore // sqlstore.Accounts or pgxstore.Accounts
}

// Close releases the database handles.
func (d *demo) Close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
}

// The demo user.
const demoUsername, demoPassword = "demo", "demo"

// openDemo opens the database of cfg, the session engine of
// SESSION_ENGINE, the password hashers of DJANGO_VERSION and the
// middleware. With initDB, Django's tables (CreateSchema: a database that
// has them is left alone) and the demo user are created when missing.
func openDemo(ctx context.Context, cfg *config, initDB bool, log *slog.Logger) (_ *demo, err error) {
	s := &cfg.Settings
	d := &demo{databaseURL: cfg.DatabaseURL}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	if cfg.Defaulted {
		path := strings.TrimPrefix(cfg.DatabaseURL, "sqlite://")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
	}
	dbStore, users, err := openDatabase(ctx, d, cfg.DatabaseURL, s, initDB)
	if err != nil {
		return nil, err
	}
	sessions, err := sessionEngine(ctx, d, s, dbStore)
	if err != nil {
		return nil, err
	}
	pw, err := hashers.New(s)
	if err != nil {
		return nil, err
	}
	if d.auth, err = djangouser.New(s, users, pw); err != nil {
		return nil, err
	}
	if d.acct, err = openAccounts(s, cfg.SiteURL, d.auth, users, d.acctStore, pw); err != nil {
		return nil, err
	}
	if initDB {
		if err := ensureDemoUser(ctx, d.auth); err != nil {
			return nil, err
		}
		d.demoUser = demoUsername + " / " + demoPassword
	}
	mgr, err := djangosession.NewManager(s, sessions)
	if err != nil {
		return nil, err
	}
	if d.mw, err = middleware.New(middleware.Options{Sessions: mgr, Auth: d.auth, Logger: log}); err != nil {
		return nil, err
	}
	return d, nil
}

// dbSessions is the db session engine of sqlstore or pgxstore.
type dbSessions interface {
	djangosession.Store
	djangosession.RecordLoader
	CreateSchema(ctx context.Context) error
}

// openDatabase opens DATABASE_URL: PostgreSQL through pgxstore (a pgx
// pool), SQLite and MySQL/MariaDB through sqlstore (database/sql). The db
// session engine and the user store share the one handle.
func openDatabase(ctx context.Context, d *demo, url string, s *djangobridge.Settings, initDB bool) (dbSessions, djangouser.Store, error) {
	var (
		store dbSessions
		users djangouser.Store
	)
	if t, err := dburl.Parse(url); err == nil && t.Dialect == sqlstore.PostgreSQL {
		pool, err := dburl.OpenPool(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		d.closers = append(d.closers, pool.Close)
		if store, err = pgxstore.New(pool, s); err != nil {
			return nil, nil, err
		}
		if users, err = pgxstore.NewUsers(pool, s); err != nil {
			return nil, nil, err
		}
		if d.acctStore, err = pgxstore.NewAccounts(pool, s); err != nil {
			return nil, nil, err
		}
	} else {
		db, dialect, err := dburl.Open(ctx, url)
		if err != nil {
			return nil, nil, err
		}
		d.closers = append(d.closers, func() { db.Close() })
		if store, err = sqlstore.New(db, dialect, s); err != nil {
			return nil, nil, err
		}
		if users, err = sqlstore.NewUsers(db, dialect, s); err != nil {
			return nil, nil, err
		}
		if d.acctStore, err = sqlstore.NewAccounts(db, dialect, s); err != nil {
			return nil, nil, err
		}
	}
	if initDB {
		if err := store.CreateSchema(ctx); err != nil {
			return nil, nil, err
		}
	}
	return store, users, nil
}

// sessionEngine returns the engine of SESSION_ENGINE: db, cache and
// cached_db (Redis at CACHE_URL, as Django's RedisCache), file
// (SESSION_FILE_PATH) or signed_cookies, opened as the CLI opens it.
func sessionEngine(ctx context.Context, d *demo, s *djangobridge.Settings, db dbSessions) (djangosession.Store, error) {
	st, err := dburl.OpenSessions(ctx, s, db)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, st.Close)
	return st.Store, nil
}

// ensureDemoUser creates demo/demo unless a user named demo exists.
func ensureDemoUser(ctx context.Context, auth *djangouser.Auth) error {
	_, err := auth.UserByUsername(ctx, demoUsername)
	if err == nil {
		return nil
	}
	if !errors.Is(err, djangouser.ErrUserNotFound) {
		return err
	}
	_, err = auth.CreateUser(ctx, demoUsername, "", demoPassword)
	if errors.Is(err, djangouser.ErrUserExists) {
		return nil // created meanwhile by another process
	}
	return err
}
