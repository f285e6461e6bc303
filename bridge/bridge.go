// Package bridge sets up djangobridge in one call: from a Django-style
// DATABASE_URL and a Settings it opens the database, the session engine,
// the user store, the password hashers, authentication and the middleware,
// and returns one *Bridge that wraps a router (Handler), checks the
// deployment against Django's (Check) and closes everything (Close).
//
// This package imports no database driver. Open through the package of
// your driver, so that a pgx user compiles only pgx:
//
//	bridge/sqlite    modernc.org/sqlite (pure Go)
//	bridge/postgres  github.com/jackc/pgx/v5 (a pgxpool, pgxstore)
//	bridge/mysql     github.com/go-sql-driver/mysql (MySQL, MariaDB)
//	bridge/redis     the cache and cached_db engines' Redis (Config.Cache): Django's RedisCache, django-redis
//	bridge/memcached their memcached (Config.Cache): PyMemcacheCache, PyLibMCCache (github.com/bradfitz/gomemcache)
//	bridge/anydb     all of the above, chosen by the URL's scheme and CACHES' BACKEND (the CLI and the demo use it)
//
// Django's database cache (django.core.cache.backends.db.DatabaseCache)
// needs no package of its own: with Settings.Cache.Backend set to it,
// New opens it on the database the driver package opened (the table of
// LOCATION, made by `manage.py createcachetable`).
//
// A service:
//
//	s, err := djangobridge.SettingsFromEnv(os.Getenv) // SECRET_KEY, DJANGO_VERSION, SESSION_COOKIE_*...
//	b, err := postgres.Open(ctx, bridge.Config{DatabaseURL: os.Getenv("DATABASE_URL"), Settings: &s})
//	defer b.Close()
//	if err := b.Check(ctx); err != nil { log.Fatal(err) } // names what to fix
//	http.ListenAndServe(":8080", b.Handler(mux))
//
// Everything is set up as a database shared with Django needs: SQLite
// with a busy timeout and its journal mode left alone, MySQL with
// utf8mb4 and found-rows (see package dburl).
package bridge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Errors of setup and of Check. Every error New, the driver packages'
// Open and Check return wraps one of them (errors.Is), with words that say
// what to fix.
var (
	// ErrConfig: a setting is missing or wrong (empty SECRET_KEY, unset
	// DjangoVersion, an engine without its cache, a nil Settings).
	ErrConfig = errors.New("bridge: configuration")
	// ErrUnreachable: the database (or cache) does not answer, or a SQLite
	// file does not exist.
	ErrUnreachable = errors.New("bridge: database unreachable")
	// ErrSchema: a table or column Django's migrate creates is missing.
	ErrSchema = errors.New("bridge: Django's tables are missing")
	// ErrRelease: django_migrations records migrations that the
	// configured DjangoVersion does not have.
	ErrRelease = errors.New("bridge: DjangoVersion does not match the database")
	// ErrKeyMismatch: live sessions exist and SECRET_KEY (with
	// SECRET_KEY_FALLBACKS) verifies none of them.
	ErrKeyMismatch = errors.New("bridge: SECRET_KEY does not match Django's")
)

// Config is what Open needs.
type Config struct {
	// DatabaseURL is DATABASE_URL: sqlite:////abs/path.sqlite3,
	// postgres://user:pass@host/db, mysql://user:pass@host/db (see package
	// dburl). Required: the users live in the database.
	DatabaseURL string
	// Settings mirrors your settings.py (djangobridge.SettingsFromEnv, or
	// djangobridge.Defaults() and fields set). Required; copied.
	Settings *djangobridge.Settings
	// Cache is the cache of the cache and cached_db engines: bridge/redis.Open
	// or bridge/memcached.Open for Settings.Cache (CACHE_URL, or CACHES
	// through caches.Parse). Nil when Settings.Cache.Backend is Django's
	// DatabaseCache: New opens it on the database. Ignored by the other
	// engines; Close closes it.
	Cache Cache
	// Logger receives what the middleware and the stores log. Nil:
	// Settings.Logger, else slog.Default().
	Logger *slog.Logger
	// Middleware sets the middleware's options (CSRFExempt,
	// ErrorHandler...); its Sessions, Auth and Logger are filled in.
	Middleware middleware.Options
}

