package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
	"github.com/jackc/pgx/v5/pgxpool"
)

type dbCache interface {
	djangosession.Cache
	Key(string) string
	CreateTable(context.Context) error
}

// Django's DatabaseCache on SQLite, PostgreSQL (database/sql and pgx) and
// MariaDB, on every release, in a TIME_ZONE other than UTC: the table made
// by either side (createcachetable / CreateTable) serves the other;
// sessions both ways in the cache engine; an expired row is missing and
// deleted; MAX_ENTRIES/CULL_FREQUENCY cull the same rows on both sides.
func TestLiveDatabaseCache(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql", "pgx"} {
		for i, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				dbKind := kind
				if kind == "pgx" {
					dbKind = "postgres"
				}
				db := djangotest.NewDatabase(t, dbKind)
				table := "djbt_cache"
				opts := map[string]any{"MAX_ENTRIES": 10, "CULL_FREQUENCY": 3}
				d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", DatabaseURL: db.URL, TimeZone: "America/Chicago",
					UseTZ: kind == "postgres" || kind == "pgx",
					Extra: map[string]any{"CACHES": map[string]any{"default": map[string]any{
						"BACKEND": sqlstore.BackendDatabaseCache, "LOCATION": table, "KEY_PREFIX": "p", "OPTIONS": opts}}}})
				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SessionEngine = "cache"
				s.TimeZone = "America/Chicago"
				s.UseTZ = kind == "postgres" || kind == "pgx"
				s.Cache = djangobridge.CacheSettings{Backend: sqlstore.BackendDatabaseCache, Location: []string{table}, KeyPrefix: "p", Options: opts}
				var c dbCache
				var sqldb *sql.DB
				if kind != "pgx" {
					var err error
					sqldb, err = sql.Open(db.Driver, db.DSN)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { sqldb.Close() })
					dialect := map[string]sqlstore.Dialect{"sqlite": sqlstore.SQLite, "postgres": sqlstore.PostgreSQL, "mysql": sqlstore.MySQL}[kind]
					c, err = sqlstore.NewCache(sqldb, dialect, &s)
					if err != nil {
						t.Fatal(err)
					}
				} else {
					pool, err := pgxpool.New(ctx, db.DSN)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(pool.Close)
					if c, err = pgxstore.NewCache(pool, &s); err != nil {
						t.Fatal(err)
					}
				}
				if i%2 == 0 {
					if err := c.CreateTable(ctx); err != nil {
						t.Fatal(err)
					}
					d.Do(t, "createcachetable", nil, nil) // finds it there
				} else {
					d.Do(t, "createcachetable", nil, nil)
					if err := c.CreateTable(ctx); err != nil {
						t.Fatal(err)
					}
				}
				mgr, _ := djangosession.NewManager(&s, djangosession.NewCacheStore(c))

				var dj struct {
					Key       string `json:"key"`
					Exists    bool   `json:"exists"`
					ExpiryAge int    `json:"expiry_age"`
				}
				d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "1", "u": "äöü 😀"}, "expiry": 3600}, &dj)
				sess := mgr.Open(ctx, dj.Key)
				if v, _ := sess.GetString("u"); v != "äöü 😀" || sess.Key() != dj.Key {
					t.Fatalf("Go did not read Django's session: %v", sess.Err())
				}
				if age := sess.ExpiryAge(); age != 3600 {
					t.Errorf("expiry age %d", age)
				}
				gs := mgr.Open(ctx, "")
				gs.Set("_auth_user_id", "2")
				if err := gs.Save(ctx); err != nil {
					t.Fatal(err)
				}
				d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &dj)
				if !dj.Exists {
					t.Fatal("Django does not see Go's session")
				}
				// Go updates; Django sees it. Django deletes; Go sees it gone.
				gs.Set("x", "y")
				if err := gs.Save(ctx); err != nil {
					t.Fatal(err)
				}
				d.Do(t, "session_delete", map[string]any{"key": gs.Key()}, nil)
				if _, err := c.Get(ctx, djangosession.CacheKeyPrefix+gs.Key()); !errors.Is(err, djangosession.ErrNotFound) {
					t.Errorf("after Django's delete: %v", err)
				}
				// An expired row (Django's cache.set with a negative timeout)
				// is missing for Go, and Go deletes it as Django's get does.
				d.Do(t, "cache_set", map[string]any{"key": "old", "value": []any{"dict", []any{}}, "timeout": -5}, nil)
				if has, _ := c.Has(ctx, "old"); has {
					t.Error("Has sees an expired row")
				}
				if _, err := c.Get(ctx, "old"); !errors.Is(err, djangosession.ErrNotFound) {
					t.Errorf("expired row: %v", err)
				}
				var rows [][]any
				d.Do(t, "sql", map[string]any{"sql": "SELECT COUNT(*) FROM " + table + " WHERE cache_key = 'p:1:old'"}, &rows)
				if fmt.Sprint(rows) != "[[0]]" {
					t.Errorf("the expired row is still there: %v", rows)
				}
				// Culling: 11 rows, then one more write culls the 3 smallest keys.
				cullCount := func(write func(k string)) []string {
					d.Do(t, "cache_clear", nil, nil)
					for n := range 12 {
						write(fmt.Sprintf("k%02d", n))
					}
					var left [][]any
					d.Do(t, "sql", map[string]any{"sql": "SELECT cache_key FROM " + table + " ORDER BY cache_key"}, &left)
					var ks []string
					for _, r := range left {
						ks = append(ks, fmt.Sprint(r[0]))
					}
					return ks
				}
				goLeft := cullCount(func(k string) {
					if err := c.Set(ctx, k, djangosession.NewMap(), 300); err != nil {
						t.Fatal(err)
					}
				})
				djLeft := cullCount(func(k string) {
					d.Do(t, "cache_set", map[string]any{"key": k, "value": []any{"dict", []any{}}, "timeout": 300}, nil)
				})
				if strings.Join(goLeft, ",") != strings.Join(djLeft, ",") || len(goLeft) != 9 {
					t.Errorf("culling differs:\nGo     %v\nDjango %v", goLeft, djLeft)
				}
			})
		}
	}
}
