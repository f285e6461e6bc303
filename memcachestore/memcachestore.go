// Package memcachestore keeps Django sessions in memcached as Django's
// memcached backends do, for the cache and cached_db session engines:
// django.core.cache.backends.memcached.PyMemcacheCache (pymemcache's
// HashClient with pickle_serde) and PyLibMCCache (pylibmc).
//
//   - key: KEY_FUNCTION(key, KEY_PREFIX, VERSION), by default
//     "KEY_PREFIX:VERSION:key", checked as memcache_key_warnings does (at
//     most 250 bytes, no spaces or control characters: ErrInvalidKey);
//   - value: the session dict as pickle.dumps(dict, 5) with flags 1
//     (FLAG_PICKLE; both clients write the same). Read: flags 1 is a
//     pickle; 0 bytes, 16 text and 2/4 integers are never sessions; bit 8
//     (pylibmc's FLAG_ZLIB, pymemcache's FLAG_COMPRESSED) is zlib, inflated
//     first (bounded by SessionDataLimit);
//   - timeout: get_backend_timeout: above 30 days an absolute Unix time;
//     a timeout ≤ 0 deletes (Django passes -1, expired at once);
//   - several servers (LOCATION a list, or a string with "," or ";"):
//     PyMemcacheCache's HashClient picks one per key by rendezvous hashing
//     (murmur3_32 of "host:port-key", highest wins); PyLibMCCache's
//     libmemcached, as pylibmc configures it (behaviors "hash": "default",
//     "distribution": "modula"), picks server number
//     one_at_a_time(key) % len(servers), in LOCATION's order. This package
//     picks the same server for every key as the Python client of BACKEND.
//
// The client is github.com/bradfitz/gomemcache, which has no context
// support: each call checks ctx first, and a 1 s I/O timeout bounds it. A
// memcached that goes away is an error (wrapped, naming the operation),
// never an empty session.
package memcachestore

