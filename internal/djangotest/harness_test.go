package djangotest

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMain(m *testing.M) { os.Exit(RunMain(m)) }

// Every release starts, answers ping with its own version, and loaded every ops file.
func TestStartPingEachRelease(t *testing.T) {
	for _, rel := range Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := Start(t, rel, Config{})
			if d.Release() != rel {
				t.Fatalf("Release() = %q, want %q", d.Release(), rel)
			}
			var v string
			d.Do(t, "ping", nil, &v)
			if !strings.HasPrefix(v, rel+".") {
				t.Fatalf("ping = %q, want Django %s.x", v, rel)
			}
			if v != d.Version() {
				t.Fatalf("ping = %q but Version() = %q", v, d.Version())
			}
			var ops struct {
				Ops        []string          `json:"ops"`
				LoadErrors map[string]string `json:"load_errors"`
			}
			d.Do(t, "ops", nil, &ops)
			for f, e := range ops.LoadErrors {
				t.Errorf("ops/%s does not load under Django %s:\n%s", f, v, e)
			}
		})
	}
}

// A Python exception comes back as *Error with the exception's class name.
func TestCallReturnsPythonErrors(t *testing.T) {
	d := Start(t, "5.2", Config{})
	err := d.Call("sql", map[string]any{"sql": "SELECT * FROM no_such_table"}, nil)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v (%T), want *Error", err, err)
	}
	if pe.Type != "OperationalError" || !strings.Contains(pe.Message, "no_such_table") {
		t.Fatalf("err = %+v, want OperationalError about no_such_table", pe)
	}
	err = d.Call("no-such-op", nil, nil)
	if !errors.As(err, &pe) || pe.Type != "LookupError" {
		t.Fatalf("unknown op: err = %v, want LookupError", err)
	}
	// The process survives errors.
	d.Do(t, "ping", nil, nil)
}

// A call that outlives its context kills the process and fails with ErrHarness;
// the next Start for the same Config runs a fresh process.
func TestCallTimeoutKillsAndRestarts(t *testing.T) {
	cfg := Config{Extra: map[string]any{"DJANGOTEST_CASE": "timeout"}}
	d := Start(t, "5.2", cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := d.CallContext(ctx, "sleep", map[string]any{"seconds": 30}, nil)
	if !errors.Is(err, ErrHarness) || !strings.Contains(err.Error(), "deadline exceeded") {
		t.Fatalf("err = %v, want ErrHarness mentioning the deadline", err)
	}
	if err := d.Call("ping", nil, nil); !errors.Is(err, ErrHarness) {
		t.Fatalf("after timeout: ping err = %v, want ErrHarness (process is gone)", err)
	}
	d2 := Start(t, "5.2", cfg)
	if d2 == d {
		t.Fatal("Start returned the killed process")
	}
	d2.Do(t, "ping", nil, nil)
}

// A process that dies mid-call fails that call with ErrHarness, not a hang.
func TestCrashIsReported(t *testing.T) {
	cfg := Config{Extra: map[string]any{"DJANGOTEST_CASE": "crash"}}
	d := Start(t, "4.2", cfg)
	err := d.Call("exit", map[string]any{"code": 7}, nil)
	if !errors.Is(err, ErrHarness) || !strings.Contains(err.Error(), "exit status 7") {
		t.Fatalf("err = %v, want ErrHarness with exit status 7", err)
	}
	Start(t, "4.2", cfg).Do(t, "ping", nil, nil)
}

// Settings reach Django: the config's fields become the effective settings
// (SECRET_KEY_FALLBACKS only where it exists, DEFAULT_HASHING_ALGORITHM only on 3.2).
func TestConfigBecomesSettings(t *testing.T) {
	for _, rel := range Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := Start(t, rel, Config{
				SecretKey:               "k1",
				SecretKeyFallbacks:      []string{"k0"},
				DefaultHashingAlgorithm: "sha1",
				UseTZ:                   true,
				TimeZone:                "Europe/Paris",
				SessionEngine:           "signed_cookies",
				PasswordHashers:         []string{"django.contrib.auth.hashers.MD5PasswordHasher"},
				Extra:                   map[string]any{"SESSION_COOKIE_AGE": 60},
			})
			var s map[string]any
			d.Do(t, "settings", nil, &s)
			want := map[string]any{
				"SECRET_KEY":         "k1",
				"USE_TZ":             true,
				"TIME_ZONE":          "Europe/Paris",
				"SESSION_ENGINE":     "django.contrib.sessions.backends.signed_cookies",
				"SESSION_COOKIE_AGE": float64(60),
				"PASSWORD_HASHERS":   []any{"django.contrib.auth.hashers.MD5PasswordHasher"},
			}
			if rel == "3.2" {
				want["DEFAULT_HASHING_ALGORITHM"] = "sha1"
			} else {
				want["SECRET_KEY_FALLBACKS"] = []any{"k0"}
			}
			for k, v := range want {
				if !reflect.DeepEqual(s[k], v) {
					t.Errorf("%s = %#v, want %#v", k, s[k], v)
				}
			}
			if _, ok := s["SECRET_KEY_FALLBACKS"]; ok && rel == "3.2" {
				t.Errorf("SECRET_KEY_FALLBACKS set on 3.2")
			}
		})
	}
}

// A Redis cache config works on every release, 3.2 included (through the
// harness's RedisCache equivalent), and NewRedisPrefix's keys go at cleanup.
func TestRedisCacheConfig(t *testing.T) {
	redisURL := RedisURL(t)
	for _, rel := range Releases {
		t.Run(rel, func(t *testing.T) {
			prefix := NewRedisPrefix(t)
			d := Start(t, rel, Config{CacheURL: redisURL, CacheKeyPrefix: prefix, SessionEngine: "cache"})
			var s map[string]any
			d.Do(t, "settings", map[string]any{"names": []string{"CACHES"}}, &s)
			caches := s["CACHES"].(map[string]any)["default"].(map[string]any)
			if caches["KEY_PREFIX"] != prefix || !strings.HasSuffix(caches["BACKEND"].(string), ".RedisCache") {
				t.Errorf("CACHES = %v", caches)
			}
		})
	}
}

// The 3.2 stand-in RedisCache stores byte for byte what Django's own
// RedisCache (4.2, 5.2) stores: same key layout, same value encoding (raw
// ints, pickle otherwise), same expiry and add semantics.
func TestRedisCompatMatchesDjango(t *testing.T) {
	redisURL := RedisURL(t)
	for _, rel := range []string{"4.2", "5.2"} {
		t.Run(rel, func(t *testing.T) {
			real, compat := NewRedisPrefix(t), NewRedisPrefix(t)
			var rows []map[string]any
			Start(t, rel, Config{}).Do(t, "redis_compat_check", map[string]any{
				"location": redisURL, "prefix_real": real, "prefix_compat": compat,
			}, &rows)
			if len(rows) == 0 {
				t.Fatal("no rows")
			}
			for i, row := range rows {
				if !reflect.DeepEqual(row["real"], row["compat"]) {
					t.Errorf("value %d: Django stores %v, the stand-in %v", i, row["real"], row["compat"])
				}
				if r := row["real"].(map[string]any); r["readback_equal"] != true || r["add_existing"] != false {
					t.Errorf("value %d: %v", i, r)
				}
			}
		})
	}
}

// BenchmarkCallPing measures one round trip to a running Django process.
func BenchmarkCallPing(b *testing.B) {
	d := Start(b, "5.2", Config{})
	var v string
	for b.Loop() {
		if err := d.Call("ping", nil, &v); err != nil {
			b.Fatal(err)
		}
	}
}
