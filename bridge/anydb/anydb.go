// Package anydb opens a djangobridge Bridge on whichever database a
// DATABASE_URL names (SQLite, PostgreSQL through pgx, MySQL/MariaDB) and,
// for the cache and cached_db engines, the Redis of CACHE_URL. It imports
// every driver: a service that knows its database imports bridge/sqlite,
// bridge/postgres or bridge/mysql instead and compiles only that driver.
// The djangobridge CLI and the side-by-side demo use this package.
package anydb

import (
	"context"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/mysql"
	"github.com/djangobridge/djangobridge/bridge/postgres"
	"github.com/djangobridge/djangobridge/bridge/redis"
	"github.com/djangobridge/djangobridge/bridge/sqlite"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Open opens cfg.DatabaseURL with the driver its scheme names and sets up
// the Bridge. When the session engine is cache or cached_db and cfg.Cache
// is nil, the cache is opened from cfg.Settings.Cache.Location (CACHE_URL).
func Open(ctx context.Context, cfg bridge.Config) (*bridge.Bridge, error) {
	if err := bridge.ValidateSettings(cfg.Settings); err != nil {
		return nil, err
	}
	engine, _ := djangobridge.EngineName(cfg.Settings.SessionEngine)
	if cfg.Cache == nil && (engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB) {
		c, err := redis.Open(cfg.Settings)
		if err != nil {
			return nil, err
		}
		cfg.Cache = c
	}
	db, err := OpenDatabase(ctx, cfg.DatabaseURL, cfg.Settings)
	if err != nil {
		if cfg.Cache != nil {
			cfg.Cache.Close()
		}
		return nil, err
	}
	return bridge.New(ctx, cfg, db)
}

// OpenDatabase opens only the database a DATABASE_URL names, with the
// driver package of its scheme.
func OpenDatabase(ctx context.Context, databaseURL string, s *djangobridge.Settings) (*bridge.Database, error) {
	t, err := dburl.Parse(databaseURL)
	if err != nil || databaseURL == "" {
		_, err = bridge.ParseURL(databaseURL, sqlstore.SQLite) // the ErrConfig-wrapped message
		return nil, err
	}
	switch t.Dialect {
	case sqlstore.PostgreSQL:
		return postgres.OpenDatabase(ctx, databaseURL, s)
	case sqlstore.MySQL:
		return mysql.OpenDatabase(ctx, databaseURL, s)
	default:
		return sqlite.OpenDatabase(ctx, databaseURL, s)
	}
}
