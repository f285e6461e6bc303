package bridge_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/bridge/sqlite"
	"github.com/djangobridge/djangobridge/caches"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/memcachestore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// The one-call setup from Django's own CACHES, for every backend beside
// Redis: memcached (PyMemcacheCache through pymemcache, PyLibMCCache
// through pylibmc) and the DatabaseCache on SQLite, PostgreSQL and
// MariaDB, with the cache and cached_db engines, on every release. Django
// runs with CACHES as JSON says; the Bridge is opened by anydb.Open from
// caches.Parse of the same JSON. A session Django saved is read by the
// Bridge and one the Bridge saved is read by Django; with cached_db, the
// django_session row is deleted first, so the session can only come from
// the cache.
func TestCachesBackendsThroughBridge(t *testing.T) {
	memcached := djangotest.MemcachedAddr(t)
	djangotest.DjangoDir(t)
	type backend struct{ name, dbKind, json string }
	stamp := time.Now().UnixNano() % 1e9
	mc := func(b string) string {
		return fmt.Sprintf(`{"default": {"BACKEND": "django.core.cache.backends.memcached.%s", "LOCATION": %q, "KEY_PREFIX": "djbt-bridge-%d", "TIMEOUT": 600}}`, b, memcached, stamp)
	}
	dbc := `{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "djbt_bridge_cache", "OPTIONS": {"MAX_ENTRIES": 1000}}}`
	backends := []backend{
		{"PyMemcacheCache", "sqlite", mc("PyMemcacheCache")},
		{"PyLibMCCache", "sqlite", mc("PyLibMCCache")},
		{"DatabaseCache-sqlite", "sqlite", dbc},
		{"DatabaseCache-postgres", "postgres", dbc},
		{"DatabaseCache-mysql", "mysql", dbc},
	}
	for _, bk := range backends {
		for _, engine := range []string{"cache", "cached_db"} {
			for _, rel := range djangotest.Releases {
				t.Run(bk.name+"/"+engine+"/"+rel, func(t *testing.T) {
					t.Parallel()
					ctx := context.Background()
					var pyCaches map[string]any
					if err := json.Unmarshal([]byte(bk.json), &pyCaches); err != nil {
						t.Fatal(err)
					}
					db := djangotest.NewDatabaseRelease(t, bk.dbKind, rel)
					d := djangotest.Start(t, rel, djangotest.Config{DatabaseURL: db.URL, SessionEngine: engine, UseTZ: true,
						Extra: map[string]any{"CACHES": pyCaches}})
					cs, err := caches.Parse([]byte(bk.json), "")
					if err != nil {
						t.Fatal(err)
					}
					s := settings("test-secret-key")
					s.DjangoVersion = djangobridge.MustParseVersion(rel)
					s.SessionEngine = engine
					s.UseTZ = true
					s.Cache = cs
					b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: db.URL, Settings: s})
					if err != nil {
						t.Fatal(err)
					}
					defer b.Close()
					if strings.HasPrefix(bk.name, "DatabaseCache") {
						err := b.Check(ctx)
						wantErr(t, err, bridge.ErrSchema, "no cache table djbt_bridge_cache", "createcachetable")
						d.Do(t, "createcachetable", nil, nil)
					}
					if err := b.Check(ctx); err != nil {
						t.Fatalf("Check: %v", err)
					}
					raw, _ := b.DB()
					dropRow := func(key string) {
						t.Helper()
						if engine != "cached_db" {
							return
						}
						res, err := raw.ExecContext(ctx, "DELETE FROM django_session WHERE session_key = '"+key+"'") // keys are [a-z0-9]
						if err != nil {
							t.Fatal(err)
						}
						if n, _ := res.RowsAffected(); n != 1 {
							t.Fatalf("cached_db wrote %d django_session rows for %s, want 1", n, key)
						}
					}

					var dj struct {
						Key    string         `json:"key"`
						Exists bool           `json:"exists"`
						Data   map[string]any `json:"data"`
					}
					d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "7", "u": "äöü 😀"}, "expiry": 3600}, &dj)
					dropRow(dj.Key)
					sess := b.Sessions.Open(ctx, dj.Key)
					if v, _ := sess.GetString("u"); v != "äöü 😀" || sess.Key() != dj.Key {
						t.Fatalf("the Bridge did not read Django's session %s: %v", dj.Key, sess.Err())
					}
					if age := sess.ExpiryAge(); age != 3600 {
						t.Errorf("expiry age %d, want 3600", age)
					}

					gs := b.Sessions.Open(ctx, "")
					gs.Set("_auth_user_id", "8")
					gs.Set("from", "go")
					if err := gs.Save(ctx); err != nil {
						t.Fatal(err)
					}
					dropRow(gs.Key())
					d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &dj)
					if !dj.Exists || dj.Data["from"] != "go" || dj.Data["_auth_user_id"] != "8" {
						t.Fatalf("Django did not read the Bridge's session: %+v", dj)
					}
				})
			}
		}
	}
}