// Cache is an opened cache for the cache and cached_db engines: a
// djangosession.Cache that also makes the cache engine's Store and closes.
// bridge/redis and bridge/memcached return one; New makes the DatabaseCache's.
type Cache interface {
	djangosession.Cache
	// Store is the cache engine on this cache.
	Store() djangosession.Store
	// Ping reports whether the cache answers.
	Ping(ctx context.Context) error
	Close() error
}

// Database is one database shared with Django, opened by a driver package:
// the db session engine and user store over it, and a database/sql handle
// for Check (for pgx, stdlib.OpenDBFromPool over the same pool).
type Database struct {
	// Sessions is the db engine on django_session (sqlstore or pgxstore);
	// it must implement djangosession.RecordLoader for cached_db.
	Sessions djangosession.Store
	// Users is the user store on AUTH_USER_MODEL's tables.
	Users djangouser.Store
	// SQL and Dialect are used by Check's catalog queries.
	SQL     *sql.DB
	Dialect sqlstore.Dialect
	// Redacted is the URL without its password, for messages.
	Redacted string
	// NewCache returns Django's database cache (DatabaseCache) on this
	// database for s.Cache (LOCATION the table): sqlstore.NewCache, or
	// pgxstore.NewCache on the pgx pool. New calls it for the cache and
	// cached_db engines when Settings.Cache.Backend is the DatabaseCache.
	// Nil: this database cannot hold the cache.
	NewCache func(s *djangobridge.Settings) (djangosession.Cache, error)
	// Close releases the handles; called once by Bridge.Close.
	Close func() error
}

// Bridge is a Go service's share of a Django site: sessions, users,
// passwords and the middleware, set up once. Safe for concurrent use.
type Bridge struct {
	// Settings are the settings everything was made with (a copy).
	Settings *djangobridge.Settings
	// Sessions opens sessions of the configured engine.
	Sessions *djangosession.Manager
	// Hashers are PASSWORD_HASHERS of the configured release.
	Hashers *hashers.Set
	// Auth is django.contrib.auth: users, login, logout, permissions.
	Auth *djangouser.Auth
	// Middleware is Django's session, auth and CSRF middleware; Handler
	// wraps a net/http router with it; the adapters take it (echomw,
	// echo5mw, fibermw, fiber3mw, ginmw: e.Use(echomw.New(b.Middleware))).
	Middleware *middleware.Middleware
	// Store is the session engine behind Sessions.
	Store djangosession.Store

	db        *Database
	cache     Cache
	closeOnce sync.Once
	closeErr  error
}

