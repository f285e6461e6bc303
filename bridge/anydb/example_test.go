package anydb_test

import (
	"errors"
	"fmt"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/caches"
)

// OpenCache picks the package of CACHES' BACKEND; the DatabaseCache is
// opened later, on the database, by bridge.New (nil here), and a backend
// Go cannot share is refused with the reason.
func ExampleOpenCache() {
	for _, js := range []string{
		`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": "127.0.0.1:11211"}}`,
		`{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "my_cache_table"}}`,
		`{"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/1"}}`,
	} {
		s := djangobridge.Defaults()
		s.Cache, _ = caches.Parse([]byte(js), "default")
		c, err := anydb.OpenCache(&s)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%T\n", c)
		if c != nil {
			c.Close()
		}
	}
	s := djangobridge.Defaults()
	s.Cache.Backend = "django.core.cache.backends.locmem.LocMemCache"
	_, err := anydb.OpenCache(&s)
	fmt.Println(errors.Is(err, caches.ErrUnsupported))
	// Output:
	// memcached.Cache
	// <nil>
	// redis.Cache
	// true
}
