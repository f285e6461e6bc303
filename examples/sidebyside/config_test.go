package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/djangosession"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestConfigDefaultsAreDjangosAndTheDemos(t *testing.T) {
	c, err := loadConfig(env("TMPDIR", "/x"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Settings
	if !c.DemoKey || s.SecretKey != demoSecretKey {
		t.Error("SECRET_KEY unset: want the demo key, flagged")
	}
	if !c.Defaulted || c.DatabaseURL != "sqlite:///"+filepath.Join("/x", "djangobridge-demo", "db.sqlite3") {
		t.Errorf("DATABASE_URL unset: %q", c.DatabaseURL)
	}
	if s.DjangoVersion != djangobridge.Django52 || s.SessionEngine != "db" || s.SessionCookieName != "sessionid" ||
		!s.UseTZ || s.TimeZone != "UTC" || s.Argon2HashLength != 32 {
		t.Errorf("defaults: %+v", s)
	}
}

func TestConfigReadsDjangoNamedVariables(t *testing.T) {
	c, err := loadConfig(env(
		"SECRET_KEY", "k", "SECRET_KEY_FALLBACKS", "old1, old2,", "DATABASE_URL", "postgres://u@h/db",
		"SESSION_COOKIE_NAME", "sid", "USE_TZ", "false", "TIME_ZONE", "Europe/Paris", "DJANGO_VERSION", "3.2",
		"SESSION_ENGINE", "django.contrib.sessions.backends.cached_db", "CACHE_URL", "redis://a/0,redis://b/0",
		"CACHE_KEY_PREFIX", "p", "SESSION_FILE_PATH", "/s", "ARGON2_HASH_LENGTH", "16"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Settings
	got := []string{s.SecretKey, strings.Join(s.SecretKeyFallbacks, "|"), c.DatabaseURL, s.SessionCookieName,
		s.TimeZone, s.DjangoVersion.String(), s.SessionEngine, strings.Join(s.Cache.Location, "|"), s.Cache.KeyPrefix, s.SessionFilePath}
	want := []string{"k", "old1|old2", "postgres://u@h/db", "sid", "Europe/Paris", "3.2", "cached_db", "redis://a/0|redis://b/0", "p", "/s"}
	if strings.Join(got, " ") != strings.Join(want, " ") || s.UseTZ || c.DemoKey || c.Defaulted || s.Argon2HashLength != 16 {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestConfigRefusesBadValues(t *testing.T) {
	for _, kv := range [][]string{
		{"DJANGO_VERSION", "five"},
		{"USE_TZ", "maybe"},
		{"SESSION_ENGINE", "memcached"},
		{"USE_TZ", "false", "TIME_ZONE", "Mars/Olympus"},
		{"ARGON2_HASH_LENGTH", "sixteen"},
		{"ARGON2_HASH_LENGTH", "2"},
	} {
		if _, err := loadConfig(env(kv...)); err == nil {
			t.Errorf("%v: no error", kv)
		}
	}
}

func TestPySpacedIsJsonDumpsSpacing(t *testing.T) {
	for in, want := range map[string]string{
		`{}`:                           `{}`,
		`{"a":1,"b":[1,2,{"c":null}]}`: `{"a": 1, "b": [1, 2, {"c": null}]}`,
		`{"k:,":"v\\",",":"\"x\",y"}`:  `{"k:,": "v\\", ",": "\"x\",y"}`,
	} {
		if got := string(pySpaced([]byte(in))); got != want {
			t.Errorf("pySpaced(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestNumbersAreStoredAsPythonWouldStoreThem(t *testing.T) {
	for in, want := range map[string]string{
		`1e3`:                  `1000.0`,
		`[-0, 1.50, 2E-7, 10]`: `[0,1.5,2e-07,10]`,
		`{"a": {"b": 123456789012345678901234567890}}`: `{"a":{"b":123456789012345678901234567890}}`,
		`1e400`: `Infinity`,
	} {
		v, err := djangosession.ParseJSON([]byte(in), 1<<10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := djangosession.AppendJSON(nil, asPython(v))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// TestConfigDjangoCaches: DJANGO_CACHES is Django's CACHES as JSON; its
// SESSION_CACHE_ALIAS entry becomes the cache settings, and a backend the
// bridge does not implement is an error naming it.
func TestConfigDjangoCaches(t *testing.T) {
	env := map[string]string{
		"DJANGO_CACHES":       `{"sessions": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": ["redis://a:6379/1", "redis://b:6379/1"], "KEY_PREFIX": "site", "VERSION": 2}}`,
		"SESSION_CACHE_ALIAS": "sessions",
	}
	c, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cs := c.Settings.Cache; len(cs.Location) != 2 || cs.KeyPrefix != "site" || cs.Version != 2 || cs.Backend != "django_redis.cache.RedisCache" {
		t.Errorf("cache settings %+v", cs)
	}
	for _, ok := range []string{
		`{"sessions": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": ["a:11211", "b:11211"]}}`,
		`{"sessions": {"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache", "LOCATION": "a:11211;b:11211", "OPTIONS": {"binary": true}}}`,
		`{"sessions": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "my_cache_table"}}`,
	} {
		env["DJANGO_CACHES"] = ok
		if _, err := loadConfig(func(k string) string { return env[k] }); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	env["DJANGO_CACHES"] = `{"sessions": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}`
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "LocMemCache") {
		t.Errorf("unsupported backend: %v", err)
	}
}

// The banner shows a SQLite DATABASE_URL in the canonical four-slash form
// (dj-database-url's absolute path), whichever form was given, and reading
// what it shows gives the same file back; a server URL loses its password.
func TestBannerURL(t *testing.T) {
	for _, in := range []string{"sqlite:///tmp/demo/db.sqlite3", "sqlite:////tmp/demo/db.sqlite3", "sqlite:////tmp/my demo/100%25.db",
		"sqlite:///tmp/a.db?mode=rwc"} {
		out := bannerURL(in)
		if !strings.HasPrefix(out, "sqlite:////tmp/") {
			t.Errorf("%s shown as %s, want sqlite:////tmp/...", in, out)
		}
		want, err1 := dburl.Parse(in)
		got, err2 := dburl.Parse(out)
		if err1 != nil || err2 != nil || got.Path != want.Path || got.DSN != want.DSN {
			t.Errorf("%s shown as %s: reads back %q (%v), want %q (%v)", in, out, got.Path, err2, want.Path, err1)
		}
	}
	if got := bannerURL("postgres://u:secret@db:5432/site"); strings.Contains(got, "secret") {
		t.Errorf("the banner shows the password: %s", got)
	}
}
