package dburl

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/redisstore"
)

// Sessions is the session engine of a Settings, opened.
type Sessions struct {
	Store djangosession.Store
	// Cache is the Redis cache of the cache and cached_db engines.
	Cache  *redisstore.Cache
	closed []func()
}

// Close closes what OpenSessions opened (not the database store it was
// given).
func (s *Sessions) Close() {
	for i := len(s.closed) - 1; i >= 0; i-- {
		s.closed[i]()
	}
}

// ParseCacheURL sets s.Cache.Location from CACHE_URL: one or several Redis
// URLs, separated by commas.
func ParseCacheURL(s *djangobridge.Settings, cacheURL string) {
	s.Cache.Location = nil
	for _, u := range strings.Split(cacheURL, ",") {
		if u = strings.TrimSpace(u); u != "" {
			s.Cache.Location = append(s.Cache.Location, u)
		}
	}
}

// OpenSessions opens the engine of s.SessionEngine (Django's dotted name or
// the short one): db and cached_db over db, the db engine's store
// (sqlstore or pgxstore; nil is fine for the other engines), cache and
// cached_db on the Redis of s.Cache.Location, file in s.SessionFilePath,
// signed_cookies in the cookie. It is what the CLI and the demo share, so
// both accept every engine the same way.
func OpenSessions(ctx context.Context, s *djangobridge.Settings, db djangosession.Store) (*Sessions, error) {
	engine, err := djangobridge.EngineName(s.SessionEngine)
	if err != nil {
		return nil, err
	}
	out := &Sessions{}
	if (engine == djangobridge.EngineDB || engine == djangobridge.EngineCachedDB) && db == nil {
		return nil, fmt.Errorf("SESSION_ENGINE %q needs a database (DATABASE_URL)", engine)
	}
	if engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB {
		if len(s.Cache.Location) == 0 {
			return nil, errors.New("SESSION_ENGINE " + engine + " needs a Redis URL (CACHE_URL)")
		}
		if out.Cache, err = redisstore.Open(s); err != nil {
			return nil, err
		}
		out.closed = append(out.closed, func() { out.Cache.Close() })
	}
	switch engine {
	case djangobridge.EngineDB:
		out.Store = db
	case djangobridge.EngineCache:
		out.Store = out.Cache.Store()
	case djangobridge.EngineCachedDB:
		out.Store, err = djangosession.NewCachedDBStore(out.Cache, db, s)
	case djangobridge.EngineFile:
		out.Store, err = djangosession.NewFileStore(s)
	case djangobridge.EngineSignedCookies:
		out.Store, err = djangosession.NewSignedCookieStore(s)
	}
	if err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}
