package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/djangobridge/djangobridge"
)

// demoSecretKey signs everything when SECRET_KEY is unset. It is also the
// default of examples/django_app, so the two demos share logins out of the
// box. Never use it for anything but a demo on your own machine.
const demoSecretKey = "djangobridge-demo-insecure-secret-key-do-not-use-in-production"

// config is what the demo reads from the environment, with the names of
// Django's settings (and of examples/django_app/demo/settings.py).
type config struct {
	Settings djangobridge.Settings
	// DatabaseURL is DATABASE_URL: sqlite:///abs/path.db, postgres://…,
	// mysql://…. Defaulted is set when it was unset and the demo's own
	// SQLite file is used.
	DatabaseURL string
	Defaulted   bool
	// DemoKey is set when SECRET_KEY was unset and demoSecretKey is used.
	DemoKey bool
	// CacheURL is CACHE_URL, Redis URLs for the cache and cached_db engines.
	CacheURL []string
}

// defaultDatabasePath is the demo's SQLite file, the same path
// examples/django_app uses when DATABASE_URL is unset.
func defaultDatabasePath(getenv func(string) string) string {
	dir := getenv("TMPDIR")
	if dir == "" {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "djangobridge-demo", "db.sqlite3")
}

// loadConfig reads the environment through getenv (os.Getenv in main, a map
// in tests): Django's defaults for everything unset.
func loadConfig(getenv func(string) string) (*config, error) {
	c := &config{Settings: djangobridge.Defaults()}
	s := &c.Settings

	s.SecretKey = getenv("SECRET_KEY")
	if s.SecretKey == "" {
		s.SecretKey, c.DemoKey = demoSecretKey, true
	}
	s.SecretKeyFallbacks = list(getenv("SECRET_KEY_FALLBACKS"))

	if v := getenv("DJANGO_VERSION"); v != "" {
		ver, err := djangobridge.ParseVersion(v)
		if err != nil {
			return nil, fmt.Errorf("DJANGO_VERSION: %w", err)
		}
		s.DjangoVersion = ver
	}

	c.DatabaseURL = getenv("DATABASE_URL")
	if c.DatabaseURL == "" {
		c.DatabaseURL, c.Defaulted = "sqlite://"+defaultDatabasePath(getenv), true
	}

	if v := getenv("SESSION_COOKIE_NAME"); v != "" {
		s.SessionCookieName = v
	}
	if v := getenv("SESSION_ENGINE"); v != "" {
		engine, err := djangobridge.EngineName(v)
		if err != nil {
			return nil, fmt.Errorf("SESSION_ENGINE: %w", err)
		}
		s.SessionEngine = engine
	}
	c.CacheURL = list(getenv("CACHE_URL"))
	s.Cache.Location = c.CacheURL
	s.Cache.KeyPrefix = getenv("CACHE_KEY_PREFIX")
	s.SessionFilePath = getenv("SESSION_FILE_PATH")

	// examples/django_app defaults: USE_TZ true, TIME_ZONE "UTC".
	useTZ, err := boolean("USE_TZ", getenv("USE_TZ"), true)
	if err != nil {
		return nil, err
	}
	s.UseTZ = useTZ
	s.TimeZone = "UTC"
	if v := getenv("TIME_ZONE"); v != "" {
		s.TimeZone = v
	}
	if _, err := s.Location(); err != nil {
		return nil, err
	}
	// ARGON2_HASH_LENGTH: the hash length of the argon2-cffi beside the
	// Django app (16 up to 21.x, 32 from 23.1, the default); a mismatch
	// makes each side re-hash the other's argon2 hashes on every login.
	if v := getenv("ARGON2_HASH_LENGTH"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 4 || n > 1024 {
			return nil, fmt.Errorf("ARGON2_HASH_LENGTH=%q: want a number of bytes, 16 (argon2-cffi up to 21.x) or 32 (23.1+)", v)
		}
		s.Argon2HashLength = n
	}
	return c, nil
}

// list splits a comma-separated variable, dropping empty entries.
func list(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func boolean(name, v string, def bool) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		return def, nil
	case "1", "true", "yes", "on":
		return true, nil
	case "0", "false", "no", "off":
		return false, nil
	}
	return false, fmt.Errorf("%s=%q: want true or false", name, v)
}
