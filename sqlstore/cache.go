package sqlstore

import (
	"database/sql"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// BackendDatabaseCache is the BACKEND of Django's database cache,
// "django.core.cache.backends.db.DatabaseCache".
const BackendDatabaseCache = sqlcore.BackendDatabaseCache

type dbCache = sqlcore.DBCache

// Cache is Django's database cache (DatabaseCache, the table `manage.py
// createcachetable` makes) through database/sql, for the cache and
// cached_db session engines: djangosession.NewCacheStore(c) and
// djangosession.NewCachedDBStore(c, rows, s). Its methods are
// djangosession.Cache's plus Key and CreateTable, from the SQL core shared
// with pgxstore; see sqlcore.DBCache for Django's rules it follows (base64
// of pickle protocol 5, expiry in whole seconds as Django binds datetimes,
// expired rows deleted on read, MAX_ENTRIES/CULL_FREQUENCY culling on
// write). Safe for concurrent use.
type Cache struct {
	*dbCache
	db *sql.DB
}

var _ djangosession.Cache = (*Cache)(nil)

// NewCache returns the database cache of db, which speaks d, for s.Cache
// (BACKEND BackendDatabaseCache, LOCATION the table name, KEY_PREFIX,
// VERSION, OPTIONS MAX_ENTRIES and CULL_FREQUENCY) under USE_TZ and
// TIME_ZONE. It does no I/O: the table must exist (createcachetable, or
// [Cache.CreateTable]).
func NewCache(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Cache, error) {
	return sqlcore.Open(handle(db, d), s, sqlcore.NewDBCache, func(c *dbCache) *Cache { return &Cache{c, db} })
}
