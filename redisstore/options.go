package redisstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/redis/go-redis/v9"
)

// The BACKEND values this package implements.
const (
	// BackendDjango is Django's own RedisCache (Django 4.0+); "" means it too.
	BackendDjango = "django.core.cache.backends.redis.RedisCache"
	// BackendDjangoRedis is django-redis's cache.
	BackendDjangoRedis = "django_redis.cache.RedisCache"
)

// django-redis client classes and connection factories.
const (
	ClientDefault             = "django_redis.client.DefaultClient"
	ClientSentinel            = "django_redis.client.SentinelClient"
	ConnectionFactoryDefault  = "django_redis.pool.ConnectionFactory"
	ConnectionFactorySentinel = "django_redis.pool.SentinelConnectionFactory"
)

// ErrUnsupported is wrapped by every error about a BACKEND or OPTIONS entry
// this package does not implement; the message names the entry.
var ErrUnsupported = errors.New("redisstore: unsupported cache setting")

// Options is what ParseOptions makes of a CACHES entry's BACKEND and
// OPTIONS.
type Options struct {
	// Backend is BackendDjango or BackendDjangoRedis.
	Backend string
	// Serializer is one of the Serializer* constants ("" for Django's
	// RedisCache: its pickle).
	Serializer string
	// PickleVersion is the pickle protocol written: 5 for Django's
	// RedisCache (pickle.HIGHEST_PROTOCOL); for django-redis its
	// PICKLE_VERSION, by default 4, pickle.DEFAULT_PROTOCOL of Python
	// 3.8–3.13 (Python 3.14 made it 5; -1 means HIGHEST_PROTOCOL, 5).
	// Protocols 0–3 are not written (ErrUnsupported); every protocol from
	// 2 is read.
	PickleVersion int
	// Compressor is one of the Compressor* constants ("" = none).
	Compressor string
	// Sentinels are OPTIONS["SENTINELS"], "host:port" each, for
	// django-redis's SentinelClient; empty otherwise.
	Sentinels []string

	sentinel bool
	conn     connOptions
}

// connOptions are the connection options both backends pass to redis-py.
type connOptions struct {
	password, username, sentinelPassword string
	db                                   int
	dbSet                                bool
	socketTimeout, connectTimeout        time.Duration
}

func (c connOptions) apply(o *redis.Options) {
	if c.password != "" {
		o.Password = c.password
	}
	if c.username != "" {
		o.Username = c.username
	}
	if c.dbSet {
		o.DB = c.db
	}
	if c.socketTimeout > 0 {
		o.ReadTimeout, o.WriteTimeout = c.socketTimeout, c.socketTimeout
	}
	if c.connectTimeout > 0 {
		o.DialTimeout = c.connectTimeout
	}
}

