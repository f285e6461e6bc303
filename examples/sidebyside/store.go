package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// demo is what the three apps share: one Bridge (session store, user
// store, middleware).
type demo struct {
	databaseURL string
	demoUser    string // "demo / demo" when the demo user was created or checked
	auth        *djangouser.Auth
	mw          *middleware.Middleware
	b           *bridge.Bridge
	acct        *accounts // registration and password reset (accounts.go)
	flash       *flash    // flash messages (messages.go)
}

// Close releases the database and cache handles.
func (d *demo) Close() {
	if d.b != nil {
		d.b.Close()
	}
}

// The demo user.
const demoUsername, demoPassword = "demo", "demo"

// schemaCreator is the db session engine of sqlstore and pgxstore, which
// can create Django's tables in an empty database.
type schemaCreator interface {
	CreateSchema(ctx context.Context) error
}

// openDemo sets up the demo with the public calls a service uses:
// anydb.OpenDatabase (the driver DATABASE_URL names), anydb.OpenCache for
// the cache engines (Redis, memcached; the DatabaseCache is opened by
// bridge.New on the database), bridge.New, then Bridge.Check, whose message ends the demo
// when the deployment is wrong (missing tables, another Django's SECRET_KEY...).
// With initDB, Django's tables (CreateSchema: a database that has them is
// left alone), the DatabaseCache's table (as createcachetable) and the demo
// user are created when missing, and a SQLite file
// is created if it does not exist.
func openDemo(ctx context.Context, cfg *config, initDB bool, log *slog.Logger) (_ *demo, err error) {
	s := &cfg.Settings
	d := &demo{databaseURL: cfg.DatabaseURL}
	url := cfg.DatabaseURL
	if t, err := dburl.Parse(url); err == nil && initDB && t.Path != "" && !strings.Contains(url, "?") {
		if err := os.MkdirAll(filepath.Dir(t.Path), 0o755); err != nil {
			return nil, err
		}
		url += "?mode=rwc" // create the file; a service's URL would not
	}
	db, err := anydb.OpenDatabase(ctx, url, s)
	if err != nil {
		return nil, err
	}
	if initDB {
		sc, ok := db.Sessions.(schemaCreator)
		if !ok {
			db.Close()
			return nil, fmt.Errorf("cannot create Django's tables with %T", db.Sessions)
		}
		if err := sc.CreateSchema(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	if engine, _ := djangobridge.EngineName(s.SessionEngine); initDB && s.Cache.Backend == sqlstore.BackendDatabaseCache &&
		(engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB) {
		// createcachetable: the DatabaseCache's table, left alone if it exists.
		c, err := sqlstore.NewCache(db.SQL, db.Dialect, s)
		if err == nil {
			err = c.CreateTable(ctx)
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	// Registration and password reset need the account queries over the
	// same database (through database/sql; for PostgreSQL the pgx pool's
	// database/sql view).
	acctStore, err := sqlstore.NewAccounts(db.SQL, db.Dialect, s)
	if err != nil {
		db.Close()
		return nil, err
	}
	users := db.Users
	if d.flash, err = openFlash(s, cfg.MessageStorage); err != nil {
		db.Close()
		return nil, err
	}
	// Options.Messages is the demo's MessageMiddleware (messages.go).
	bcfg := bridge.Config{DatabaseURL: url, Settings: s, Logger: log, Middleware: middleware.Options{Messages: d.flash.f}}
	if engine, _ := djangobridge.EngineName(s.SessionEngine); engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB {
		if bcfg.Cache, err = anydb.OpenCache(s); err != nil { // nil for the DatabaseCache: bridge.New opens it on db
			db.Close()
			return nil, err
		}
	}
	if d.b, err = bridge.New(ctx, bcfg, db); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	d.auth, d.mw = d.b.Auth, d.b.Middleware
	if d.acct, err = openAccounts(s, cfg.SiteURL, d.auth, users, acctStore, d.b.Hashers); err != nil {
		return nil, err
	}
	if initDB {
		if err := ensureDemoUser(ctx, d.auth); err != nil {
			return nil, err
		}
		d.demoUser = demoUsername + " / " + demoPassword
	}
	if err := d.b.Check(ctx); err != nil {
		return nil, fmt.Errorf("the startup check failed; a Go service would answer 503 to logged-in users:\n%w", err)
	}
	return d, nil
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
