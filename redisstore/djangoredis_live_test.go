package redisstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/djangobridge/djangobridge/sqlstore"
	"github.com/redis/go-redis/v9"
)

// A django-redis CACHES alias of the live tests: serializer × compressor.
type drAlias struct {
	name       string
	serializer string // "pickle", "json", "msgpack"
	compressor string // "", "zlib", "gzip", "lzma", "lz4", "zstd"
	pickle     any    // PICKLE_VERSION; nil = default
}

var drSerializers = map[string]string{
	"pickle":  redisstore.SerializerPickle,
	"json":    redisstore.SerializerJSON,
	"msgpack": redisstore.SerializerMsgpack,
}

var drCompressors = map[string]string{
	"zlib": redisstore.CompressorZlib,
	"gzip": redisstore.CompressorGzip,
	"lzma": redisstore.CompressorLzma,
	"lz4":  redisstore.CompressorLz4,
	"zstd": redisstore.CompressorZstd,
}

// compressMagic is how each compressor's output starts.
var compressMagic = map[string]string{
	"zlib": "78",
	"gzip": "1f8b",
	"lzma": "fd377a585a00",
	"lz4":  "04224d18",
	"zstd": "28b52ffd",
}

func (a drAlias) options() map[string]any {
	o := map[string]any{"SERIALIZER": drSerializers[a.serializer]}
	if a.compressor != "" {
		o["COMPRESSOR"] = drCompressors[a.compressor]
	}
	if a.pickle != nil {
		o["PICKLE_VERSION"] = a.pickle
	}
	return o
}

func drAliases() []drAlias {
	var out []drAlias
	for _, s := range []string{"pickle", "json", "msgpack"} {
		for _, c := range []string{"", "zlib", "gzip", "lzma", "lz4", "zstd"} {
			out = append(out, drAlias{name: s + "-" + c, serializer: s, compressor: c})
		}
	}
	out = append(out,
		drAlias{name: "pickle5", serializer: "pickle", pickle: 5},
		drAlias{name: "pickle-1", serializer: "pickle", pickle: -1},
		drAlias{name: "pickle4", serializer: "pickle", pickle: 4})
	return out
}

// drValues are session dicts each serializer carries: small (below every
// compressor's min_length when serialized, or near it) and large.
func drValues(serializer string) map[string]map[string]any {
	big := strings.Repeat("Grüße, 世界! ", 40)
	v := map[string]map[string]any{
		"empty": {},
		"tiny":  {"a": json.Number("1")},
		"mixed": {
			"_auth_user_id": "42", "unicode": "äöü ß 漢字 😀 \u2028 \"q\" <t>",
			"nested": map[string]any{"l": []any{json.Number("1"), json.Number("-7"), nil, true, false}, "e": map[string]any{}},
			"float":  json.Number("0.1"), "whole": json.Number("1.0"), "expo": json.Number("1e+16"),
			"u63": json.Number("9223372036854775807"), "neg": json.Number("-9223372036854775808"),
		},
		"large": {"text": big, "list": []any{big, big}},
	}
	if serializer == "msgpack" {
		v["mixed"]["u64"] = json.Number("18446744073709551615")
	} else {
		v["mixed"]["bigint"] = json.Number("1180591620717411303424")
	}
	return v
}

type drEnv struct {
	d      *djangotest.Django
	client *redis.Client
	prefix string
	info   struct {
		Version     string         `json:"version"`
		Compressors map[string]any `json:"compressors"`
	}
}

