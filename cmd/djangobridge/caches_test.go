package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestCachesSetting: --caches (DJANGO_CACHES) takes Django's CACHES as
// settings.py has it. A session Django saved through django-redis with the
// zlib compressor and the JSON serializer, under SESSION_CACHE_ALIAS
// "sessions", is read by `session get`; a backend djangobridge does not
// implement is a configuration error that names it.
func TestCachesSetting(t *testing.T) {
	redisURL := djangotest.RedisURL(t)
	djangotest.DjangoDir(t)
	prefix := djangotest.NewRedisPrefix(t)
	js := `{"sessions": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "` + redisURL + `", "KEY_PREFIX": "` + prefix + `", "VERSION": 2,` +
		` "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor", "SERIALIZER": "django_redis.serializers.json.JSONSerializer"}}}`
	var pyCaches map[string]any
	if err := json.Unmarshal([]byte(js), &pyCaches); err != nil {
		t.Fatal(err)
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: map[string]any{"CACHES": pyCaches, "SESSION_CACHE_ALIAS": "sessions"}})
			var saved struct {
				Key string `json:"key"`
			}
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "9", "pad": strings.Repeat("z", 64)}}, &saved)
			db := djangotest.NewDatabaseRelease(t, "sqlite", rel) // the CLI opens Django's database whatever the engine
			env := map[string]string{"SECRET_KEY": "test-secret-key", "DJANGO_VERSION": rel, "SESSION_ENGINE": "cache", "SESSION_CACHE_ALIAS": "sessions", "DATABASE_URL": db.URL}
			r := runCLI(t, env, "", "session", "get", "--caches", js, saved.Key)
			if r.code != 0 || !strings.Contains(r.stdout, `"_auth_user_id":"9"`) {
				t.Fatalf("session get through --caches: %+v", r)
			}
			env["DJANGO_CACHES"] = js
			if r := runCLI(t, env, "", "session", "get", saved.Key); r.code != 0 || !strings.Contains(r.stdout, `"_auth_user_id":"9"`) {
				t.Fatalf("session get through DJANGO_CACHES: %+v", r)
			}
		})
	}
	// memcached (pymemcache) and the DatabaseCache, with cache and
	// cached_db: the session Django saved is read by 'session get' (the
	// CLI writes no sessions; bridge's TestCachesBackendsThroughBridge
	// checks the other way through the same anydb.Open).
	mc := `{"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "` + djangotest.MemcachedAddr(t) + `", "KEY_PREFIX": "` + prefix + `"}}`
	dbc := `{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cli_cache"}}`
	for _, tc := range []struct{ name, engine, kind, js string }{
		{"PyMemcacheCache", "cache", "sqlite", mc},
		{"PyMemcacheCache", "cached_db", "sqlite", mc},
		{"DatabaseCache", "cache", "sqlite", dbc},
		{"DatabaseCache", "cached_db", "postgres", dbc},
		{"DatabaseCache", "cache", "mysql", dbc},
	} {
		for _, rel := range djangotest.Releases {
			t.Run(tc.name+"/"+tc.engine+"/"+tc.kind+"/"+rel, func(t *testing.T) {
				var pyCaches map[string]any
				if err := json.Unmarshal([]byte(tc.js), &pyCaches); err != nil {
					t.Fatal(err)
				}
				db := djangotest.NewDatabaseRelease(t, tc.kind, rel)
				d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: tc.engine, DatabaseURL: db.URL, UseTZ: true, Extra: map[string]any{"CACHES": pyCaches}})
				if strings.Contains(tc.js, "DatabaseCache") {
					d.Do(t, "createcachetable", nil, nil)
				}
				var saved struct {
					Key string `json:"key"`
				}
				d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "9"}}, &saved)
				env := map[string]string{"SECRET_KEY": "test-secret-key", "DJANGO_VERSION": rel, "SESSION_ENGINE": tc.engine, "DATABASE_URL": db.URL, "DJANGO_CACHES": tc.js}
				if r := runCLI(t, env, "", "session", "get", saved.Key); r.code != 0 || !strings.Contains(r.stdout, `"_auth_user_id":"9"`) {
					t.Fatalf("session get: %+v", r)
				}
			})
		}
	}

	bad := `{"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}`
	r := runCLI(t, map[string]string{"SECRET_KEY": "k", "DJANGO_VERSION": "5.2", "SESSION_ENGINE": "cache"}, "", "session", "get", "--caches", bad, "abc")
	if r.code != exitConfig || !strings.Contains(r.stderr, "LocMemCache") {
		t.Errorf("unsupported backend: %+v", r)
	}
}
