// Package sqlite opens a djangobridge Bridge on a SQLite database Django
// uses, through modernc.org/sqlite (pure Go, no cgo). It is the only
// bridge package that imports that driver.
//
//	b, err := sqlite.Open(ctx, bridge.Config{DatabaseURL: "sqlite:////srv/app/db.sqlite3", Settings: &s})
//
// Connections get a busy timeout (dburl.SQLiteBusyTimeoutMS), foreign
// keys and BEGIN IMMEDIATE writes; the journal mode is left as Django left
// it. A path that does not exist is an error (bridge.ErrUnreachable), not
// a new empty database; add ?mode=rwc to the URL to create it.
package sqlite

import (
	"context"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Open opens cfg.DatabaseURL (sqlite:////abs/path.sqlite3) and sets up the
// Bridge (see bridge.New). Errors wrap bridge.ErrConfig or
// bridge.ErrUnreachable.
func Open(ctx context.Context, cfg bridge.Config) (*bridge.Bridge, error) {
	db, err := OpenDatabase(ctx, cfg.DatabaseURL, cfg.Settings)
	if err != nil {
		closeCache(cfg)
		return nil, err
	}
	return bridge.New(ctx, cfg, db)
}

// OpenDatabase opens only the database: the db session engine and the
// user store over one *sql.DB.
func OpenDatabase(ctx context.Context, databaseURL string, s *djangobridge.Settings) (*bridge.Database, error) {
	t, err := bridge.ParseURL(databaseURL, sqlstore.SQLite)
	if err != nil {
		return nil, err
	}
	return bridge.OpenSQL(ctx, t, s)
}

func closeCache(cfg bridge.Config) {
	if cfg.Cache != nil {
		cfg.Cache.Close()
	}
}
