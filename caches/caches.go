// Package caches reads Django's CACHES setting as a site writes it in
// settings.py (as JSON) and opens the cache it names for the cache and
// cached_db session engines, whichever backend it is:
//
//	django.core.cache.backends.redis.RedisCache        redisstore
//	django_redis.cache.RedisCache                      redisstore
//	django.core.cache.backends.memcached.PyMemcacheCache  memcachestore
//	django.core.cache.backends.memcached.PyLibMCCache     memcachestore
//	django.core.cache.backends.db.DatabaseCache           sqlstore, pgxstore (Parse only; open it
//	                                                      on your database with NewCache, or let
//	                                                      bridge.New open it on the Bridge's)
//
// so a user copies their settings instead of translating them:
//
//	cs, err := caches.Parse([]byte(`{"default": {"BACKEND": "django_redis.cache.RedisCache",
//	    "LOCATION": "redis://127.0.0.1:6379/1", "KEY_PREFIX": "site", "VERSION": 2,
//	    "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"}}}`), "default")
//	s.Cache = cs
//	c, err := caches.Open(&s)
//
// A backend, key or option that djangobridge does not implement is an error
// (wrapping ErrUnsupported) that names it.
package caches

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/memcachestore"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// ErrUnsupported is wrapped by every error about a CACHES entry this
// package cannot honour; it also matches the backends' own ErrUnsupported
// (errors.Is with either works).
var ErrUnsupported = errors.New("caches: unsupported CACHES setting")

type unsupported struct{ err error }

func (u unsupported) Error() string { return u.err.Error() }
func (u unsupported) Unwrap() []error {
	return []error{u.err, ErrUnsupported}
}

func refuse(format string, args ...any) error {
	return unsupported{fmt.Errorf("caches: "+format, args...)}
}

// DefaultKeyFunction is Django's KEY_FUNCTION default, the only one that
// can be named in JSON; a custom one is CacheSettings.KeyFunc in Go.
const DefaultKeyFunction = "django.core.cache.backends.base.default_key_func"