// ParseOptions reads a CACHES entry's BACKEND and OPTIONS as Django
// (backend BackendDjango or "") or django-redis (BackendDjangoRedis) reads
// them. Values are as encoding/json decodes them (float64, string, bool,
// []any, map[string]any); ints and json.Number are accepted too.
//
// Django's RedisCache: OPTIONS "db", "username", "password",
// "socket_timeout", "socket_connect_timeout" (seconds), passed to the
// connection as redis-py's ConnectionPool takes them.
//
// django-redis: "CLIENT_CLASS" (DefaultClient or SentinelClient),
// "SERIALIZER", "PICKLE_VERSION", "COMPRESSOR", "SENTINELS" ([[host,
// port], ...]), "SENTINEL_KWARGS" ({"password": ...}), "CONNECTION_FACTORY"
// (ConnectionFactory or SentinelConnectionFactory), "PASSWORD",
// "SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT", "IGNORE_EXCEPTIONS" (false
// only: with true django-redis turns a Redis outage into "no session",
// which this package does not do).
//
// Any other backend, option, or value is an error wrapping ErrUnsupported
// that names it.
func ParseOptions(backend string, opts map[string]any) (*Options, error) {
	o := &Options{Backend: backend}
	switch backend {
	case "", BackendDjango:
		o.Backend = BackendDjango
		o.PickleVersion = 5
		for _, k := range sortedKeys(opts) {
			v := opts[k]
			var err error
			switch k {
			case "db":
				o.conn.db, err = optInt(k, v)
				o.conn.dbSet = true
			case "username":
				o.conn.username, err = optString(k, v)
			case "password":
				o.conn.password, err = optString(k, v)
			case "socket_timeout":
				o.conn.socketTimeout, err = optSeconds(k, v)
			case "socket_connect_timeout":
				o.conn.connectTimeout, err = optSeconds(k, v)
			default:
				return nil, fmt.Errorf("%w: OPTIONS[%q] of Django's RedisCache is not supported (supported: db, username, password, socket_timeout, socket_connect_timeout)", ErrUnsupported, k)
			}
			if err != nil {
				return nil, err
			}
		}
		return o, nil
	case BackendDjangoRedis:
	default:
		return nil, fmt.Errorf("%w: BACKEND %q is not a Redis cache this package implements (%q or %q)", ErrUnsupported, backend, BackendDjango, BackendDjangoRedis)
	}
	o.Serializer = SerializerPickle
	o.PickleVersion = 4
	factory := ""
	for _, k := range sortedKeys(opts) {
		v := opts[k]
		var err error
		switch k {
		case "CLIENT_CLASS":
			var s string
			if s, err = optString(k, v); err == nil {
				switch s {
				case ClientDefault:
				case ClientSentinel:
					o.sentinel = true
				default:
					err = fmt.Errorf("%w: OPTIONS[\"CLIENT_CLASS\"] %q: only %q and %q are supported (not the herd or sharded clients)", ErrUnsupported, s, ClientDefault, ClientSentinel)
				}
			}
		case "SERIALIZER":
			if o.Serializer, err = optString(k, v); err == nil {
				switch o.Serializer {
				case SerializerPickle, SerializerJSON, SerializerMsgpack:
				default:
					err = fmt.Errorf("%w: OPTIONS[\"SERIALIZER\"] %q: supported are %s, %s and %s", ErrUnsupported, o.Serializer, SerializerPickle, SerializerJSON, SerializerMsgpack)
				}
			}
		case "PICKLE_VERSION":
			var n int
			if n, err = optInt(k, v); err == nil {
				switch {
				case n == -1 || n == 5:
					o.PickleVersion = 5
				case n == 4:
					o.PickleVersion = 4
				case n > 5:
					err = fmt.Errorf("%w: PICKLE_VERSION %d can't be higher than pickle.HIGHEST_PROTOCOL: 5", ErrUnsupported, n)
				default:
					err = fmt.Errorf("%w: PICKLE_VERSION %d: only protocols 4 and 5 (and -1, the highest) are written; use 4, pickle.DEFAULT_PROTOCOL", ErrUnsupported, n)
				}
			}
		case "COMPRESSOR":
			if o.Compressor, err = optString(k, v); err == nil {
				if o.Compressor == CompressorIdentity {
					o.Compressor = ""
				} else if compressors[o.Compressor] == nil {
					err = fmt.Errorf("%w: OPTIONS[\"COMPRESSOR\"] %q: supported are the identity, zlib, gzip, lzma, lz4 and zstd compressors of django_redis.compressors", ErrUnsupported, o.Compressor)
				}
			}
		case "SENTINELS":
			o.Sentinels, err = optSentinels(v)
		case "SENTINEL_KWARGS":
			m, ok := v.(map[string]any)
			if !ok {
				err = fmt.Errorf("%w: OPTIONS[\"SENTINEL_KWARGS\"] must be a dict", ErrUnsupported)
				break
			}
			for kk, vv := range m {
				if kk != "password" {
					err = fmt.Errorf("%w: OPTIONS[\"SENTINEL_KWARGS\"][%q]: only \"password\" is supported", ErrUnsupported, kk)
					break
				}
				o.conn.sentinelPassword, err = optString("SENTINEL_KWARGS.password", vv)
			}
		case "CONNECTION_FACTORY":
			if factory, err = optString(k, v); err == nil && factory != ConnectionFactoryDefault && factory != ConnectionFactorySentinel {
				err = fmt.Errorf("%w: OPTIONS[\"CONNECTION_FACTORY\"] %q: supported are %s and %s", ErrUnsupported, factory, ConnectionFactoryDefault, ConnectionFactorySentinel)
			}
		case "PASSWORD":
			o.conn.password, err = optString(k, v)
		case "SOCKET_TIMEOUT":
			o.conn.socketTimeout, err = optSeconds(k, v)
		case "SOCKET_CONNECT_TIMEOUT":
			o.conn.connectTimeout, err = optSeconds(k, v)
		case "IGNORE_EXCEPTIONS":
			if b, ok := v.(bool); !ok || b {
				err = fmt.Errorf("%w: OPTIONS[\"IGNORE_EXCEPTIONS\"] %v: only false is supported; djangobridge reports a Redis outage instead of treating it as an empty cache", ErrUnsupported, v)
			}
		case "MIN_LENGTH":
			err = fmt.Errorf("%w: django-redis has no OPTIONS[\"MIN_LENGTH\"]: each compressor compresses values longer than its class's min_length (15; lzma 100)", ErrUnsupported)
		default:
			err = fmt.Errorf("%w: OPTIONS[%q] of django-redis is not supported", ErrUnsupported, k)
		}
		if err != nil {
			return nil, err
		}
	}
	if o.Serializer != SerializerPickle {
		o.PickleVersion = 0
	}
	if o.sentinel && len(o.Sentinels) == 0 {
		return nil, fmt.Errorf("%w: SentinelClient needs OPTIONS[\"SENTINELS\"], a list of [host, port]", ErrUnsupported)
	}
	if !o.sentinel && (len(o.Sentinels) > 0 || factory == ConnectionFactorySentinel) {
		return nil, fmt.Errorf("%w: OPTIONS[\"SENTINELS\"] or SentinelConnectionFactory need OPTIONS[\"CLIENT_CLASS\"] %q", ErrUnsupported, ClientSentinel)
	}
	return o, nil
}

