package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/redis/go-redis/v9"
)

func newCache(t *testing.T, edit func(*djangobridge.Settings)) (*redisstore.Cache, *redis.Client) {
	t.Helper()
	url := djangotest.RedisURL(t)
	s := djangobridge.Defaults()
	s.Cache.Location = []string{url}
	s.Cache.KeyPrefix = djangotest.NewRedisPrefix(t)
	if edit != nil {
		edit(&s)
	}
	c, err := redisstore.Open(&s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	opt, _ := redis.ParseURL(url)
	raw := redis.NewClient(opt)
	t.Cleanup(func() { raw.Close() })
	return c, raw
}

func TestKeysFollowKeyPrefixVersionAndKeyFunc(t *testing.T) {
	s := djangobridge.Defaults()
	s.Cache.KeyPrefix, s.Cache.Version = "site", 3
	c, _ := redisstore.New(&s, redis.NewClient(&redis.Options{}))
	if got := c.Key("django.contrib.sessions.cacheabc"); got != "site:3:django.contrib.sessions.cacheabc" {
		t.Errorf("default key function: %q", got)
	}
	s.Cache.Version = 0 // unset: Django's default 1
	s.Cache.KeyPrefix = ""
	c, _ = redisstore.New(&s, redis.NewClient(&redis.Options{}))
	if got := c.Key("k"); got != ":1:k" {
		t.Errorf("empty prefix: %q", got)
	}
	s.Cache.KeyFunc = func(key, prefix string, version int) string { return fmt.Sprintf("%s|%d|%s", prefix, version, key) }
	c, _ = redisstore.New(&s, redis.NewClient(&redis.Options{}))
	if got := c.Key("k"); got != "|1|k" {
		t.Errorf("custom key function: %q", got)
	}
	if _, err := redisstore.New(&s); err == nil {
		t.Error("New without clients")
	}
	s.Cache.Location = nil
	if _, err := redisstore.Open(&s); err == nil {
		t.Error("Open without LOCATION")
	}
}

// Timeouts ≤ 0 behave as in RedisCacheClient: set deletes, add stores
// nothing but reports the key was free, replace deletes.
func TestNonPositiveTimeouts(t *testing.T) {
	ctx := context.Background()
	c, raw := newCache(t, nil)
	m := djangosession.NewMap(djangosession.Item{Key: "a", Value: "b"})
	if ok, err := c.Add(ctx, "k1", m, 0); !ok || err != nil {
		t.Errorf("Add(timeout 0) = %v, %v", ok, err)
	}
	if n, _ := raw.Exists(ctx, c.Key("k1")).Result(); n != 0 {
		t.Error("Add with timeout 0 left the key")
	}
	c.Set(ctx, "k2", m, 60)
	if ttl, _ := raw.TTL(ctx, c.Key("k2")).Result(); ttl < 59*time.Second || ttl > 60*time.Second {
		t.Errorf("TTL %v", ttl)
	}
	if ok, _ := c.Add(ctx, "k2", m, 60); ok {
		t.Error("Add over an existing key")
	}
	if err := c.Set(ctx, "k2", m, -5); err != nil {
		t.Fatal(err)
	}
	if n, _ := raw.Exists(ctx, c.Key("k2")).Result(); n != 0 {
		t.Error("Set with a negative timeout did not delete")
	}
	if ok, _ := c.Replace(ctx, "k2", m, 60); ok {
		t.Error("Replace of a missing key")
	}
	c.Set(ctx, "k3", m, 60)
	if ok, _ := c.Replace(ctx, "k3", m, 0); !ok {
		t.Error("Replace(timeout 0) of an existing key")
	}
	if ok, _ := c.Has(ctx, "k3"); ok {
		t.Error("Replace with timeout 0 did not delete")
	}
}

// Values that are not pickled session dicts are data errors; a raw
// integer (RedisSerializer stores ints unpickled) too.
func TestForeignValuesAreDataErrors(t *testing.T) {
	ctx := context.Background()
	c, raw := newCache(t, nil)
	for name, v := range map[string]string{
		"int":          "12345",
		"pickled list": "\x80\x05]\x94.",
		"code":         "\x80\x05\x95\x1d\x00\x00\x00\x00\x00\x00\x00\x8c\x05posix\x94\x8c\x06system\x94\x93\x94\x8c\x02id\x94\x85\x94R\x94.",
		"garbage":      "not a pickle",
	} {
		raw.Set(ctx, c.Key("bad"), v, time.Minute)
		_, err := c.Get(ctx, "bad")
		if !djangosession.IsDataError(err) {
			t.Errorf("%s: %v, want a data error", name, err)
		}
	}
	if _, err := c.Get(ctx, "missing"); !errors.Is(err, djangosession.ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

// An unreachable Redis is an error, not "no session".
func TestUnreachableRedis(t *testing.T) {
	s := djangobridge.Defaults()
	s.Cache.Location = []string{"redis://127.0.0.1:1/0"}
	c, err := redisstore.Open(&s)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = c.Store().Load(ctx, "abcdefgh12345678")
	if err == nil || errors.Is(err, djangosession.ErrNotFound) || djangosession.IsDataError(err) {
		t.Errorf("Load with Redis down: %v", err)
	}
}
