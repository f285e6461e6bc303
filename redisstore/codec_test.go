package redisstore_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/redis/go-redis/v9"
)

func codecCache(t testing.TB, opts map[string]any) *redisstore.Cache {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.SessionDataLimit = 64 << 10
	s.Cache.Backend = redisstore.BackendDjangoRedis
	s.Cache.Options = opts
	c, err := redisstore.New(&s, redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var allCodecs = func() []map[string]any {
	var out []map[string]any
	for _, s := range []string{redisstore.SerializerPickle, redisstore.SerializerJSON, redisstore.SerializerMsgpack} {
		for _, c := range []string{redisstore.CompressorIdentity, redisstore.CompressorZlib, redisstore.CompressorGzip,
			redisstore.CompressorLzma, redisstore.CompressorLz4, redisstore.CompressorZstd} {
			out = append(out, map[string]any{"SERIALIZER": s, "COMPRESSOR": c})
		}
	}
	return out
}()

// Round trips through every codec, at and around each min_length.
func TestCodecRoundTrip(t *testing.T) {
	for _, o := range allCodecs {
		c := codecCache(t, o)
		for _, n := range []int{0, 1, 5, 6, 7, 8, 9, 10, 90, 95, 100, 1000, 30000} {
			m := djangosession.NewMap()
			if n > 0 {
				m.Set("k", strings.Repeat("a", n))
			}
			b, err := c.Encode(m)
			if err != nil {
				t.Fatal(o, err)
			}
			got, err := c.Decode(b)
			if err != nil {
				t.Fatalf("%v n=%d: %v (%x)", o, n, err, b)
			}
			if v, _ := got.Get("k"); n > 0 && v != strings.Repeat("a", n) {
				t.Fatalf("%v n=%d: got %v", o, n, v)
			}
		}
	}
}

// What a format cannot carry is refused on writing, naming the type.
func TestCodecUnsupportedValues(t *testing.T) {
	j := codecCache(t, map[string]any{"SERIALIZER": redisstore.SerializerJSON})
	if _, err := j.Encode(djangosession.NewMap(djangosession.Item{Key: "b", Value: []byte("x")})); !errors.Is(err, djangosession.ErrUnsupportedValue) {
		t.Errorf("JSON bytes: %v", err)
	}
	m := codecCache(t, map[string]any{"SERIALIZER": redisstore.SerializerMsgpack})
	if _, err := m.Encode(djangosession.NewMap(djangosession.Item{Key: "n", Value: djangosession.Number("18446744073709551616")})); !errors.Is(err, djangosession.ErrUnsupportedValue) {
		t.Errorf("msgpack 2^64: %v", err)
	}
}

// Known bytes from Python (msgpack 1.0.3, json.dumps) decode as Python does.
func TestCodecPythonBytes(t *testing.T) {
	m := codecCache(t, map[string]any{"SERIALIZER": redisstore.SerializerMsgpack})
	// msgpack.dumps({"a": [1, -1, 1.5, None, True, b"\x00", "é"], "u": 2**64-1})
	b, _ := hex.DecodeString("82a1619701ffcb3ff8000000000000c0c3c40100a2c3a9a175cfffffffffffffffff")
	got, err := m.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := m.Encode(got)
	if !bytes.Equal(out, b) {
		t.Errorf("re-encoded %x", out)
	}
	// zlib of a short pickle: below min_length, stored as is, read as is.
	z := codecCache(t, map[string]any{"COMPRESSOR": redisstore.CompressorZlib})
	if _, err := z.Decode([]byte("\x80\x04}\x94.")); err != nil {
		t.Errorf("uncompressed short pickle: %v", err)
	}
}

// Options Django-redis does not have, or we do not implement, are named.
func TestParseOptionsErrors(t *testing.T) {
	for _, tc := range []struct {
		backend string
		opts    map[string]any
		want    string
	}{
		{"django_redis.cache.RedisCache", map[string]any{"COMPRESSOR": "x.Y"}, `"x.Y"`},
		{"django_redis.cache.RedisCache", map[string]any{"SERIALIZER": "x.Y"}, `"x.Y"`},
		{"django_redis.cache.RedisCache", map[string]any{"MIN_LENGTH": 10.0}, "min_length"},
		{"django_redis.cache.RedisCache", map[string]any{"PICKLE_VERSION": 3.0}, "PICKLE_VERSION 3"},
		{"django_redis.cache.RedisCache", map[string]any{"PICKLE_VERSION": 6.0}, "HIGHEST_PROTOCOL"},
		{"django_redis.cache.RedisCache", map[string]any{"CLIENT_CLASS": "django_redis.client.HerdClient"}, "HerdClient"},
		{"django_redis.cache.RedisCache", map[string]any{"CLIENT_CLASS": redisstore.ClientSentinel}, "SENTINELS"},
		{"django_redis.cache.RedisCache", map[string]any{"IGNORE_EXCEPTIONS": true}, "IGNORE_EXCEPTIONS"},
		{"django_redis.cache.RedisCache", map[string]any{"FOO": 1.0}, `"FOO"`},
		{"django.core.cache.backends.redis.RedisCache", map[string]any{"serializer": "x"}, `"serializer"`},
		{"django.core.cache.backends.memcached.PyMemcacheCache", nil, "PyMemcacheCache"},
	} {
		_, err := redisstore.ParseOptions(tc.backend, tc.opts)
		if !errors.Is(err, redisstore.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want an ErrUnsupported naming %s", tc.backend, tc.opts, err, tc.want)
		}
	}
	o, err := redisstore.ParseOptions(redisstore.BackendDjangoRedis, map[string]any{"PICKLE_VERSION": "-1"})
	if err != nil || o.PickleVersion != 5 {
		t.Errorf("PICKLE_VERSION -1: %+v %v", o, err)
	}
}

// A decompression bomb stops at the limit with ErrTooLarge.
func TestCodecBomb(t *testing.T) {
	for _, comp := range []string{redisstore.CompressorZlib, redisstore.CompressorGzip, redisstore.CompressorLzma, redisstore.CompressorLz4, redisstore.CompressorZstd} {
		big := codecCache(t, map[string]any{"COMPRESSOR": comp})
		s := djangobridge.Defaults()
		_ = s
		m := djangosession.NewMap(djangosession.Item{Key: "k", Value: strings.Repeat("a", 60000)})
		b, err := big.Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		small := codecCacheLimit(t, map[string]any{"COMPRESSOR": comp}, 1000)
		if _, err := small.Decode(b); !errors.Is(err, djangosession.ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", comp, err)
		}
	}
}

func codecCacheLimit(t testing.TB, opts map[string]any, limit int) *redisstore.Cache {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.SessionDataLimit = limit
	s.Cache.Backend = redisstore.BackendDjangoRedis
	s.Cache.Options = opts
	c, err := redisstore.New(&s, redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// FuzzDecode: no input panics or hangs any decoder (compressors, msgpack,
// JSON, pickle), and what decodes re-encodes and decodes to the same.
func FuzzDecode(f *testing.F) {
	var caches []*redisstore.Cache
	for _, o := range allCodecs {
		caches = append(caches, codecCache(f, o))
	}
	for _, c := range caches {
		for _, n := range []int{0, 20, 200} {
			b, _ := c.Encode(djangosession.NewMap(djangosession.Item{Key: "k", Value: strings.Repeat("x", n)},
				djangosession.Item{Key: "l", Value: []any{djangosession.Number("1"), nil, true}}))
			f.Add(b)
		}
	}
	f.Add([]byte("42"))
	f.Add([]byte{0xdb, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range caches {
			m, err := c.Decode(b)
			if err != nil {
				if !djangosession.IsDataError(err) {
					t.Fatalf("non-data error %v", err)
				}
				continue
			}
			out, err := c.Encode(m)
			if err != nil {
				continue // e.g. JSON cannot carry what msgpack read
			}
			if _, err := c.Decode(out); err != nil {
				t.Fatalf("re-encoded value does not decode: %v", err)
			}
		}
	})
}