// startDjangoRedis starts Django rel with one django-redis CACHES alias per
// drAliases entry (default: pickle + zlib, the reported fault), sessions in
// the cache engine.
func startDjangoRedis(t *testing.T, rel string, extra map[string]any) *drEnv {
	t.Helper()
	url := djangotest.RedisURL(t)
	djangotest.DjangoDir(t)
	prefix := djangotest.NewRedisPrefix(t)
	caches := map[string]any{
		"default": map[string]any{
			"BACKEND": redisstore.BackendDjangoRedis, "LOCATION": url, "KEY_PREFIX": prefix + "-default",
			"OPTIONS": map[string]any{"COMPRESSOR": redisstore.CompressorZlib},
		},
	}
	for _, a := range drAliases() {
		if a.compressor == "gzip" && !drHasGzip(rel) {
			continue
		}
		caches[a.name] = map[string]any{
			"BACKEND": redisstore.BackendDjangoRedis, "LOCATION": url, "KEY_PREFIX": prefix + "-" + a.name,
			"VERSION": 3, "OPTIONS": a.options(),
		}
	}
	ex := map[string]any{"CACHES": caches}
	for k, v := range extra {
		ex[k] = v
	}
	d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: ex})
	opt, _ := redis.ParseURL(url)
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	e := &drEnv{d: d, client: client, prefix: prefix}
	d.Do(t, "django_redis_info", nil, &e.info)
	for name, ok := range e.info.Compressors {
		if name == "gzip" && !drHasGzip(rel) {
			continue
		}
		if ok != true {
			t.Fatalf("django-redis %s: the %s compressor does not import: %v", e.info.Version, name, ok)
		}
	}
	return e
}

// drHasGzip: GzipCompressor arrived in django-redis 6.0; the releases
// beside Django 3.2–5.2 carry 5.2 and 5.4, 6.1 carries 7.0.
func drHasGzip(rel string) bool { return rel == "6.1" }

func (e *drEnv) goCache(t *testing.T, rel string, a drAlias, version int) *redisstore.Cache {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	s.Cache = djangobridge.CacheSettings{KeyPrefix: e.prefix + "-" + a.name, Version: version,
		Backend: redisstore.BackendDjangoRedis, Options: a.options()}
	c, err := redisstore.New(&s, e.client)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *drEnv) rawHex(t *testing.T, key string) string {
	t.Helper()
	b, err := e.client.Get(context.Background(), key).Bytes()
	if err != nil {
		t.Fatalf("raw GET %s: %v", key, err)
	}
	return hex.EncodeToString(b)
}

func djangoCacheGet(t *testing.T, d *djangotest.Django, alias, key string) json.RawMessage {
	t.Helper()
	var out struct {
		Missing bool            `json:"missing"`
		Value   json.RawMessage `json:"value"`
	}
	d.Do(t, "cache_get", map[string]any{"alias": alias, "key": key}, &out)
	if out.Missing {
		t.Fatalf("Django's cache %q has nothing under %q", alias, key)
	}
	return out.Value
}

