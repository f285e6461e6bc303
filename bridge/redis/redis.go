// Package redis opens the Redis cache of Django's cache and cached_db
// session engines for a Bridge (Config.Cache), through package redisstore
// (Django's RedisCache). It is the only bridge package that imports
// go-redis.
//
//	cache, err := redis.Open(&s) // s.Cache.Location: CACHE_URL
//	b, err := postgres.Open(ctx, bridge.Config{DatabaseURL: url, Settings: &s, Cache: cache})
package redis

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/redisstore"
)

// Cache is a redisstore.Cache that is also a bridge.Cache.
type Cache struct {
	*redisstore.Cache
}

// Store is the cache engine on this cache.
func (c Cache) Store() djangosession.Store { return c.Cache.Store() }

// Ping reports whether Redis answers (a read of a key that never exists).
func (c Cache) Ping(ctx context.Context) error {
	_, err := c.Cache.Has(ctx, "djangobridge.ping")
	return err
}

// Open opens the Redis servers of s.Cache.Location (CACHE_URL, one URL or
// several, comma-separated, e.g. redis://127.0.0.1:6379/0), with Django's
// KEY_PREFIX and VERSION from s.Cache. Errors wrap bridge.ErrConfig.
func Open(s *djangobridge.Settings) (bridge.Cache, error) {
	if s == nil || len(s.Cache.Location) == 0 {
		return nil, fmt.Errorf("%w: CACHE_URL is empty: set it to the Redis of Django's CACHES[\"default\"] LOCATION, e.g. redis://127.0.0.1:6379/1", bridge.ErrConfig)
	}
	c, err := redisstore.Open(s)
	if err != nil {
		return nil, fmt.Errorf("%w: CACHE_URL: %w", bridge.ErrConfig, err)
	}
	return Cache{c}, nil
}

var _ bridge.Cache = Cache{}
