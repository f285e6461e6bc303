// Package redisstore keeps Django sessions in Redis as Django's RedisCache
// (django.core.cache.backends.redis, Django 4.0+) does, for the cache and
// cached_db session engines:
//
//   - key: KEY_FUNCTION(key, KEY_PREFIX, VERSION), by default
//     "KEY_PREFIX:VERSION:key", where key is what the session engine asks
//     for ("django.contrib.sessions.cache" + session key);
//   - value: the session dict as pickle.dumps(dict, 5), Django's
//     RedisSerializer (plain ints, stored as digits, are never sessions);
//     read with djangosession's safe unpickler, which runs no code;
//   - timeout: SET ... EX seconds; a timeout ≤ 0 deletes; add() is SET NX;
//   - several servers (CACHES LOCATION list): writes go to the first,
//     reads to a random one of the others, as RedisCacheClient does.
//
// Of djangobridge's library packages it is the only one that imports
// go-redis, so that the others build without it.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/redis/go-redis/v9"
)

// Cache is Django's RedisCache over one or more Redis clients. It
// implements djangosession.Cache; Store gives the cache session engine on
// it and djangosession.NewCachedDBStore the cached_db one. Safe for
// concurrent use.
type Cache struct {
	write   redis.UniversalClient
	reads   []redis.UniversalClient
	owned   []redis.UniversalClient // clients Open made, closed by Close
	prefix  string
	version int
	keyFunc func(key, keyPrefix string, version int) string
	limit   int
}

// New returns the cache over clients, in the order of Django's LOCATION
// list: writes go to clients[0]; reads go to a random one of the others,
// or to clients[0] when it is alone. s.Cache gives KEY_PREFIX, VERSION (0
// means Django's default, 1) and KEY_FUNCTION; s.SessionDataLimit bounds
// the size of a stored value that is read. The clients stay the caller's
// to close.
func New(s *djangobridge.Settings, clients ...redis.UniversalClient) (*Cache, error) {
	if s == nil {
		return nil, errors.New("redisstore: nil Settings: start from djangobridge.Defaults()")
	}
	if _, err := s.Release(); err != nil {
		return nil, err
	}
	if len(clients) == 0 {
		return nil, errors.New("redisstore: no Redis client")
	}
	for _, c := range clients {
		if c == nil {
			return nil, errors.New("redisstore: nil Redis client")
		}
	}
	c := &Cache{
		write:   clients[0],
		reads:   clients[1:],
		prefix:  s.Cache.KeyPrefix,
		version: s.Cache.Version,
		keyFunc: s.Cache.KeyFunc,
		limit:   s.SessionDataLimit,
	}
	if c.version == 0 {
		c.version = 1
	}
	if c.limit <= 0 {
		c.limit = djangobridge.DefaultSessionDataLimit
	}
	return c, nil
}

// Open connects to the Redis URLs of s.Cache.Location ("redis://host:port/db",
// "rediss://...", "unix://..."), as Django's RedisCache does for LOCATION,
// and returns the cache; Close closes the connections.
func Open(s *djangobridge.Settings) (*Cache, error) {
	var urls []string
	for _, l := range s.Cache.Location {
		// Django also accepts one string of URLs separated by "," or ";".
		for _, u := range strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == ';' }) {
			if u = strings.TrimSpace(u); u != "" {
				urls = append(urls, u)
			}
		}
	}
	if len(urls) == 0 {
		return nil, errors.New("redisstore: CACHES LOCATION is empty")
	}
	clients := make([]redis.UniversalClient, 0, len(urls))
	closeAll := func() {
		for _, c := range clients {
			c.Close()
		}
	}
	for _, u := range urls {
		opt, err := redis.ParseURL(u)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("redisstore: LOCATION %q: %w", u, err)
		}
		clients = append(clients, redis.NewClient(opt))
	}
	c, err := New(s, clients...)
	if err != nil {
		closeAll()
		return nil, err
	}
	c.owned = clients
	return c, nil
}

// Close closes the connections Open made; for a Cache from New it does
// nothing.
func (c *Cache) Close() error {
	var errs []error
	for _, cl := range c.owned {
		errs = append(errs, cl.Close())
	}
	return errors.Join(errs...)
}

// Store returns the cache session engine
// (django.contrib.sessions.backends.cache) on c.
func (c *Cache) Store() *djangosession.CacheStore { return djangosession.NewCacheStore(c) }

