package pgxstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// BackendDatabaseCache is the BACKEND of Django's database cache,
// "django.core.cache.backends.db.DatabaseCache".
const BackendDatabaseCache = sqlcore.BackendDatabaseCache

type dbCache = sqlcore.DBCache

// Cache is Django's database cache (DatabaseCache) on PostgreSQL over a
// pgx pool: the same SQL core and rules as sqlstore.Cache. Safe for
// concurrent use.
type Cache struct {
	*dbCache
	pool *pgxpool.Pool
}

var _ djangosession.Cache = (*Cache)(nil)

// NewCache returns the database cache of pool for s.Cache (BACKEND
// BackendDatabaseCache, LOCATION the table name). It does no I/O.
func NewCache(pool *pgxpool.Pool, s *djangobridge.Settings) (*Cache, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewDBCache, func(c *dbCache) *Cache { return &Cache{c, pool} })
}
