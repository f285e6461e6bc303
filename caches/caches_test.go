package caches_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/caches"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/memcachestore"
	"github.com/djangobridge/djangobridge/redisstore"
)

// The issue's example parses to the cache config it means.
func TestParseIssueExample(t *testing.T) {
	cs, err := caches.Parse([]byte(`{"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1", "KEY_PREFIX": "site", "VERSION": 2, "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor", "SERIALIZER": "django_redis.serializers.json.JSONSerializer"}}}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Backend != redisstore.BackendDjangoRedis || cs.KeyPrefix != "site" || cs.Version != 2 ||
		len(cs.Location) != 1 || cs.Location[0] != "redis://127.0.0.1:6379/1" || cs.Options["COMPRESSOR"] != redisstore.CompressorZlib {
		t.Errorf("got %+v", cs)
	}
}

func TestParseAliasAndLists(t *testing.T) {
	js := `{"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
	        "sessions": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": ["a:1", "b:2"], "TIMEOUT": null}}`
	cs, err := caches.Parse([]byte(js), "sessions")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Backend != memcachestore.BackendPyMemcache || len(cs.Location) != 2 || cs.Version != 1 {
		t.Errorf("got %+v", cs)
	}
	if _, err := caches.Parse([]byte(js), "default"); !errors.Is(err, caches.ErrUnsupported) || !strings.Contains(err.Error(), "LocMemCache") {
		t.Errorf("locmem: %v", err)
	}
	if _, err := caches.Parse([]byte(js), "other"); err == nil || !strings.Contains(err.Error(), `"other"`) {
		t.Errorf("missing alias: %v", err)
	}
}

// Every unsupported backend, key and option is named.
func TestParseRefusals(t *testing.T) {
	for js, want := range map[string]string{
		`{"default": {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": {"COMPRESSOR": "my.Compressor"}}}`:                     "my.Compressor",
		`{"default": {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": {"CLIENT_CLASS": "django_redis.client.ShardClient"}}}`: "ShardClient",
		`{"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/tmp/x"}}`:                     "FileBasedCache",
		`{"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "KEY_FUNCTION": "my.key_func"}}`:                    "KEY_FUNCTION",
		`{"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "NOPE": 1}}`:                                        "NOPE",
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache", "OPTIONS": {"behaviors": {"ketama": true}}}}`: "ketama",
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache", "OPTIONS": {"ketama": true}}}`:                "put \"ketama\" there",
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache", "OPTIONS": {"username": "u"}}}`:               "SASL",
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "OPTIONS": {"key_prefix": "x"}}}`:          "remove it",
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.MemcachedCache", "LOCATION": "127.0.0.1:11211"}}`:            "switch Django to django.core.cache.backends.memcached.PyMemcacheCache",
	} {
		_, err := caches.Parse([]byte(js), "default")
		if !errors.Is(err, caches.ErrUnsupported) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want ErrUnsupported naming %s", js, err, want)
		}
	}
	// The backend's own sentinel matches too.
	_, err := caches.Parse([]byte(`{"default": {"BACKEND": "django_redis.cache.RedisCache", "OPTIONS": {"X": 1}}}`), "")
	if !errors.Is(err, redisstore.ErrUnsupported) {
		t.Errorf("not a redisstore.ErrUnsupported: %v", err)
	}
	for _, js := range []string{`[]`, `{"default": 3}`, `{"default": {"LOCATION": "x"}}`, `{"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "VERSION": "2"}}`, `{} {}`} {
		if _, err := caches.Parse([]byte(js), ""); err == nil {
			t.Errorf("%s: no error", js)
		}
	}
}

// Parse then Open gives a working cache against real Django's CACHES.
func TestLiveParseOpen(t *testing.T) {
	redisURL := djangotest.RedisURL(t)
	mc := djangotest.MemcachedAddr(t)
	djangotest.DjangoDir(t)
	prefix := djangotest.NewRedisPrefix(t)
	rel := "5.2"
	for name, js := range map[string]string{
		"django-redis": `{"sessions": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "` + redisURL + `", "KEY_PREFIX": "` + prefix + `", "VERSION": 2, "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor", "SERIALIZER": "django_redis.serializers.json.JSONSerializer"}}}`,
		"pymemcache":   `{"sessions": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "` + mc + `", "KEY_PREFIX": "` + prefix + `"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			var pyCaches map[string]any
			if err := jsonUnmarshal(js, &pyCaches); err != nil {
				t.Fatal(err)
			}
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: map[string]any{"CACHES": pyCaches, "SESSION_CACHE_ALIAS": "sessions"}})
			cs, err := caches.Parse([]byte(js), "sessions")
			if err != nil {
				t.Fatal(err)
			}
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionEngine = "cache"
			s.Cache = cs
			c, err := caches.Open(&s)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			mgr, _ := djangosession.NewManager(&s, djangosession.NewCacheStore(c))
			var dj struct {
				Key string `json:"key"`
			}
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "9", "pad": strings.Repeat("z", 40)}}, &dj)
			sess := mgr.Open(ctx, dj.Key)
			if v, _ := sess.GetString("_auth_user_id"); v != "9" {
				t.Fatalf("Go did not read Django's session through the parsed CACHES: %v", sess.Err())
			}
			gs := mgr.Open(ctx, "")
			gs.Set("_auth_user_id", "10")
			if err := gs.Save(ctx); err != nil {
				t.Fatal(err)
			}
			var back struct {
				Exists bool `json:"exists"`
			}
			d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
			if !back.Exists {
				t.Fatal("Django does not see Go's session")
			}
		})
	}
}

func TestParseDatabaseCache(t *testing.T) {
	cs, err := caches.Parse([]byte(`{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "my_cache_table", "OPTIONS": {"MAX_ENTRIES": 1000}}}`), "")
	if err != nil || cs.Location[0] != "my_cache_table" {
		t.Fatalf("%+v %v", cs, err)
	}
	if _, err := caches.Parse([]byte(`{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t", "OPTIONS": {"X": 1}}}`), ""); !errors.Is(err, caches.ErrUnsupported) {
		t.Errorf("unknown option: %v", err)
	}
	s := djangobridge.Defaults()
	s.Cache = cs
	if _, err := caches.Open(&s); err == nil || !strings.Contains(err.Error(), "NewCache") {
		t.Errorf("Open of a DatabaseCache: %v", err)
	}
}

// FromEnv: DJANGO_CACHES's SESSION_CACHE_ALIAS entry replaces CACHE_URL's
// settings; unset, nothing changes; a bad entry names the variable.
func TestFromEnv(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	s := djangobridge.Defaults()
	s.Cache.Location = []string{"redis://a:6379/0"}
	if err := caches.FromEnv(getenv, &s); err != nil || s.Cache.Location[0] != "redis://a:6379/0" {
		t.Fatalf("unset: %v %+v", err, s.Cache)
	}
	env["DJANGO_CACHES"] = `{"default": {"BACKEND": "x.Y"}, "s": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}}`
	env["SESSION_CACHE_ALIAS"] = "s"
	if err := caches.FromEnv(getenv, &s); err != nil || s.Cache.Backend != "django.core.cache.backends.db.DatabaseCache" || s.Cache.Location[0] != "t" {
		t.Fatalf("alias s: %v %+v", err, s.Cache)
	}
	delete(env, "SESSION_CACHE_ALIAS")
	if err := caches.FromEnv(getenv, &s); !errors.Is(err, caches.ErrUnsupported) || !strings.Contains(err.Error(), "DJANGO_CACHES") || !strings.Contains(err.Error(), `"x.Y"`) {
		t.Errorf("default alias, unknown backend: %v", err)
	}
}