// New sets up a Bridge over db, which a driver package opened from
// cfg.DatabaseURL; most callers use that package's Open instead. On error
// db (and cfg.Cache) are closed. Errors wrap ErrConfig.
func New(ctx context.Context, cfg Config, db *Database) (_ *Bridge, err error) {
	b := &Bridge{db: db, cache: cfg.Cache}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	if err := ValidateSettings(cfg.Settings); err != nil {
		return nil, err
	}
	if db == nil || db.Sessions == nil || db.Users == nil {
		return nil, fmt.Errorf("%w: no database: open one with bridge/sqlite, bridge/postgres, bridge/mysql or bridge/anydb", ErrConfig)
	}
	s := *cfg.Settings
	if cfg.Logger != nil {
		s.Logger = cfg.Logger
	}
	b.Settings = &s
	engine, _ := djangobridge.EngineName(s.SessionEngine)
	needCache := engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB
	if needCache && cfg.Cache == nil && s.Cache.Backend == sqlstore.BackendDatabaseCache {
		if db.NewCache == nil {
			return nil, fmt.Errorf("%w: CACHES BACKEND %s: this database (%s) cannot hold Django's database cache", ErrConfig, s.Cache.Backend, db.Redacted)
		}
		c, err := db.NewCache(&s)
		if err != nil {
			return nil, fmt.Errorf("%w: CACHES: %w", ErrConfig, err)
		}
		cfg.Cache = databaseCache{c}
		b.cache = cfg.Cache
	}
	if needCache && cfg.Cache == nil {
		backend := s.Cache.Backend
		if backend == "" {
			backend = "Django's RedisCache (CACHE_URL)"
		}
		return nil, fmt.Errorf("%w: SESSION_ENGINE %s needs a cache: open %s with bridge/redis.Open (Django's RedisCache, django-redis; set CACHE_URL, e.g. redis://host:6379/0) or bridge/memcached.Open (PyMemcacheCache, PyLibMCCache) and pass it as Config.Cache, or open everything with bridge/anydb", ErrConfig, engine, backend)
	}
	switch engine {
	case djangobridge.EngineDB:
		b.Store = db.Sessions
	case djangobridge.EngineCache:
		b.Store = cfg.Cache.Store()
	case djangobridge.EngineCachedDB:
		b.Store, err = djangosession.NewCachedDBStore(cfg.Cache, db.Sessions, &s)
	case djangobridge.EngineFile:
		b.Store, err = djangosession.NewFileStore(&s)
	case djangobridge.EngineSignedCookies:
		b.Store, err = djangosession.NewSignedCookieStore(&s)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: SESSION_ENGINE %s: %w", ErrConfig, engine, err)
	}
	if b.Sessions, err = djangosession.NewManager(&s, b.Store); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if b.Hashers, err = hashers.New(&s); err != nil {
		return nil, fmt.Errorf("%w: PASSWORD_HASHERS: %w", ErrConfig, err)
	}
	if b.Auth, err = djangouser.New(&s, db.Users, b.Hashers); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	opts := cfg.Middleware
	opts.Sessions, opts.Auth = b.Sessions, b.Auth
	if opts.Logger == nil {
		opts.Logger = s.Logger
	}
	if b.Middleware, err = middleware.New(opts); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return b, nil
}

// ValidateSettings reports the mistakes a Settings can hold before
// anything is opened: nil, an unset or unsupported DjangoVersion, an empty
// SECRET_KEY, an unknown SESSION_ENGINE, a bad TIME_ZONE. Errors wrap
// ErrConfig (and djangobridge.ErrVersionUnset where it applies).
func ValidateSettings(s *djangobridge.Settings) error {
	if s == nil {
		return fmt.Errorf("%w: nil Settings: start from djangobridge.SettingsFromEnv(os.Getenv) or djangobridge.Defaults()", ErrConfig)
	}
	if _, err := s.Release(); err != nil {
		return fmt.Errorf("%w: %w (DJANGO_VERSION)", ErrConfig, err)
	}
	if s.SecretKey == "" {
		return fmt.Errorf("%w: SECRET_KEY is empty: set Settings.SecretKey (the SECRET_KEY environment variable) to the SECRET_KEY of your Django settings.py", ErrConfig)
	}
	if _, err := djangobridge.EngineName(s.SessionEngine); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if _, err := s.Location(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// Handler wraps a net/http handler (a router) with the middleware:
// Django's SessionMiddleware, AuthenticationMiddleware and
// CsrfViewMiddleware. In a handler, middleware.User(r) is request.user.
func (b *Bridge) Handler(next http.Handler) http.Handler { return b.Middleware.Handler(next) }

// Close closes the cache and the database. It is safe to call more than
// once; later calls return the first result.
func (b *Bridge) Close() error {
	b.closeOnce.Do(func() {
		var errs []error
		if b.cache != nil {
			errs = append(errs, b.cache.Close())
		}
		if b.db != nil && b.db.Close != nil {
			errs = append(errs, b.db.Close())
		}
		b.closeErr = errors.Join(errs...)
	})
	return b.closeErr
}

// DB returns the database/sql handle Check uses, and its dialect.
func (b *Bridge) DB() (*sql.DB, sqlstore.Dialect) { return b.db.SQL, b.db.Dialect }

// databaseCache is Django's DatabaseCache as a Cache: its connections are
// the database's, closed by Database.Close.
type databaseCache struct{ djangosession.Cache }

func (c databaseCache) Store() djangosession.Store { return djangosession.NewCacheStore(c.Cache) }

func (c databaseCache) Ping(ctx context.Context) error {
	_, err := c.Cache.Has(ctx, "djangobridge.ping")
	return err
}

func (databaseCache) Close() error { return nil }
