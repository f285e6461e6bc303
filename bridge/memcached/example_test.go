package memcached_test

import (
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge/memcached"
	"github.com/djangobridge/djangobridge/caches"
)

// The memcached of settings.py's CACHES, copied as JSON, for the cache
// engine; Open does no I/O (Bridge.Check asks every server).
func ExampleOpen() {
	s := djangobridge.Defaults()
	s.SecretKey = "your Django SECRET_KEY"
	s.SessionEngine = djangobridge.EngineCache
	cs, err := caches.Parse([]byte(`{"default": {
		"BACKEND": "django.core.cache.backends.memcached.PyLibMCCache",
		"LOCATION": ["10.0.0.1:11211", "10.0.0.2:11211"],
		"KEY_PREFIX": "site"}}`), "default")
	if err != nil {
		panic(err)
	}
	s.Cache = cs
	cache, err := memcached.Open(&s)
	if err != nil {
		panic(err)
	}
	defer cache.Close()
	// b, err := postgres.Open(ctx, bridge.Config{DatabaseURL: url, Settings: &s, Cache: cache})
	fmt.Printf("%T\n", cache)
	// Output: memcached.Cache
}