import (
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// The BACKEND values this package implements.
const (
	BackendPyMemcache = "django.core.cache.backends.memcached.PyMemcacheCache"
	BackendPyLibMC    = "django.core.cache.backends.memcached.PyLibMCCache"
)

// The flags pymemcache's serde and pylibmc set.
const (
	FlagBytes   = 0
	FlagPickle  = 1
	FlagInteger = 2
	FlagLong    = 4
	FlagZlib    = 8
	FlagText    = 16
)

// ErrUnsupported is wrapped by errors about a BACKEND, OPTIONS entry or
// LOCATION this package does not implement; the message names it.
var ErrUnsupported = errors.New("memcachestore: unsupported cache setting")

// ErrInvalidKey is Django's InvalidCacheKey for memcached: a key longer
// than 250 bytes or with spaces or control characters.
var ErrInvalidKey = errors.New("memcachestore: invalid memcached key")

// Cache is a Django memcached cache. It implements djangosession.Cache.
// Safe for concurrent use.
type Cache struct {
	client  *memcache.Client
	backend string
	prefix  string
	version int
	keyFunc func(key, keyPrefix string, version int) string
	limit   int
	now     func() time.Time
}

// The OPTIONS accepted (and ignored: they change no stored byte and no
// server choice) for each backend.
var (
	pyMemcacheOptions = []string{"timeout", "connect_timeout", "no_delay", "ignore_exc", "retry_attempts", "retry_timeout", "dead_timeout", "use_pooling", "max_pool_size"}
	pyLibMCBehaviors  = []string{"tcp_nodelay", "tcp_keepalive", "connect_timeout", "retry_timeout", "dead_timeout", "remove_failed", "no_block", "send_timeout", "receive_timeout"}
)

// ParseOptions checks a CACHES entry's BACKEND and OPTIONS. PyMemcacheCache
// passes OPTIONS to HashClient and PyLibMCCache to
// pylibmc.Client(servers, **OPTIONS), whose keywords are binary,
// behaviors, username and password; of those, djangobridge reads none,
// and accepts only the ones that change no stored byte and no server
// choice: HashClient's timeouts, retries and pooling, pylibmc's "binary"
// and the "behaviors" of timeouts and sockets (not "hash",
// "distribution", "ketama" or compression). Anything else is an error
// (ErrUnsupported) naming it and what is accepted.
func ParseOptions(backend string, opts map[string]any) error {
	switch backend {
	case BackendPyMemcache:
		for k := range opts {
			if !slices.Contains(pyMemcacheOptions, k) {
				return fmt.Errorf("%w: OPTIONS[%q] of PyMemcacheCache is not supported: it may change how or where values are stored; remove it (accepted, changing neither: %s)", ErrUnsupported, k, strings.Join(pyMemcacheOptions, ", "))
			}
		}
	case BackendPyLibMC:
		for k, v := range opts {
			switch k {
			case "binary":
			case "username", "password":
				return fmt.Errorf("%w: OPTIONS[%q] of PyLibMCCache: SASL authentication is not implemented by djangobridge's memcached client; use a memcached without SASL", ErrUnsupported, k)
			case "behaviors":
				m, ok := v.(map[string]any)
				if !ok {
					return fmt.Errorf("%w: OPTIONS[\"behaviors\"] must be a dict", ErrUnsupported)
				}
				for b := range m {
					if !slices.Contains(pyLibMCBehaviors, b) {
						return fmt.Errorf("%w: OPTIONS[\"behaviors\"][%q] of PyLibMCCache is not supported: it may change where or how values are stored; remove it (accepted: %s)", ErrUnsupported, b, strings.Join(pyLibMCBehaviors, ", "))
					}
				}
			default:
				return fmt.Errorf("%w: OPTIONS[%q] of PyLibMCCache is not supported: Django passes OPTIONS to pylibmc.Client(servers, **OPTIONS), which takes binary and behaviors (a dict: put %q there if it is a pylibmc behavior)", ErrUnsupported, k, k)
			}
		}
	default:
		return fmt.Errorf("%w: BACKEND %q is not a memcached backend this package implements (%s or %s)", ErrUnsupported, backend, BackendPyMemcache, BackendPyLibMC)
	}
	return nil
}

// Open connects to the servers of s.Cache.Location ("host:port", or
// "unix:/path" / "/path" for a socket; a LOCATION string may list several,
// separated by "," or ";") for s.Cache.Backend (BackendPyMemcache or
// BackendPyLibMC) and returns the cache. KEY_PREFIX, VERSION (0 means 1)
// and KEY_FUNCTION come from s.Cache; SessionDataLimit bounds what is read.
func Open(s *djangobridge.Settings) (*Cache, error) {
	if s == nil {
		return nil, errors.New("memcachestore: nil Settings: start from djangobridge.Defaults()")
	}
	if _, err := s.Release(); err != nil {
		return nil, err
	}
	if err := ParseOptions(s.Cache.Backend, s.Cache.Options); err != nil {
		return nil, err
	}
	var servers []string
	for _, l := range s.Cache.Location {
		for _, u := range strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == ';' }) {
			if u = strings.TrimSpace(u); u != "" {
				servers = append(servers, u)
			}
		}
	}
	if len(servers) == 0 {
		return nil, errors.New("memcachestore: CACHES LOCATION is empty: give host:port of your memcached")
	}
	if s.Cache.Backend == BackendPyLibMC && len(servers) > 1 && removesFailed(s.Cache.Options) {
		return nil, fmt.Errorf("%w: PyLibMCCache with %d servers and OPTIONS[\"behaviors\"][\"remove_failed\"]: libmemcached then moves the keys of a server that fails to the others, which Go cannot follow; remove the behavior or use one server", ErrUnsupported, len(servers))
	}
	names, addrs, err := resolveServers(servers)
	if err != nil {
		return nil, err
	}
	var sel memcache.ServerSelector = &rendezvous{names, addrs}
	if s.Cache.Backend == BackendPyLibMC {
		sel = modula(addrs)
	}
	c := &Cache{
		client:  memcache.NewFromSelector(sel),
		backend: s.Cache.Backend,
		prefix:  s.Cache.KeyPrefix,
		version: s.Cache.Version,
		keyFunc: s.Cache.KeyFunc,
		limit:   s.SessionDataLimit,
		now:     time.Now,
	}
	c.client.Timeout = time.Second
	if c.version == 0 {
		c.version = 1
	}
	if c.limit <= 0 {
		c.limit = djangobridge.DefaultSessionDataLimit
	}
	return c, nil
}

