// Package memcached opens the memcached of Django's cache and cached_db
// session engines for a Bridge (Config.Cache), through package
// memcachestore: Django's PyMemcacheCache and PyLibMCCache, one server or
// several (each key on the server Django's client picks). It is the only
// bridge package that imports github.com/bradfitz/gomemcache.
//
//	cs, err := caches.Parse([]byte(os.Getenv("DJANGO_CACHES")), "default") // CACHES of settings.py, as JSON
//	s.Cache = cs
//	cache, err := memcached.Open(&s)
//	b, err := postgres.Open(ctx, bridge.Config{DatabaseURL: url, Settings: &s, Cache: cache})
package memcached

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/memcachestore"
)

// Cache is a memcachestore.Cache that is also a bridge.Cache.
type Cache struct {
	*memcachestore.Cache
}

// Store is the cache engine on this cache.
func (c Cache) Store() djangosession.Store { return c.Cache.Store() }

// Ping reports whether every server answers (a read of a key that never
// exists, on each: a key is on one server, and any may be asked).
func (c Cache) Ping(ctx context.Context) error { return c.Cache.Ping(ctx) }

// Open opens the memcached servers of s.Cache.Location ("host:port", a
// list, or one string with "," or ";" between servers, as Django's
// LOCATION) for s.Cache.Backend, memcachestore.BackendPyMemcache or
// memcachestore.BackendPyLibMC, with Django's KEY_PREFIX and VERSION from
// s.Cache. It does no I/O. Errors wrap bridge.ErrConfig (and
// memcachestore.ErrUnsupported for a BACKEND, OPTIONS entry or LOCATION
// memcachestore does not implement, named in the message).
func Open(s *djangobridge.Settings) (bridge.Cache, error) {
	if s == nil || len(s.Cache.Location) == 0 {
		return nil, fmt.Errorf("%w: CACHES LOCATION is empty: set it to the memcached of Django's CACHES, e.g. \"127.0.0.1:11211\"", bridge.ErrConfig)
	}
	c, err := memcachestore.Open(s)
	if err != nil {
		return nil, fmt.Errorf("%w: CACHES: %w", bridge.ErrConfig, err)
	}
	return Cache{c}, nil
}

var _ bridge.Cache = Cache{}
