package redisstore_test

import (
	"context"
	"log"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/redisstore"
)

// A Go service reading the sessions of a Django site configured with
//
//	SESSION_ENGINE = "django.contrib.sessions.backends.cache"
//	CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
//	                      "LOCATION": "redis://127.0.0.1:6379/0", "KEY_PREFIX": "site"}}
func Example() {
	s := djangobridge.Defaults()
	s.SecretKey = os.Getenv("SECRET_KEY")
	s.SessionEngine = djangobridge.EngineCache
	s.Cache.Location = []string{"redis://127.0.0.1:6379/0"}
	s.Cache.KeyPrefix = "site"

	cache, err := redisstore.Open(&s)
	if err != nil {
		log.Fatal(err)
	}
	defer cache.Close()
	sessions, err := djangosession.NewManager(&s, cache.Store())
	if err != nil {
		log.Fatal(err)
	}
	// The value of the "sessionid" cookie of a request:
	sess := sessions.Open(context.Background(), "abcdefghijklmnopqrstuvwxyz012345")
	if uid, ok := sess.GetString(djangosession.KeyAuthUserID); ok {
		log.Printf("logged in as user %s", uid)
	}
	// For cached_db, wrap the database store (sqlstore or pgxstore):
	//	store, err := djangosession.NewCachedDBStore(cache, rows, &s)
}