// Ping asks every server for its version (memcached "version"): nil when
// all answer, else an error naming the failure.
func (c *Cache) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.client.Ping(); err != nil {
		return wrap("ping", err)
	}
	return nil
}

// Close closes idle connections.
func (c *Cache) Close() error { return c.client.Close() }

// Store returns the cache session engine on c.
func (c *Cache) Store() *djangosession.CacheStore { return djangosession.NewCacheStore(c) }

// Key returns the memcached key of a cache key, as make_and_validate_key.
func (c *Cache) Key(key string) (string, error) {
	k := c.prefix + ":" + strconv.Itoa(c.version) + ":" + key
	if c.keyFunc != nil {
		k = c.keyFunc(key, c.prefix, c.version)
	}
	if len(k) > 250 {
		return "", fmt.Errorf("%w: %d bytes, more than memcached's 250: %.40q…", ErrInvalidKey, len(k), k)
	}
	for _, r := range k {
		if r < 33 || r == 127 {
			return "", fmt.Errorf("%w: %q contains characters that would cause errors with memcached", ErrInvalidKey, k)
		}
	}
	return k, nil
}

// expiration is get_backend_timeout for a positive timeout: above 30 days,
// an absolute Unix time.
func (c *Cache) expiration(timeout int) int32 {
	if timeout > 2592000 {
		return int32(int64(timeout) + c.now().Unix())
	}
	return int32(timeout)
}

func wrap(op string, err error) error {
	return fmt.Errorf("memcachestore: %s: %w", op, err)
}

// Get returns the session dict under key: ErrNotFound when missing, a data
// error when the value is not a pickled dict.
func (c *Cache) Get(ctx context.Context, key string) (*djangosession.Map, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k, err := c.Key(key)
	if err != nil {
		return nil, err
	}
	it, err := c.client.Get(k)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return nil, djangosession.ErrNotFound
	}
	if err != nil {
		return nil, wrap("get", err)
	}
	return decode(it.Value, it.Flags, c.limit)
}