// What goes wrong with a CACHES entry is said at Open or Check, naming it
// and the fix: a backend djangobridge cannot share (LocMemCache), an
// option that moves keys, a memcached that does not answer, a missing
// DatabaseCache table; a driver package without the cache says which
// package opens it.
func TestCachesMistakes(t *testing.T) {
	ctx := context.Background()
	url, raw := sqliteDB(t)
	parse := func(js string) *djangobridge.Settings {
		t.Helper()
		s := settings("k")
		s.SessionEngine = "cache"
		cs, err := caches.Parse([]byte(js), "")
		if err != nil {
			t.Fatal(err)
		}
		s.Cache = cs
		return s
	}

	s := settings("k")
	s.SessionEngine = "cache"
	s.Cache.Backend = "django.core.cache.backends.locmem.LocMemCache"
	_, err := anydb.Open(ctx, bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, bridge.ErrConfig, "LocMemCache", "use Redis, memcached or the database")
	if !errors.Is(err, caches.ErrUnsupported) {
		t.Errorf("%v does not wrap caches.ErrUnsupported", err)
	}

	s.Cache = djangobridge.CacheSettings{Backend: memcachestore.BackendPyLibMC, Location: []string{"127.0.0.1:1"},
		Options: map[string]any{"behaviors": map[string]any{"distribution": "consistent"}}}
	_, err = anydb.Open(ctx, bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, bridge.ErrConfig, `"distribution"`, "remove it")

	// memcached (nothing listens on port 1): Open does no I/O, Check says it.
	s = parse(`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "127.0.0.1:1"}}`)
	b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: url, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	wantErr(t, b.Check(ctx), bridge.ErrUnreachable, "the cache", "does not answer")

	// A driver package given no Config.Cache for memcached names the opener.
	_, err = sqlite.Open(ctx, bridge.Config{DatabaseURL: url, Settings: s})
	wantErr(t, err, bridge.ErrConfig, "bridge/memcached.Open", "PyMemcacheCache")

	// The DatabaseCache: the driver package opens it on its database; Check
	// says to run createcachetable until the table is there.
	s = parse(`{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "my_cache"}}`)
	b2, err := sqlite.Open(ctx, bridge.Config{DatabaseURL: url, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	wantErr(t, b2.Check(ctx), bridge.ErrSchema, "no cache table my_cache", "python manage.py createcachetable")
	if _, err := raw.Exec("CREATE TABLE my_cache (cache_key varchar(255) NOT NULL PRIMARY KEY, val text NOT NULL, expires datetime NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, b2.Check(ctx), bridge.ErrSchema, "lacks the column(s) value")
	if _, err := raw.Exec("DROP TABLE my_cache"); err != nil {
		t.Fatal(err)
	}
	c, err := sqlstore.NewCache(raw, sqlstore.SQLite, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTable(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b2.Check(ctx); err != nil {
		t.Fatalf("Check with the cache table: %v", err)
	}
	sess := b2.Sessions.Open(ctx, "")
	sess.Set("k", "v")
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM my_cache").Scan(&n); err != nil || n != 1 {
		t.Errorf("the session is not in the cache table: %d rows, %v", n, err)
	}
}
