package pgxstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// Cache is Django's database cache (DatabaseCache) on PostgreSQL over a
// pgx pool, for the cache and cached_db session engines. Its methods and
// Django's rules come from the SQL core it shares with sqlstore.Cache (see
// there). Safe for concurrent use.
type Cache struct {
	*sqlcore.DBCache
	pool *pgxpool.Pool
}

var _ djangosession.Cache = (*Cache)(nil)

// NewCache returns the database cache of pool for s.Cache (BACKEND
// "django.core.cache.backends.db.DatabaseCache", LOCATION the table name).
// It does no I/O.
func NewCache(pool *pgxpool.Pool, s *djangobridge.Settings) (*Cache, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewDBCache, func(c *sqlcore.DBCache) *Cache { return &Cache{c, pool} })
}