// Key returns the Redis key of a cache key, as BaseCache.make_key does.
func (c *Cache) Key(key string) string {
	if c.keyFunc != nil {
		return c.keyFunc(key, c.prefix, c.version)
	}
	return c.prefix + ":" + strconv.Itoa(c.version) + ":" + key
}

func (c *Cache) reader() redis.UniversalClient {
	if len(c.reads) == 0 {
		return c.write
	}
	return c.reads[rand.IntN(len(c.reads))]
}

// Get returns the session dict under key: djangosession.ErrNotFound when
// there is none, a data error when the value is not a pickled dict.
func (c *Cache) Get(ctx context.Context, key string) (*djangosession.Map, error) {
	b, err := c.reader().Get(ctx, c.Key(key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, djangosession.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("redisstore: get: %w", err)
	}
	return decodeValue(b, c.limit)
}

// decodeValue is RedisSerializer.loads for a session: a value that int()
// reads is an integer (never a session); anything else is a pickle.
func decodeValue(b []byte, limit int) (*djangosession.Map, error) {
	if isPyInt(b) {
		return nil, fmt.Errorf("%w: cache value %q is an integer, not a session", djangosession.ErrMalformed, truncate(b, 40))
	}
	v, err := djangosession.Unpickle(b, limit)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*djangosession.Map)
	if !ok {
		return nil, fmt.Errorf("%w: cached value is a %T, not a session dict", djangosession.ErrMalformed, v)
	}
	return m, nil
}

// isPyInt reports whether Python's int(b) would succeed: optional
// whitespace and sign, then digits with single underscores between them.
func isPyInt(b []byte) bool {
	s := strings.TrimSpace(string(b))
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
		case s[i] == '_' && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

func encodeValue(m *djangosession.Map) ([]byte, error) {
	if m == nil {
		m = &djangosession.Map{}
	}
	return djangosession.Pickle(m)
}

// Set is cache.set: SET key pickle EX timeout; a timeout ≤ 0 deletes.
func (c *Cache) Set(ctx context.Context, key string, data *djangosession.Map, timeout int) error {
	k := c.Key(key)
	if timeout <= 0 {
		if err := c.write.Del(ctx, k).Err(); err != nil {
			return fmt.Errorf("redisstore: delete: %w", err)
		}
		return nil
	}
	v, err := encodeValue(data)
	if err != nil {
		return err
	}
	if err := c.write.Set(ctx, k, v, seconds(timeout)).Err(); err != nil {
		return fmt.Errorf("redisstore: set: %w", err)
	}
	return nil
}

// Add is cache.add: SET key pickle NX EX timeout. With a timeout ≤ 0 it
// does what RedisCacheClient.add does: SET NX, then DEL if it was set.
func (c *Cache) Add(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	k := c.Key(key)
	v, err := encodeValue(data)
	if err != nil {
		return false, err
	}
	var ttl time.Duration
	if timeout > 0 {
		ttl = seconds(timeout)
	}
	ok, err := c.write.SetNX(ctx, k, v, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: add: %w", err)
	}
	if ok && timeout <= 0 {
		if err := c.write.Del(ctx, k).Err(); err != nil {
			return false, fmt.Errorf("redisstore: add: %w", err)
		}
	}
	return ok, nil
}

// Replace stores data only if key exists: SET key pickle XX EX timeout, or
// DEL with a timeout ≤ 0. It reports whether the key existed.
func (c *Cache) Replace(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	k := c.Key(key)
	if timeout <= 0 {
		n, err := c.write.Del(ctx, k).Result()
		if err != nil {
			return false, fmt.Errorf("redisstore: delete: %w", err)
		}
		return n > 0, nil
	}
	v, err := encodeValue(data)
	if err != nil {
		return false, err
	}
	ok, err := c.write.SetXX(ctx, k, v, seconds(timeout)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: replace: %w", err)
	}
	return ok, nil
}

// Delete is cache.delete: DEL key.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := c.write.Del(ctx, c.Key(key)).Err(); err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	return nil
}

// Has is cache.has_key: EXISTS key, on a read server.
func (c *Cache) Has(ctx context.Context, key string) (bool, error) {
	n, err := c.reader().Exists(ctx, c.Key(key)).Result()
	if err != nil {
		return false, fmt.Errorf("redisstore: exists: %w", err)
	}
	return n > 0, nil
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

var _ djangosession.Cache = (*Cache)(nil)
