package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
	db, dialect, err := dburl.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, func() { db.Close() })

	sessions, users, err := openStores(ctx, d, db, dialect, s, initDB)
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

// openStores returns the session engine of SESSION_ENGINE and the user
// store, both over the one database handle.
func openStores(ctx context.Context, d *demo, db *sql.DB, dialect sqlstore.Dialect, s *djangobridge.Settings, initDB bool) (djangosession.Store, djangouser.Store, error) {
	dbStore, err := sqlstore.New(db, dialect, s)
	if err != nil {
		return nil, nil, err
	}
	if initDB {
		if err := dbStore.CreateSchema(ctx); err != nil {
			return nil, nil, err
		}
	}
	users, err := sqlstore.NewUsers(db, dialect, s)
	if err != nil {
		return nil, nil, err
	}
	var sessions djangosession.Store
	switch s.SessionEngine {
	case djangobridge.EngineDB:
		sessions = dbStore
	case djangobridge.EngineSignedCookies:
		if sessions, err = djangosession.NewSignedCookieStore(s); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("SESSION_ENGINE %q is not supported by the demo yet", s.SessionEngine)
	}
	return sessions, users, nil
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
