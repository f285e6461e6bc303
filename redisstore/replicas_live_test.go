package redisstore_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/redis/go-redis/v9"
)

// LOCATION with two servers, for Django's RedisCache and django-redis's
// DefaultClient, against real Django: writes go to the first, reads to the
// second. Two databases of the test Redis stand for a primary and a
// replica that does not replicate, so where each side reads and writes
// shows: what Django writes, neither Django nor Go reads back; what is
// written to the "replica" both read; Go's writes land where Django's do.
func TestLiveSeveralServers(t *testing.T) {
	for _, backend := range []string{redisstore.BackendDjango, redisstore.BackendDjangoRedis} {
		for _, rel := range djangotest.Releases {
			t.Run(backend[:strings.Index(backend, ".")]+"/"+rel, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				u := djangotest.RedisURL(t)
				djangotest.DjangoDir(t)
				prefix := djangotest.NewRedisPrefix(t)
				opt, _ := redis.ParseURL(u)
				primary := redis.NewClient(opt)
				t.Cleanup(func() { primary.Close() })
				ropt := *opt
				ropt.DB = (opt.DB + 2) % 16
				replica := redis.NewClient(&ropt)
				t.Cleanup(func() { replica.Close() })
				ru, _ := url.Parse(u)
				ru.Path = "/" + itoa(ropt.DB)
				locs := []string{u, ru.String()}

				cfg := djangotest.Config{SessionEngine: "cache"}
				if backend == redisstore.BackendDjango {
					cfg.CacheURL, cfg.CacheKeyPrefix = strings.Join(locs, ","), prefix
				} else {
					cfg.Extra = map[string]any{"CACHES": map[string]any{"default": map[string]any{
						"BACKEND": backend, "LOCATION": locs, "KEY_PREFIX": prefix}}}
				}
				d := djangotest.Start(t, rel, cfg)
				s := djangobridge.Defaults()
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.Cache = djangobridge.CacheSettings{Location: locs, KeyPrefix: prefix, Version: 1, Backend: backend}
				c, err := redisstore.Open(&s)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()

				key := djangosession.CacheKeyPrefix + "severalservers" + rel
				t.Cleanup(func() { replica.Del(context.Background(), c.Key(key), c.Key(key+"go")) })
				d.Do(t, "cache_set", map[string]any{"key": key, "value": []any{"dict", []any{[]any{"who", []any{"str", "django"}}}}, "timeout": 60}, nil)
				if n, _ := primary.Exists(ctx, c.Key(key)).Result(); n != 1 {
					t.Fatal("Django's write is not on the first server")
				}
				var got struct {
					Missing bool `json:"missing"`
				}
				d.Do(t, "cache_get", map[string]any{"key": key}, &got)
				if !got.Missing {
					t.Fatal("Django read from the first server")
				}
				if _, err := c.Get(ctx, key); !errors.Is(err, djangosession.ErrNotFound) {
					t.Fatalf("Go read from the first server: %v", err)
				}
				// The "replica" gets the entry: both read it.
				raw, _ := primary.Get(ctx, c.Key(key)).Bytes()
				replica.Set(ctx, c.Key(key), raw, time.Minute)
				m, err := c.Get(ctx, key)
				if err != nil {
					t.Fatal(err)
				}
				if v, _ := m.Get("who"); v != "django" {
					t.Fatalf("Go read %v from the replica", v)
				}
				got.Missing = false
				d.Do(t, "cache_get", map[string]any{"key": key}, &got)
				if got.Missing {
					t.Fatal("Django does not read the replica")
				}
				// Go writes to the first server only.
				if err := c.Set(ctx, key+"go", m, 60); err != nil {
					t.Fatal(err)
				}
				if n, _ := primary.Exists(ctx, c.Key(key+"go")).Result(); n != 1 {
					t.Error("Go's write is not on the first server")
				}
				if n, _ := replica.Exists(ctx, c.Key(key+"go")).Result(); n != 0 {
					t.Error("Go wrote to the second server")
				}
			})
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// django-redis's SentinelClient against real django-redis and a real
// Sentinel watching a primary with a replica: Django's session (zlib,
// pickle) read by Go from the replica; Go's read by Django.
func TestLiveDjangoRedisSentinel(t *testing.T) {
	su := djangotest.SentinelURL(t)
	sent, err := url.Parse(su)
	if err != nil || sent.Host == "" || strings.Trim(sent.Path, "/") == "" {
		t.Fatalf("%s=%q: want redis://HOST:PORT/SERVICE", djangotest.EnvSentinel, su)
	}
	service := strings.Trim(sent.Path, "/")
	host, port := sent.Hostname(), sent.Port()
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			djangotest.DjangoDir(t)
			prefix := "djbt_sentinel_" + rel + "_" + time.Now().Format("150405.000000")
			opts := map[string]any{
				"CLIENT_CLASS": redisstore.ClientSentinel,
				"SENTINELS":    []any{[]any{host, atoi(t, port)}},
				"COMPRESSOR":   redisstore.CompressorZlib,
			}
			pyOpts := map[string]any{}
			for k, v := range opts {
				pyOpts[k] = v
			}
			extra := map[string]any{}
			if rel == "3.2" {
				// django-redis 5.2 reads the factory from this setting only.
				extra["DJANGO_REDIS_CONNECTION_FACTORY"] = redisstore.ConnectionFactorySentinel
			} else {
				pyOpts["CONNECTION_FACTORY"] = redisstore.ConnectionFactorySentinel
			}
			extra["CACHES"] = map[string]any{"default": map[string]any{
				"BACKEND": redisstore.BackendDjangoRedis, "LOCATION": "redis://" + service + "/0", "KEY_PREFIX": prefix, "OPTIONS": pyOpts}}
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: extra})

			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionEngine = "cache"
			s.Cache = djangobridge.CacheSettings{Location: []string{"redis://" + service + "/0"}, KeyPrefix: prefix,
				Backend: redisstore.BackendDjangoRedis, Options: pyOpts}
			c, err := redisstore.Open(&s)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			primary := redis.NewFailoverClient(&redis.FailoverOptions{MasterName: service, SentinelAddrs: []string{sent.Host}})
			defer primary.Close()
			mgr, _ := djangosession.NewManager(&s, c.Store())

			var dj described
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "5", "pad": strings.Repeat("p", 50)}}, &dj)
			t.Cleanup(func() {
				primary.Del(context.Background(), c.Key(djangosession.CacheKeyPrefix+dj.Key))
			})
			// Let the replica catch up before Go reads from it.
			if n, err := primary.Do(ctx, "WAIT", 1, 5000).Int(); err != nil || n < 1 {
				t.Fatalf("WAIT for the replica: %d %v", n, err)
			}
			sess := mgr.Open(ctx, dj.Key)
			if err := sess.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if v, _ := sess.GetString("_auth_user_id"); v != "5" {
				t.Fatalf("Go did not read Django's session through Sentinel: %q", v)
			}
			gs := mgr.Open(ctx, "")
			gs.Set("_auth_user_id", "6")
			if err := gs.Save(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				primary.Del(context.Background(), c.Key(djangosession.CacheKeyPrefix+gs.Key()))
			})
			primary.Do(ctx, "WAIT", 1, 5000)
			var back described
			d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
			if !back.Exists || !strings.Contains(string(back.Data), `"6"`) {
				t.Fatalf("Django does not see Go's session: %s", back.Data)
			}
			// Reads go to the replica: a key only on the primary after a
			// write the replica has not been told about cannot be forced,
			// so check the role of the server Go's reader talks to.
			role, err := redisstore.ReaderRoleForTest(ctx, c)
			if err != nil || role != "slave" {
				t.Errorf("Go's reads go to a %q (%v), want a replica", role, err)
			}
		})
	}
}

func atoi(t *testing.T, s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			t.Fatalf("bad port %q", s)
		}
		n = n*10 + int(r-'0')
	}
	return n
}