// Parse reads CACHES (a JSON object of aliases, each a dict as in
// settings.py) and returns the entry of alias (SESSION_CACHE_ALIAS; ""
// means "default") as djangobridge.CacheSettings. Keys: BACKEND
// (required), LOCATION (a string or a list), KEY_PREFIX, VERSION, TIMEOUT
// (read, unused: sessions give their own timeouts), KEY_FUNCTION (only
// Django's default), REVERSE_KEY_FUNCTION (django-redis; unused), OPTIONS
// (checked by the backend's package). Numbers keep their JSON text
// (json.Number) in Options.
func Parse(cachesJSON []byte, alias string) (djangobridge.CacheSettings, error) {
	var cs djangobridge.CacheSettings
	if alias == "" {
		alias = "default"
	}
	dec := json.NewDecoder(bytes.NewReader(cachesJSON))
	dec.UseNumber()
	var all map[string]map[string]any
	if err := dec.Decode(&all); err != nil {
		return cs, fmt.Errorf("caches: CACHES is not a JSON object of aliases to dicts: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return cs, errors.New("caches: CACHES: data after the JSON object")
	}
	entry, ok := all[alias]
	if !ok {
		names := make([]string, 0, len(all))
		for k := range all {
			names = append(names, k)
		}
		sort.Strings(names)
		return cs, fmt.Errorf("caches: CACHES has no alias %q (SESSION_CACHE_ALIAS); it has %q", alias, names)
	}
	keys := make([]string, 0, len(entry))
	for k := range entry {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := entry[k]
		switch k {
		case "BACKEND":
			s, ok := v.(string)
			if !ok || s == "" {
				return cs, fmt.Errorf("caches: CACHES[%q][\"BACKEND\"] must be a dotted path", alias)
			}
			cs.Backend = s
		case "LOCATION":
			switch x := v.(type) {
			case string:
				cs.Location = []string{x}
			case []any:
				for _, e := range x {
					s, ok := e.(string)
					if !ok {
						return cs, fmt.Errorf("caches: CACHES[%q][\"LOCATION\"] must be a string or a list of strings", alias)
					}
					cs.Location = append(cs.Location, s)
				}
			default:
				return cs, fmt.Errorf("caches: CACHES[%q][\"LOCATION\"] must be a string or a list of strings", alias)
			}
		case "KEY_PREFIX":
			s, ok := v.(string)
			if !ok {
				return cs, fmt.Errorf("caches: CACHES[%q][\"KEY_PREFIX\"] must be a string", alias)
			}
			cs.KeyPrefix = s
		case "VERSION":
			n, ok := v.(json.Number)
			iv, err := strconv.Atoi(string(n))
			if !ok || err != nil {
				return cs, fmt.Errorf("caches: CACHES[%q][\"VERSION\"] must be an integer", alias)
			}
			cs.Version = iv
		case "TIMEOUT", "REVERSE_KEY_FUNCTION":
		case "KEY_FUNCTION":
			if v != nil && v != DefaultKeyFunction {
				return cs, refuse("CACHES[%q][\"KEY_FUNCTION\"] %v: a custom key function cannot be read from JSON; set djangobridge.CacheSettings.KeyFunc to a Go function that makes the same keys", alias, v)
			}
		case "OPTIONS":
			if v == nil {
				continue
			}
			m, ok := v.(map[string]any)
			if !ok {
				return cs, fmt.Errorf("caches: CACHES[%q][\"OPTIONS\"] must be a dict", alias)
			}
			cs.Options = m
		default:
			return cs, refuse("CACHES[%q][%q] is not a CACHES key djangobridge knows", alias, k)
		}
	}
	if cs.Backend == "" {
		return cs, fmt.Errorf("caches: CACHES[%q] has no BACKEND", alias)
	}
	if cs.Version == 0 {
		cs.Version = 1
	}
	if err := Check(cs); err != nil {
		return cs, err
	}
	return cs, nil
}

var redisBackends = []string{redisstore.BackendDjango, redisstore.BackendDjangoRedis}
var memcachedBackends = []string{memcachestore.BackendPyMemcache, memcachestore.BackendPyLibMC}

// FromEnv applies DJANGO_CACHES (Django's CACHES as JSON) to s: the entry
// of SESSION_CACHE_ALIAS (default "default") replaces s.Cache, which
// SettingsFromEnv filled from CACHE_URL. Unset DJANGO_CACHES leaves s as it
// is. Errors are Parse's, prefixed with the variable's name. The CLI and
// the demo read their environment through it.
func FromEnv(getenv func(string) string, s *djangobridge.Settings) error {
	v := getenv("DJANGO_CACHES")
	if v == "" {
		return nil
	}
	alias := getenv("SESSION_CACHE_ALIAS")
	cs, err := Parse([]byte(v), alias)
	if err != nil {
		return fmt.Errorf("DJANGO_CACHES: %w", err)
	}
	s.Cache = cs
	return nil
}

// Check reports whether cs names a backend and options djangobridge
// implements, with an error naming what it does not.
func Check(cs djangobridge.CacheSettings) error {
	switch {
	case cs.Backend == "" || slices.Contains(redisBackends, cs.Backend):
		if _, err := redisstore.ParseOptions(cs.Backend, cs.Options); err != nil {
			return unsupported{err}
		}
	case slices.Contains(memcachedBackends, cs.Backend):
		if err := memcachestore.ParseOptions(cs.Backend, cs.Options); err != nil {
			return unsupported{err}
		}
	case cs.Backend == sqlstore.BackendDatabaseCache:
		for k := range cs.Options {
			if k != "MAX_ENTRIES" && k != "CULL_FREQUENCY" {
				return refuse("OPTIONS[%q] of DatabaseCache is not supported (supported: MAX_ENTRIES, CULL_FREQUENCY)", k)
			}
		}
		if len(cs.Location) != 1 {
			return refuse("the DatabaseCache LOCATION is one table name, not %q", cs.Location)
		}
	case cs.Backend == "django.core.cache.backends.locmem.LocMemCache":
		return refuse("BACKEND %q keeps entries in each Django process's memory: Go cannot share them; use Redis, memcached or the database", cs.Backend)
	case cs.Backend == "django.core.cache.backends.memcached.MemcachedCache":
		return refuse("BACKEND %q (python-memcached; deprecated by Django 3.2, gone in 4.1) is not supported: switch Django to %s with the same LOCATION (pymemcache), which djangobridge reads and writes", cs.Backend, memcachestore.BackendPyMemcache)
	case cs.Backend == "django.core.cache.backends.dummy.DummyCache":
		return refuse("BACKEND %q stores nothing: sessions in it never survive a request", cs.Backend)
	default:
		return refuse("BACKEND %q is not supported (supported: %q)", cs.Backend, append(append(append([]string{}, redisBackends...), memcachedBackends...), sqlstore.BackendDatabaseCache))
	}
	return nil
}

// Cache is an open Django cache: djangosession.Cache plus Close.
type Cache interface {
	djangosession.Cache
	// Close closes the connections the cache opened.
	Close() error
}

// Open opens the cache of s.Cache for its backend (redisstore.Open or
// memcachestore.Open); NewCacheStore / NewCachedDBStore put sessions on it.
func Open(s *djangobridge.Settings) (Cache, error) {
	if s == nil {
		return nil, errors.New("caches: nil Settings: start from djangobridge.Defaults()")
	}
	if err := Check(s.Cache); err != nil {
		return nil, err
	}
	if s.Cache.Backend == sqlstore.BackendDatabaseCache {
		return nil, errors.New("caches: the DatabaseCache lives in your database: open it with sqlstore.NewCache(db, dialect, &s) or pgxstore.NewCache(pool, &s) on the pool you already have")
	}
	if slices.Contains(memcachedBackends, s.Cache.Backend) {
		c, err := memcachestore.Open(s)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	c, err := redisstore.Open(s)
	if err != nil {
		return nil, err
	}
	return c, nil
}