func toMap(t *testing.T, v map[string]any) *djangosession.Map {
	t.Helper()
	b, _ := json.Marshal(v)
	var m djangosession.Map
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// Every serializer × compressor of django-redis, both ways, on every
// release: Django's cache.set read by Go, Go's Set read by Django's
// cache.get; KEY_PREFIX and VERSION as make_key; values at most
// min_length stored uncompressed, longer ones compressed (by each side);
// uncompressed bytes equal byte for byte.
func TestLiveDjangoRedisCodecs(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			e := startDjangoRedis(t, rel, nil)
			for _, a := range drAliases() {
				if a.compressor == "gzip" && !drHasGzip(rel) {
					continue
				}
				t.Run(a.name, func(t *testing.T) {
					c := e.goCache(t, rel, a, 3)
					for vname, val := range drValues(a.serializer) {
						key := "django.contrib.sessions.cache" + "dj" + vname
						want := toMap(t, val)
						// Django writes, Go reads.
						e.d.Do(t, "cache_set", map[string]any{"alias": a.name, "key": key, "value": tag(want), "timeout": 300}, nil)
						rk := c.Key(key)
						if rk != e.prefix+"-"+a.name+":3:"+key {
							t.Fatalf("Go key %q", rk)
						}
						raw := e.rawHex(t, rk)
						got, err := c.Get(ctx, key)
						if err != nil {
							t.Fatalf("%s: Go reads Django's %s: %v (raw %s…)", vname, a.name, err, raw[:min(len(raw), 40)])
						}
						sameDict(t, vname+" Django→Go", got, djangoCacheGet(t, e.d, a.name, key))
						if a.compressor != "" {
							long := len(raw)/2 > 100
							compressed := strings.HasPrefix(raw, compressMagic[a.compressor])
							if vname == "large" && !compressed {
								t.Errorf("%s: Django stored the large value uncompressed", vname)
							}
							if !long && compressed && vname == "empty" {
								t.Errorf("Django compressed the empty dict: %s", raw)
							}
						}
						// Go writes the same dict back under another key.
						gkey := "django.contrib.sessions.cache" + "go" + vname
						if err := c.Set(ctx, gkey, got, 300); err != nil {
							t.Fatalf("%s: Go Set: %v", vname, err)
						}
						sameDict(t, vname+" Go→Django", got, djangoCacheGet(t, e.d, a.name, gkey))
						graw := e.rawHex(t, c.Key(gkey))
						if a.compressor == "" && graw != raw && !(a.pickle == nil && a.serializer == "pickle" && rel == "6.1") {
							// 6.1 runs on Python 3.14, whose default pickle protocol is 5.
							t.Errorf("%s: bytes differ\nDjango %s\nGo     %s", vname, raw, graw)
						}
						if a.compressor != "" {
							serialized := 0
							if dec, err := redisstore.DecodeForTest(c, mustHex(graw)); err == nil {
								serialized = dec
							}
							gcomp := strings.HasPrefix(graw, compressMagic[a.compressor])
							min := 15
							if a.compressor == "lzma" {
								min = 100
							}
							if gcomp != (serialized > min) {
								t.Errorf("%s: Go compressed=%v a %d-byte value (min_length %d)", vname, gcomp, serialized, min)
							}
						}
					}
				})
			}
		})
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// The reported fault: a django-redis session written with COMPRESSOR zlib
// (the entry starts 789c) is found by Go, and Go's session by Django, in
// the cache and cached_db engines.
func TestLiveDjangoRedisSessions(t *testing.T) {
	for _, rel := range djangotest.Releases {
		for _, engine := range []string{"cache", "cached_db"} {
			t.Run(rel+"/"+engine, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				url := djangotest.RedisURL(t)
				djangotest.DjangoDir(t)
				prefix := djangotest.NewRedisPrefix(t)
				opts := map[string]any{"COMPRESSOR": redisstore.CompressorZlib}
				var db djangotest.Database
				if engine == "cached_db" {
					db = djangotest.NewDatabase(t, "sqlite")
				}
				d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: engine, DatabaseURL: db.URL, Extra: map[string]any{
					"CACHES": map[string]any{"default": map[string]any{
						"BACKEND": redisstore.BackendDjangoRedis, "LOCATION": url, "KEY_PREFIX": prefix, "VERSION": 2, "OPTIONS": opts}},
				}})
				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SessionEngine = engine
				s.Cache = djangobridge.CacheSettings{Location: []string{url}, KeyPrefix: prefix, Version: 2,
					Backend: redisstore.BackendDjangoRedis, Options: opts}
				c, err := redisstore.Open(&s)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				var store djangosession.Store = c.Store()
				keyPrefix := djangosession.CacheKeyPrefix
				if engine == "cached_db" {
					sqldb, err := sql.Open("sqlite", db.DSN)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { sqldb.Close() })
					rows, err := sqlstore.New(sqldb, sqlstore.SQLite, &s)
					if err != nil {
						t.Fatal(err)
					}
					if store, err = djangosession.NewCachedDBStore(c, rows, &s); err != nil {
						t.Fatal(err)
					}
					keyPrefix = djangosession.CachedDBKeyPrefix
				}
				mgr, err := djangosession.NewManager(&s, store)
				if err != nil {
					t.Fatal(err)
				}
				var dj described
				h := &harness{d: d}
				big := strings.Repeat("x", 200)
				d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "7", "note": big}}, &dj)
				raw, err := c.RawForTest(ctx, keyPrefix+dj.Key)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(raw, []byte{0x78, 0x9c}) {
					t.Fatalf("Django's entry starts %x, want 789c (zlib)", raw[:min(4, len(raw))])
				}
				sess := mgr.Open(ctx, dj.Key)
				if err := sess.Load(ctx); err != nil {
					t.Fatal(err)
				}
				if v, _ := sess.GetString("_auth_user_id"); v != "7" || sess.Key() != dj.Key {
					t.Fatalf("Go did not find Django's zlib session: key %q user %q", sess.Key(), v)
				}
				if v, _ := sess.GetString("note"); v != big {
					t.Fatalf("note = %q", v)
				}
				gs := mgr.Open(ctx, "")
				gs.Set("_auth_user_id", "8")
				gs.Set("note", big)
				if err := gs.Save(ctx); err != nil {
					t.Fatal(err)
				}
				var back described
				h.d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
				if !back.Exists || !strings.Contains(string(back.Data), `"8"`) {
					t.Fatalf("Django does not see Go's session: %+v %s", back, back.Data)
				}
				graw, _ := c.RawForTest(ctx, keyPrefix+gs.Key())
				if !bytes.HasPrefix(graw, []byte{0x78}) {
					t.Errorf("Go's entry starts %x, want zlib", graw[:min(4, len(graw))])
				}
				// Django logs out; Go sees no session.
				d.Do(t, "session_delete", map[string]any{"key": gs.Key()}, nil)
				if _, err := store.Load(ctx, gs.Key()); !errors.Is(err, djangosession.ErrNotFound) {
					t.Errorf("after Django's delete: %v", err)
				}
			})
		}
	}
}