func (o *Options) codec(limit int) codec {
	if limit <= 0 {
		limit = djangobridge.DefaultSessionDataLimit
	}
	c := codec{limit: limit}
	if o.Backend == BackendDjangoRedis {
		c.serializer = o.Serializer
		if o.Serializer == SerializerPickle && o.PickleVersion == 4 {
			c.pickleVersion = 4
		}
		c.compressor = compressors[o.Compressor]
	}
	return c
}

// openSentinel makes the two clients of django-redis's SentinelClient:
// the primary Sentinel names (writes) and its replicas (reads).
func (o *Options) openSentinel(urls []string) ([]redis.UniversalClient, error) {
	if len(urls) != 1 {
		return nil, fmt.Errorf("%w: SentinelClient takes one LOCATION URL, redis://SERVICE/db, not %d", ErrUnsupported, len(urls))
	}
	u, err := url.Parse(urls[0])
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Hostname() == "" {
		return nil, fmt.Errorf("redisstore: Sentinel LOCATION %q: want redis://SERVICE/db", urls[0])
	}
	fo := &redis.FailoverOptions{
		MasterName:       u.Hostname(),
		SentinelAddrs:    o.Sentinels,
		SentinelPassword: o.conn.sentinelPassword,
		Password:         o.conn.password,
		Username:         o.conn.username,
		DialTimeout:      o.conn.connectTimeout,
		ReadTimeout:      o.conn.socketTimeout,
		WriteTimeout:     o.conn.socketTimeout,
	}
	if p, ok := u.User.Password(); ok {
		fo.Password = p
		fo.Username = u.User.Username()
	}
	if db := strings.Trim(u.Path, "/"); db != "" {
		if fo.DB, err = strconv.Atoi(db); err != nil {
			return nil, fmt.Errorf("redisstore: Sentinel LOCATION %q: bad database number %q", urls[0], db)
		}
	}
	if q := u.Query().Get("db"); q != "" {
		if fo.DB, err = strconv.Atoi(q); err != nil {
			return nil, fmt.Errorf("redisstore: Sentinel LOCATION %q: bad db %q", urls[0], q)
		}
	}
	primary := redis.NewFailoverClient(fo)
	ro := *fo
	ro.ReplicaOnly = true
	return []redis.UniversalClient{primary, redis.NewFailoverClient(&ro)}, nil
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func optString(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: OPTIONS[%q] must be a string, not %T", ErrUnsupported, name, v)
	}
	return s, nil
}

func optFloat(name string, v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case json.Number:
		return x.Float64()
	case string:
		// django-redis's PICKLE_VERSION goes through int(): "4" works.
		return strconv.ParseFloat(strings.TrimSpace(x), 64)
	}
	return 0, fmt.Errorf("%w: OPTIONS[%q] must be a number, not %T", ErrUnsupported, name, v)
}

func optInt(name string, v any) (int, error) {
	f, err := optFloat(name, v)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<31 {
		return 0, fmt.Errorf("%w: OPTIONS[%q] must be an integer, not %v", ErrUnsupported, name, v)
	}
	return int(f), nil
}

func optSeconds(name string, v any) (time.Duration, error) {
	f, err := optFloat(name, v)
	if err != nil || f < 0 || f > 1e6 || math.IsNaN(f) {
		return 0, fmt.Errorf("%w: OPTIONS[%q] must be a number of seconds, not %v", ErrUnsupported, name, v)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func optSentinels(v any) ([]string, error) {
	l, ok := v.([]any)
	bad := fmt.Errorf("%w: OPTIONS[\"SENTINELS\"] must be a list of [host, port] pairs, not %v", ErrUnsupported, v)
	if !ok || len(l) == 0 {
		return nil, bad
	}
	var out []string
	for _, e := range l {
		pair, ok := e.([]any)
		if !ok || len(pair) != 2 {
			return nil, bad
		}
		host, ok := pair[0].(string)
		if !ok || host == "" {
			return nil, bad
		}
		port, err := optInt("SENTINELS", pair[1])
		if err != nil || port <= 0 || port > 65535 {
			return nil, bad
		}
		out = append(out, host+":"+strconv.Itoa(port))
	}
	return out, nil
}
