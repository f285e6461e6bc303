package djangosession

import (
	"context"
	"errors"
	"fmt"
)

// Cache key prefixes of the cache and cached_db engines (KEY_PREFIX in
// django/contrib/sessions/backends/cache.py and cached_db.py): the cache
// key of a session is the prefix followed by the session key, before the
// cache's own KEY_PREFIX, VERSION and KEY_FUNCTION apply.
const (
	CacheKeyPrefix    = "django.contrib.sessions.cache"
	CachedDBKeyPrefix = "django.contrib.sessions.cached_db"
)

// Cache is the part of Django's cache API (CACHES["default"]) that the
// cache and cached_db session engines use, over session dicts. Keys are the
// keys Django's session code passes to its cache ("django.contrib.sessions.
// cache<session key>"); the implementation applies KEY_PREFIX, VERSION and
// KEY_FUNCTION and stores values as the Django cache backend does. Timeouts
// are in seconds; like Django's backends, a timeout ≤ 0 means "expired at
// once": Set and Replace delete the entry, Add stores nothing (but reports
// whether the key was free). Implementations must be safe for concurrent
// use; package redisstore has the Redis one (Django's RedisCache).
type Cache interface {
	// Get returns the dict stored under key: ErrNotFound when there is
	// none, a data error (IsDataError) when the value is not a dict or does
	// not decode.
	Get(ctx context.Context, key string) (*Map, error)
	// Set stores data under key for timeout seconds (cache.set).
	Set(ctx context.Context, key string, data *Map, timeout int) error
	// Add stores data under key only if the key is free (cache.add) and
	// reports whether it did.
	Add(ctx context.Context, key string, data *Map, timeout int) (bool, error)
	// Replace stores data under key only if the key exists and reports
	// whether it did: the atomic form of the cache engine's "get, then set
	// if present" update.
	Replace(ctx context.Context, key string, data *Map, timeout int) (bool, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Has reports whether key exists (cache.has_key, "key in cache").
	Has(ctx context.Context, key string) (bool, error)
}

// CacheStore is the cache engine (django.contrib.sessions.backends.cache):
// each session is one cache entry, the session dict itself (a pickle, for
// RedisCache) under CacheKeyPrefix+key, with the session's expiry age as
// its timeout. Nothing outlives the cache: ClearExpired has nothing to do.
type CacheStore struct {
	cache Cache
}

// NewCacheStore returns the cache engine over c.
func NewCacheStore(c Cache) *CacheStore { return &CacheStore{cache: c} }

// Load returns the cached session: ErrNotFound when the entry is missing
// or has expired, a data error when it is not a session dict.
//
// An entry that does not unpickle is reported as ErrNotFound (wrapping the
// data error), so the Session drops the key and starts anew, as Django's
// cache engine does when cache.get raises; one over SessionDataLimit
// (ErrTooLarge), which Django reads, is an error for the request instead. Unlike Django, an unreachable
// cache is an error, not an empty session.
func (st *CacheStore) Load(ctx context.Context, key string) (*Map, error) {
	m, err := st.cache.Get(ctx, CacheKeyPrefix+key)
	if err != nil && IsDataError(err) && !errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("%w: unreadable cache entry: %w", ErrNotFound, err)
	}
	return m, err
}

// Save stores r.Data with timeout r.ExpiryAge: with mustCreate only if the
// key is free (cache.add; taken: ErrExists), otherwise only if the entry
// still exists (taken by Django as get-then-set; gone: ErrVanished).
func (st *CacheStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	data := nilToEmpty(r.Data)
	if mustCreate {
		ok, err := st.cache.Add(ctx, CacheKeyPrefix+r.Key, data, r.ExpiryAge)
		if err != nil {
			return "", err
		}
		if !ok {
			return "", ErrExists
		}
		return r.Key, nil
	}
	ok, err := st.cache.Replace(ctx, CacheKeyPrefix+r.Key, data, r.ExpiryAge)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", ErrVanished
	}
	return r.Key, nil
}

// Delete removes the session's entry.
func (st *CacheStore) Delete(ctx context.Context, key string) error {
	return st.cache.Delete(ctx, CacheKeyPrefix+key)
}

// Exists reports whether the session's entry exists.
func (st *CacheStore) Exists(ctx context.Context, key string) (bool, error) {
	return st.cache.Has(ctx, CacheKeyPrefix+key)
}

// ClearExpired does nothing and returns -1: the cache expires entries
// itself (Django's clear_expired is a no-op here too).
func (st *CacheStore) ClearExpired(ctx context.Context) (int64, error) { return -1, nil }

var _ Store = (*CacheStore)(nil)
