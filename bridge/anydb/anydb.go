// Package anydb opens a djangobridge Bridge on whichever database a
// DATABASE_URL names (SQLite, PostgreSQL through pgx, MySQL/MariaDB) and,
// for the cache and cached_db engines, whichever cache Settings.Cache
// names (CACHE_URL, or Django's CACHES through caches.Parse): Redis
// (Django's RedisCache, django-redis), memcached (PyMemcacheCache,
// PyLibMCCache) or Django's DatabaseCache on that database. It imports
// every driver: a service that knows its database and cache imports
// bridge/sqlite, bridge/postgres or bridge/mysql and bridge/redis or
// bridge/memcached instead and compiles only those drivers. The
// djangobridge CLI and the side-by-side demo use this package.
package anydb

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/memcached"
	"github.com/djangobridge/djangobridge/bridge/mysql"
	"github.com/djangobridge/djangobridge/bridge/postgres"
	"github.com/djangobridge/djangobridge/bridge/redis"
	"github.com/djangobridge/djangobridge/bridge/sqlite"
	"github.com/djangobridge/djangobridge/caches"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/memcachestore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Open opens cfg.DatabaseURL with the driver its scheme names and sets up
// the Bridge. When the session engine is cache or cached_db and cfg.Cache
// is nil, the cache of cfg.Settings.Cache is opened (OpenCache).
func Open(ctx context.Context, cfg bridge.Config) (*bridge.Bridge, error) {
	if err := bridge.ValidateSettings(cfg.Settings); err != nil {
		return nil, err
	}
	engine, _ := djangobridge.EngineName(cfg.Settings.SessionEngine)
	if cfg.Cache == nil && (engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB) {
		c, err := OpenCache(cfg.Settings)
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

// OpenCache opens the cache of s.Cache with the package of its BACKEND:
// bridge/redis for Django's RedisCache and django-redis (and for CACHE_URL,
// whose Backend is ""), bridge/memcached for PyMemcacheCache and
// PyLibMCCache. For Django's DatabaseCache it returns nil and no error:
// bridge.New opens that cache on the database. A BACKEND or option
// djangobridge does not implement is an error wrapping bridge.ErrConfig
// and caches.ErrUnsupported that names it (caches.Check).
func OpenCache(s *djangobridge.Settings) (bridge.Cache, error) {
	if s == nil {
		return nil, bridge.ValidateSettings(s)
	}
	if err := caches.Check(s.Cache); err != nil {
		return nil, fmt.Errorf("%w: CACHES: %w", bridge.ErrConfig, err)
	}
	switch s.Cache.Backend {
	case sqlstore.BackendDatabaseCache:
		return nil, nil
	case memcachestore.BackendPyMemcache, memcachestore.BackendPyLibMC:
		return memcached.Open(s)
	default:
		return redis.Open(s)
	}
}
