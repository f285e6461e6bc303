package main

import (
	"os"
	"path/filepath"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/caches"
	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/messages"
)

// demoSecretKey signs everything when SECRET_KEY is unset. It is also the
// default of examples/django_app, so the two demos share logins out of the
// box. Never use it for anything but a demo on your own machine.
const demoSecretKey = "djangobridge-demo-insecure-secret-key-do-not-use-in-production"

// config is what the demo reads from the environment, with the names of
// Django's settings (and of examples/django_app/demo/settings.py).
type config struct {
	Settings djangobridge.Settings
	// DatabaseURL is DATABASE_URL: sqlite:////abs/path.db, postgres://…,
	// mysql://…. Defaulted is set when it was unset and the demo's own
	// SQLite file is used.
	DatabaseURL string
	Defaulted   bool
	// DemoKey is set when SECRET_KEY was unset and demoSecretKey is used.
	DemoKey bool
	// CacheURL is the cache's LOCATION for the cache and cached_db engines:
	// CACHE_URL's Redis URLs, or DJANGO_CACHES' LOCATION (Redis URLs,
	// memcached servers, the DatabaseCache's table).
	CacheURL []string
	// SiteURL is SITE_URL, the scheme and host of the links in the
	// registration and password reset emails (default: the Django app on
	// 127.0.0.1:8003).
	SiteURL string
	// MessageStorage is MESSAGE_STORAGE, from DJANGO_MESSAGE_STORAGE
	// (messages.go; default FallbackStorage, as Django's).
	MessageStorage messages.Storage
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
// in tests) with djangobridge.SettingsFromEnv, the call a service makes:
// Django's defaults for everything unset, and the demo's own for three
// (the same as examples/django_app's): SECRET_KEY the public demo key
// (flagged, main warns), DJANGO_VERSION 5.2, TIME_ZONE UTC. Without
// DATABASE_URL the demo uses its own SQLite file.
func loadConfig(getenv func(string) string) (*config, error) {
	c := &config{}
	demoDefaults := func(name string) string {
		v := getenv(name)
		if v != "" {
			return v
		}
		switch name {
		case "SECRET_KEY":
			c.DemoKey = true
			return demoSecretKey
		case "DJANGO_VERSION":
			return "5.2"
		case "TIME_ZONE":
			return "UTC"
		}
		return ""
	}
	s, err := djangobridge.SettingsFromEnv(demoDefaults)
	if err != nil {
		return nil, err
	}
	// DJANGO_CACHES: Django's CACHES as JSON, its SESSION_CACHE_ALIAS
	// entry (default "default") instead of CACHE_URL.
	if err := caches.FromEnv(getenv, &s); err != nil {
		return nil, err
	}
	c.Settings = s
	if c.MessageStorage, err = messageStorage(getenv("DJANGO_MESSAGE_STORAGE")); err != nil {
		return nil, err
	}
	c.CacheURL = s.Cache.Location
	c.SiteURL = getenv("SITE_URL")
	c.DatabaseURL = getenv("DATABASE_URL")
	if c.DatabaseURL == "" {
		c.DatabaseURL, c.Defaulted = dburl.SQLiteURL(defaultDatabasePath(getenv)), true
	}
	return c, nil
}