// decode is the client's deserializer for a session: flags 1 (after zlib
// when bit 8 is set) is a pickle; other flags are not sessions.
func decode(b []byte, flags uint32, limit int) (*djangosession.Map, error) {
	if len(b) > limit {
		return nil, fmt.Errorf("%w: cache value of %d bytes, limit %d", djangosession.ErrTooLarge, len(b), limit)
	}
	if flags&FlagZlib != 0 {
		r, err := zlib.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%w: flags %d say zlib: %v", djangosession.ErrMalformed, flags, err)
		}
		out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
		if err != nil {
			return nil, fmt.Errorf("%w: zlib: %v", djangosession.ErrMalformed, err)
		}
		if len(out) > limit {
			return nil, fmt.Errorf("%w: cache value inflates past %d bytes", djangosession.ErrTooLarge, limit)
		}
		b = out
	}
	switch {
	case flags&FlagPickle != 0:
	case flags&FlagText != 0:
		return nil, fmt.Errorf("%w: cache value is a str (flags %d), not a session", djangosession.ErrMalformed, flags)
	case flags&(FlagInteger|FlagLong) != 0:
		return nil, fmt.Errorf("%w: cache value is an int (flags %d), not a session", djangosession.ErrMalformed, flags)
	default:
		return nil, fmt.Errorf("%w: cache value is bytes (flags %d), not a session", djangosession.ErrMalformed, flags)
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

func encode(m *djangosession.Map) ([]byte, error) {
	if m == nil {
		m = &djangosession.Map{}
	}
	return djangosession.Pickle(m)
}

// Set is cache.set; a timeout ≤ 0 deletes. As Django, when memcached
// refuses the value (over its item size limit), the old value is deleted;
// unlike Django, the refusal is returned as an error.
func (c *Cache) Set(ctx context.Context, key string, data *djangosession.Map, timeout int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k, err := c.Key(key)
	if err != nil {
		return err
	}
	if timeout <= 0 {
		return c.del(k)
	}
	v, err := encode(data)
	if err != nil {
		return err
	}
	if err := c.client.Set(&memcache.Item{Key: k, Value: v, Flags: FlagPickle, Expiration: c.expiration(timeout)}); err != nil {
		_ = c.del(k)
		return wrap("set", err)
	}
	return nil
}

func (c *Cache) del(k string) error {
	if err := c.client.Delete(k); err != nil && !errors.Is(err, memcache.ErrCacheMiss) {
		return wrap("delete", err)
	}
	return nil
}

// Add is cache.add: memcached "add". With a timeout ≤ 0 it stores nothing
// and reports whether the key was free.
func (c *Cache) Add(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	k, err := c.Key(key)
	if err != nil {
		return false, err
	}
	v, err := encode(data)
	if err != nil {
		return false, err
	}
	exp := c.expiration(timeout)
	if timeout <= 0 {
		exp = -1 // Django: add with -1, stored expired
	}
	err = c.client.Add(&memcache.Item{Key: k, Value: v, Flags: FlagPickle, Expiration: exp})
	if errors.Is(err, memcache.ErrNotStored) {
		return false, nil
	}
	if err != nil {
		return false, wrap("add", err)
	}
	return true, nil
}

// Replace stores data only if key exists (memcached "replace"); a timeout
// ≤ 0 deletes.
func (c *Cache) Replace(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	k, err := c.Key(key)
	if err != nil {
		return false, err
	}
	if timeout <= 0 {
		err := c.client.Delete(k)
		if errors.Is(err, memcache.ErrCacheMiss) {
			return false, nil
		}
		if err != nil {
			return false, wrap("delete", err)
		}
		return true, nil
	}
	v, err := encode(data)
	if err != nil {
		return false, err
	}
	err = c.client.Replace(&memcache.Item{Key: k, Value: v, Flags: FlagPickle, Expiration: c.expiration(timeout)})
	if errors.Is(err, memcache.ErrNotStored) {
		return false, nil
	}
	if err != nil {
		return false, wrap("replace", err)
	}
	return true, nil
}

// Delete is cache.delete.
func (c *Cache) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k, err := c.Key(key)
	if err != nil {
		return err
	}
	return c.del(k)
}

// Has is cache.has_key: a get.
func (c *Cache) Has(ctx context.Context, key string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	k, err := c.Key(key)
	if err != nil {
		return false, err
	}
	_, err = c.client.Get(k)
	if errors.Is(err, memcache.ErrCacheMiss) {
		return false, nil
	}
	if err != nil {
		return false, wrap("get", err)
	}
	return true, nil
}

var _ djangosession.Cache = (*Cache)(nil)

// removesFailed reports whether pylibmc's OPTIONS set the remove_failed
// behavior (a non-zero count of failures after which libmemcached drops a
// server and redistributes its keys).
func removesFailed(opts map[string]any) bool {
	b, _ := opts["behaviors"].(map[string]any)
	switch v := b["remove_failed"].(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != "" && v != "0"
	default:
		return fmt.Sprint(v) != "0"
	}
}