// Integers are stored raw by django-redis (cache.set(k, 42) is "42"): Go
// reads one as "not a session", a corrupt compressed entry as a data
// error, and neither breaks anything else.
func TestLiveDjangoRedisIntegersAndCorruption(t *testing.T) {
	rel := djangotest.Releases[len(djangotest.Releases)-1]
	ctx := context.Background()
	e := startDjangoRedis(t, rel, nil)
	a := drAlias{name: "pickle-zlib", serializer: "pickle", compressor: "zlib"}
	c := e.goCache(t, rel, a, 3)
	e.d.Do(t, "cache_set", map[string]any{"alias": a.name, "key": "n", "value": []any{"int", "42"}}, nil)
	if raw := e.rawHex(t, c.Key("n")); raw != hex.EncodeToString([]byte("42")) {
		t.Errorf("Django stored int 42 as %s", raw)
	}
	if _, err := c.Get(ctx, "n"); !djangosession.IsDataError(err) {
		t.Errorf("int entry: %v, want a data error", err)
	}
	// A truncated zlib stream: django-redis's decompress fails, the bytes are
	// unpickled as they are, which fails too; Go: a data error.
	good, _ := c.Encode(toMap(t, drValues("pickle")["large"]))
	e.client.Set(ctx, c.Key("bad"), good[:len(good)/2], 0)
	if _, err := c.Get(ctx, "bad"); !djangosession.IsDataError(err) {
		t.Errorf("truncated zlib: %v, want a data error", err)
	}
	var pe *djangotest.Error
	if err := e.d.Call("cache_get", map[string]any{"alias": a.name, "key": "bad"}, nil); !errors.As(err, &pe) {
		t.Errorf("Django reads the truncated entry: %v (want an exception, as Go's error)", err)
	}
	if _, err := c.Store().Load(ctx, "bad"); !errors.Is(err, djangosession.ErrNotFound) {
		t.Errorf("session engine on a corrupt entry: %v, want ErrNotFound (a fresh session)", err)
	}
}