// resolveServers parses LOCATION entries as Django's clients do:
// "host:port" (port 11211 when absent) or a Unix socket ("unix:/path" or
// "/path"). names are pymemcache's node names ("host:port" or the path).
func resolveServers(servers []string) (names []string, addrs []net.Addr, err error) {
	for _, s := range servers {
		var addr net.Addr
		name := s
		switch {
		case strings.HasPrefix(s, "unix:"):
			name = strings.TrimPrefix(s, "unix:")
			fallthrough
		case strings.HasPrefix(s, "/"):
			a, err := net.ResolveUnixAddr("unix", name)
			if err != nil {
				return nil, nil, fmt.Errorf("memcachestore: LOCATION %q: %w", s, err)
			}
			addr = a
		default:
			host, port, err := net.SplitHostPort(s)
			if err != nil {
				host, port = s, "11211"
			}
			a, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(host, port))
			if err != nil {
				return nil, nil, fmt.Errorf("memcachestore: LOCATION %q: %w", s, err)
			}
			addr = a
			name = host + ":" + port
		}
		names = append(names, name)
		addrs = append(addrs, addr)
	}
	return names, addrs, nil
}

// rendezvous is pymemcache's RendezvousHash over the servers: the key goes
// to the node with the highest murmur3_32(node + "-" + key); ties to the
// greater node name.
type rendezvous struct {
	names []string
	addrs []net.Addr
}

func (r *rendezvous) PickServer(key string) (net.Addr, error) {
	best, bestScore := -1, int64(-1)
	for i, n := range r.names {
		score := int64(murmur3PyStr(n + "-" + key))
		if score > bestScore || score == bestScore && n > r.names[best] {
			best, bestScore = i, score
		}
	}
	return r.addrs[best], nil
}

func (r *rendezvous) Each(f func(net.Addr) error) error {
	for _, a := range r.addrs {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}

// murmur3PyStr is pymemcache.client.murmur3.murmur3_32(s, 0): MurmurHash3
// x86_32 over the low byte of each character's code point (pymemcache
// hashes a str with ord(c) & 0xFF).
func murmur3PyStr(s string) uint32 {
	var data []byte
	for _, r := range s {
		data = append(data, byte(r))
	}
	return murmur3(data, 0)
}

func murmur3(data []byte, seed uint32) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	h := seed
	n := len(data) &^ 3
	for i := 0; i < n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
		h = h<<13 | h>>19
		h = h*5 + 0xe6546b64
	}
	var k uint32
	switch len(data) & 3 {
	case 3:
		k = uint32(data[n+2]) << 16
		fallthrough
	case 2:
		k |= uint32(data[n+1]) << 8
		fallthrough
	case 1:
		k |= uint32(data[n])
		k *= c1
		k = k<<15 | k>>17
		k *= c2
		h ^= k
	}
	h ^= uint32(len(data))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// modula is libmemcached's MEMCACHED_DISTRIBUTION_MODULA with its default
// hash (MEMCACHED_HASH_DEFAULT, one-at-a-time), which pylibmc.Client
// leaves in place: server hashkit_one_at_a_time(key) % len(servers), the
// servers in the order pylibmc added them (LOCATION's; _sort_hosts is
// off). One server takes every key.
type modula []net.Addr

func (m modula) PickServer(key string) (net.Addr, error) {
	if len(m) == 1 {
		return m[0], nil
	}
	return m[oneAtATime(key)%uint32(len(m))], nil
}

func (m modula) Each(f func(net.Addr) error) error {
	for _, a := range m {
		if err := f(a); err != nil {
			return err
		}
	}
	return nil
}

// oneAtATime is libhashkit's hashkit_one_at_a_time (Bob Jenkins'
// one-at-a-time hash) over the key's bytes (pylibmc sends a str key as
// UTF-8). libhashkit reads each byte through a plain char, signed on
// x86-64: a byte ≥ 0x80 adds its sign-extended value there, and so it does
// here (on a platform whose char is unsigned, such as arm64, libmemcached
// places keys with non-ASCII bytes differently).
func oneAtATime(key string) uint32 {
	var h uint32
	for i := 0; i < len(key); i++ {
		h += uint32(int32(int8(key[i])))
		h += h << 10
		h ^= h >> 6
	}
	h += h << 3
	h ^= h >> 11
	h += h << 15
	return h
}
