package redisstore_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/redisstore"
	"github.com/djangobridge/djangobridge/sqlstore"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

// liveValues are session values with unicode, nesting, big integers and
// floats, written by each side and read by the other. They are JSON (the
// harness speaks JSON), so numbers are json.Number to keep them exact.
func liveValues() map[string]any {
	return map[string]any{
		"unicode": "äöü ß 漢字 😀 \u2028 \"quoted\" <tag>",
		"nested":  map[string]any{"items": []any{json.Number("1"), map[string]any{"nothing": nil, "flag": true}}, "empty": map[string]any{}},
		"bigint":  json.Number("1180591620717411303424"),
		"negbig":  json.Number("-98765432109876543210987654321"),
		"floatv":  json.Number("0.1"),
		"whole":   json.Number("1.0"),
		"expo":    json.Number("1e+16"),
		"count":   json.Number("42"),
	}
}

// goValues is liveValues as the session stores them (Number literals as
// Python's repr writes them).
func goValues(t *testing.T) *djangosession.Map {
	t.Helper()
	b, _ := json.Marshal(liveValues())
	var m djangosession.Map
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// tag is the tagged form of ops/cache.py.
func tag(v any) any {
	switch x := v.(type) {
	case nil:
		return []any{"none"}
	case bool:
		return []any{"bool", x}
	case djangosession.Number:
		if x.IsInt() {
			return []any{"int", string(x)}
		}
		f, _ := x.Float64()
		return []any{"float", djangosession.PyFloatRepr(f)}
	case string:
		return []any{"str", x}
	case []byte:
		return []any{"bytes", base64.StdEncoding.EncodeToString(x)}
	case []any:
		l := []any{}
		for _, e := range x {
			l = append(l, tag(e))
		}
		return []any{"list", l}
	case *djangosession.Map:
		l := []any{}
		for _, it := range x.Items() {
			l = append(l, []any{it.Key, tag(it.Value)})
		}
		return []any{"dict", l}
	case time.Time:
		iso := x.Format("2006-01-02T15:04:05")
		if x.Nanosecond() != 0 {
			iso = x.Format("2006-01-02T15:04:05.000000")
		}
		if djangosession.IsNaive(x) {
			return []any{"datetime", iso, nil}
		}
		_, off := x.Zone()
		return []any{"datetime", iso, float64(off)}
	}
	return []any{"unexpected", fmt.Sprintf("%T", v)}
}

// sameDict compares a Go map and a tagged Python dict, ignoring key order
// at the top level only when unordered is set (a Go map literal has none).
func sameDict(t *testing.T, what string, got *djangosession.Map, want json.RawMessage) {
	t.Helper()
	g, _ := json.Marshal(tag(got))
	var a, b any
	json.Unmarshal(g, &a)
	json.Unmarshal(want, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("%s differs\n  Go: %s\nPython: %s", what, g, want)
	}
}

type harness struct {
	d      *djangotest.Django
	s      djangobridge.Settings
	cache  *redisstore.Cache
	client *redis.Client
	prefix string
}

func setup(t *testing.T, release, engine string, dbURL string) *harness {
	t.Helper()
	url := djangotest.RedisURL(t)
	djangotest.DjangoDir(t)
	prefix := djangotest.NewRedisPrefix(t)
	d := djangotest.Start(t, release, djangotest.Config{
		SessionEngine:  engine,
		CacheURL:       url,
		CacheKeyPrefix: prefix,
		DatabaseURL:    dbURL,
	})
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.UseTZ = false
	s.TimeZone = "UTC"
	s.SessionEngine = engine
	s.Cache = djangobridge.CacheSettings{Location: []string{url}, KeyPrefix: prefix, Version: 1}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	c, err := redisstore.New(&s, client)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{d: d, s: s, cache: c, client: client, prefix: prefix}
}

type described struct {
	Key        string          `json:"key"`
	Data       json.RawMessage `json:"data"`
	ExpiryAge  int             `json:"expiry_age"`
	ExpiryDate string          `json:"expiry_date"`
	Exists     bool            `json:"exists"`
}

type rawEntry struct {
	RedisKey string  `json:"redis_key"`
	Hex      *string `json:"hex"`
	TTL      int64   `json:"ttl"`
}

func (h *harness) raw(t *testing.T, cacheKey string) rawEntry {
	t.Helper()
	var r rawEntry
	h.d.Do(t, "cache_raw_get", map[string]any{"key": cacheKey}, &r)
	return r
}

func (h *harness) djangoGet(t *testing.T, cacheKey string) json.RawMessage {
	t.Helper()
	var out struct {
		Missing bool            `json:"missing"`
		Value   json.RawMessage `json:"value"`
	}
	h.d.Do(t, "cache_get", map[string]any{"key": cacheKey}, &out)
	if out.Missing {
		t.Fatalf("Django's cache has nothing under %q", cacheKey)
	}
	return out.Value
}

// The cache engine against real Django on each release: both directions,
// exact values, the same Redis key, value bytes and TTL, expiry, logout.
func TestLiveCacheEngine(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := setup(t, rel, "cache", "")
			mgr, err := djangosession.NewManager(&h.s, h.cache.Store())
			if err != nil {
				t.Fatal(err)
			}

			// Django writes, Go reads.
			var dj described
			h.d.Do(t, "session_save", map[string]any{"data": liveValues()}, &dj)
			ck := djangosession.CacheKeyPrefix + dj.Key
			r := h.raw(t, ck)
			if r.RedisKey != h.cache.Key(ck) || r.RedisKey != h.prefix+":1:"+ck {
				t.Errorf("Redis key: Django %q, Go %q", r.RedisKey, h.cache.Key(ck))
			}
			if r.TTL < 1209600-2 || r.TTL > 1209600 {
				t.Errorf("Django's TTL %d", r.TTL)
			}
			sess := mgr.Open(ctx, dj.Key)
			if err := sess.Load(ctx); err != nil {
				t.Fatal(err)
			}
			if sess.Key() != dj.Key {
				t.Fatalf("Go did not find Django's session")
			}
			sameDict(t, "Django-written session read by Go", sess.Data(), h.djangoGet(t, ck))

			// Go writes (a new session), Django reads.
			gs := mgr.Open(ctx, "")
			for _, it := range goValues(t).Items() {
				if err := gs.Set(it.Key, it.Value); err != nil {
					t.Fatal(err)
				}
			}
			if err := gs.Save(ctx); err != nil {
				t.Fatal(err)
			}
			gk := djangosession.CacheKeyPrefix + gs.Key()
			var back described
			h.d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
			if !back.Exists {
				t.Fatal("Django does not see Go's session")
			}
			sameDict(t, "Go-written session read by Django", gs.Data(), h.djangoGet(t, gk))
			gr := h.raw(t, gk)
			if gr.TTL < 1209600-2 || gr.TTL > 1209600 {
				t.Errorf("Go's TTL %d, want SESSION_COOKIE_AGE", gr.TTL)
			}
			// The bytes Go stored are pickle.dumps(dict, HIGHEST_PROTOCOL).
			var py struct {
				Hex string `json:"hex"`
			}
			h.d.Do(t, "pickle_dumps", map[string]any{"value": tag(gs.Data())}, &py)
			if gr.Hex == nil || *gr.Hex != py.Hex {
				t.Errorf("Go stored\n %v\nPython pickles\n %s", gr.Hex, py.Hex)
			}

			// Django updates Go's session; Go sees the update.
			h.d.Do(t, "session_save", map[string]any{"key": gs.Key(), "data": map[string]any{"count": 43}}, nil)
			gs2 := mgr.Open(ctx, gs.Key())
			if n, _ := gs2.GetInt("count"); n != 43 {
				t.Errorf("after Django's update count = %d", n)
			}

			// Expiry: set_expiry(60) on either side gives TTL 60 and age 60.
			h.d.Do(t, "session_save", map[string]any{"key": dj.Key, "expiry": 60}, nil)
			if ttl := h.raw(t, ck).TTL; ttl < 58 || ttl > 60 {
				t.Errorf("Django set_expiry(60): TTL %d", ttl)
			}
			es := mgr.Open(ctx, dj.Key)
			if age := es.ExpiryAge(); age != 60 {
				t.Errorf("Go reads expiry age %d", age)
			}
			es.SetExpiry(90)
			if err := es.Save(ctx); err != nil {
				t.Fatal(err)
			}
			if ttl := h.raw(t, ck).TTL; ttl < 88 || ttl > 90 {
				t.Errorf("Go SetExpiry(90): TTL %d", ttl)
			}
			var de described
			h.d.Do(t, "session_load", map[string]any{"key": dj.Key}, &de)
			if de.ExpiryAge != 90 {
				t.Errorf("Django reads expiry age %d", de.ExpiryAge)
			}

			// A session Django lets expire (TTL 1 s) is gone for Go too.
			var short described
			h.d.Do(t, "session_save", map[string]any{"data": map[string]any{"x": 1}, "expiry": 1}, &short)
			time.Sleep(2100 * time.Millisecond)
			if _, err := h.cache.Store().Load(ctx, short.Key); err != djangosession.ErrNotFound {
				t.Errorf("expired session: %v, want ErrNotFound", err)
			}

			// Go logs out: Django sees no session.
			if err := gs2.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			var gone described
			h.d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &gone)
			if gone.Exists {
				t.Error("Django still sees the session Go flushed")
			}
			// Django logs out: Go sees no session.
			h.d.Do(t, "session_delete", map[string]any{"key": dj.Key}, nil)
			if _, err := h.cache.Store().Load(ctx, dj.Key); err != djangosession.ErrNotFound {
				t.Errorf("after Django's delete: %v", err)
			}
		})
	}
}

// Django 3.2 keeps set_expiry(datetime) as a pickled datetime in cache
// sessions; Go reads it, agrees on the age, and writes it back readable.
func TestLiveCacheDatetimeExpiry(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			h := setup(t, rel, "cache", "")
			mgr, _ := djangosession.NewManager(&h.s, h.cache.Store())
			at := time.Now().UTC().Add(2 * time.Hour).Truncate(time.Second)
			var dj described
			h.d.Do(t, "session_save", map[string]any{"data": map[string]any{"u": "1"}, "expiry_at": at.Format("2006-01-02T15:04:05")}, &dj)
			sess := mgr.Open(ctx, dj.Key)
			v, _ := sess.Get(djangosession.KeyExpiry)
			if rel == "3.2" {
				tm, ok := v.(time.Time)
				if !ok || !djangosession.IsNaive(tm) || !tm.Equal(djangosession.NaiveDatetime(at)) {
					t.Fatalf("3.2 _session_expiry = %#v, want the naive datetime %v", v, at)
				}
			}
			if age := sess.ExpiryAge(); math.Abs(float64(age-dj.ExpiryAge)) > 2 {
				t.Errorf("expiry age: Go %d, Django %d", age, dj.ExpiryAge)
			}
			sess.Set("u", "2")
			if err := sess.Save(ctx); err != nil {
				t.Fatal(err)
			}
			var back described
			h.d.Do(t, "session_load", map[string]any{"key": dj.Key}, &back)
			if !back.Exists || math.Abs(float64(back.ExpiryAge-dj.ExpiryAge)) > 2 || !strings.Contains(string(back.Data), `"u": "2"`) && !strings.Contains(string(back.Data), `"u":"2"`) {
				t.Errorf("Django after Go's save: %+v (age before %d)", back, dj.ExpiryAge)
			}
			if ttl := h.raw(t, djangosession.CacheKeyPrefix+dj.Key).TTL; math.Abs(float64(ttl-int64(dj.ExpiryAge))) > 2 {
				t.Errorf("TTL after Go's save %d, want about %d", ttl, dj.ExpiryAge)
			}
		})
	}
}

// Pickles Python writes for awkward values (64 KiB frames, batches of 1000,
// tuples, bytes, datetimes) read exactly, and what Go pickles Python reads.
func TestLivePickleBothWays(t *testing.T) {
	url := djangotest.RedisURL(t)
	djangotest.DjangoDir(t)
	d := djangotest.Start(t, "5.2", djangotest.Config{SessionEngine: "cache", CacheURL: url, CacheKeyPrefix: djangotest.NewRedisPrefix(t)})
	big := strings.Repeat("x", 70000)
	list1000 := []any{}
	d1000 := [][]any{}
	for i := 0; i < 1000; i++ {
		list1000 = append(list1000, []any{"int", fmt.Sprint(i)})
		d1000 = append(d1000, []any{fmt.Sprintf("key%d", i), []any{"int", fmt.Sprint(i * i)}})
	}
	frames := [][]any{}
	for i := 0; i < 1500; i++ {
		frames = append(frames, []any{fmt.Sprintf("k%d", i), []any{"str", strings.Repeat("v", 100)}})
	}
	values := map[string]any{
		"large":    []any{"dict", []any{[]any{"blob", []any{"str", big}}, []any{"bblob", []any{"bytes", base64.StdEncoding.EncodeToString([]byte(strings.Repeat("y", 65536)))}}, []any{"after", []any{"list", []any{[]any{"int", "1"}, []any{"int", "2"}}}}}},
		"list1000": []any{"list", list1000},
		"dict1000": []any{"dict", d1000},
		"frames":   []any{"dict", frames},
		"tuple":    []any{"tuple", []any{[]any{"int", "1"}, []any{"str", "two"}, []any{"float", "3.5"}, []any{"none"}}},
		"dates":    []any{"list", []any{[]any{"datetime", "2030-01-02T03:04:05.000006", nil}, []any{"datetime", "2030-01-02T03:04:05", 0}, []any{"datetime", "1999-12-31T23:59:59", -18000}}},
	}
	for name, v := range values {
		var py struct {
			Hex string `json:"hex"`
		}
		d.Do(t, "pickle_dumps", map[string]any{"value": v}, &py)
		b, _ := hex.DecodeString(py.Hex)
		got, err := djangosession.Unpickle(b, 4<<20)
		if err != nil {
			t.Errorf("%s: Unpickle: %v", name, err)
			continue
		}
		out, err := djangosession.Pickle(got)
		if err != nil {
			t.Errorf("%s: Pickle: %v", name, err)
			continue
		}
		if name != "tuple" && name != "dates" && hex.EncodeToString(out) != py.Hex {
			t.Errorf("%s: Go's pickle differs from Python's (%d vs %d bytes)", name, len(out), len(b))
		}
		var back struct {
			Value json.RawMessage `json:"value"`
		}
		d.Do(t, "pickle_loads", map[string]any{"hex": hex.EncodeToString(out)}, &back)
		g, _ := json.Marshal(tag(got))
		var a, bb any
		json.Unmarshal(g, &a)
		json.Unmarshal(back.Value, &bb)
		if !reflect.DeepEqual(a, bb) {
			t.Errorf("%s: Python reads Go's pickle differently", name)
		}
	}
}

// LOCATION with two servers: writes go to the first, reads to the other.
func TestReadsGoToTheOtherServers(t *testing.T) {
	url := djangotest.RedisURL(t)
	prefix := djangotest.NewRedisPrefix(t)
	opt, _ := redis.ParseURL(url)
	primary := redis.NewClient(opt)
	defer primary.Close()
	opt2 := *opt
	opt2.DB = (opt.DB + 1) % 16 // a different database stands for the replica
	replica := redis.NewClient(&opt2)
	defer replica.Close()
	s := djangobridge.Defaults()
	s.Cache.KeyPrefix = prefix
	c, err := redisstore.New(&s, primary, replica)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	k := "django.contrib.sessions.cache" + "replicatestkey12"
	if err := c.Set(ctx, k, djangosession.NewMap(djangosession.Item{Key: "a", Value: "b"}), 60); err != nil {
		t.Fatal(err)
	}
	defer primary.Del(ctx, c.Key(k))
	if n, _ := primary.Exists(ctx, c.Key(k)).Result(); n != 1 {
		t.Error("the write did not go to the first server")
	}
	if _, err := c.Get(ctx, k); err != djangosession.ErrNotFound {
		t.Errorf("the read went to the first server: %v", err)
	}
}

// The cached_db engine with a real database shared with Django.
// SQLite rows go through sqlstore, PostgreSQL rows through pgxstore.
func TestLiveCachedDBEngine(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				t.Parallel()
				testLiveCachedDB(t, rel, kind)
			})
		}
	}
}

func testLiveCachedDB(t *testing.T, rel, kind string) {
	ctx := context.Background()
	db := djangotest.NewDatabase(t, kind)
	h := setup(t, rel, "cached_db", db.URL)
	var rows djangosession.Store
	if kind == "sqlite" {
		sqldb, err := sql.Open("sqlite", db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sqldb.Close() })
		if rows, err = sqlstore.New(sqldb, sqlstore.SQLite, &h.s); err != nil {
			t.Fatal(err)
		}
	} else {
		pool, err := pgxpool.New(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		if rows, err = pgxstore.New(pool, &h.s); err != nil {
			t.Fatal(err)
		}
	}
	st, err := djangosession.NewCachedDBStore(h.cache, rows, &h.s)
	if err != nil {
		t.Fatal(err)
	}
	mgr, _ := djangosession.NewManager(&h.s, st)

	// Django writes: row and cache entry; Go reads the cache.
	var dj described
	h.d.Do(t, "session_save", map[string]any{"data": liveValues()}, &dj)
	ck := djangosession.CachedDBKeyPrefix + dj.Key
	r := h.raw(t, ck)
	if r.Hex == nil || r.RedisKey != h.cache.Key(ck) {
		t.Fatalf("Django's cache entry: %+v, Go's key %q", r, h.cache.Key(ck))
	}
	sess := mgr.Open(ctx, dj.Key)
	sameDict(t, "Django-written session read by Go", sess.Data(), h.djangoGet(t, ck))

	// Without the cache entry Go reads the row and refills the cache
	// with the TTL Django would (the row's remaining age).
	h.client.Del(ctx, h.cache.Key(ck))
	sess = mgr.Open(ctx, dj.Key)
	sameDict(t, "session read from the row", sess.Data(), h.djangoGet(t, ck))
	if ttl := h.raw(t, ck).TTL; ttl < 1209600-3 || ttl > 1209600 {
		t.Errorf("refilled TTL %d", ttl)
	}
	h.client.Del(ctx, h.cache.Key(ck))
	var viaDjango described
	h.d.Do(t, "session_load", map[string]any{"key": dj.Key}, &viaDjango)
	if ttl := h.raw(t, ck).TTL; ttl < 1209600-3 || ttl > 1209600 {
		t.Errorf("Django's refill TTL %d", ttl)
	}

	// Go writes: row and cache; Django reads (from the cache, then
	// from the row when the cache entry is gone).
	gs := mgr.Open(ctx, "")
	for _, it := range goValues(t).Items() {
		gs.Set(it.Key, it.Value)
	}
	if err := gs.Save(ctx); err != nil {
		t.Fatal(err)
	}
	gk := djangosession.CachedDBKeyPrefix + gs.Key()
	sameDict(t, "Go-written cache entry read by Django", gs.Data(), h.djangoGet(t, gk))
	if ttl := h.raw(t, gk).TTL; ttl < 1209600-2 || ttl > 1209600 {
		t.Errorf("Go's TTL %d", ttl)
	}
	h.client.Del(ctx, h.cache.Key(gk))
	var back described
	h.d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
	if !back.Exists {
		t.Fatal("Django does not see Go's row")
	}
	sameDict(t, "Go-written row read by Django", gs.Data(), h.djangoGet(t, gk))

	// Go logs out: row and cache entry gone for Django.
	if err := gs.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var gone described
	h.d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &gone)
	if gone.Exists || h.raw(t, gk).Hex != nil {
		t.Error("Django still sees the session Go flushed")
	}
	// Django logs out: Go sees no session.
	h.d.Do(t, "session_delete", map[string]any{"key": dj.Key}, nil)
	if _, err := st.Load(ctx, dj.Key); err != djangosession.ErrNotFound {
		t.Errorf("after Django's delete: %v", err)
	}
}

func BenchmarkRedisLoad(b *testing.B) {
	url := os.Getenv(djangotest.EnvRedis)
	if url == "" {
		b.Skip(djangotest.EnvRedis + " is not set")
	}
	opt, _ := redis.ParseURL(url)
	client := redis.NewClient(opt)
	defer client.Close()
	s := djangobridge.Defaults()
	s.Cache.KeyPrefix = "djbt_bench"
	c, _ := redisstore.New(&s, client)
	st := c.Store()
	ctx := context.Background()
	data := djangosession.NewMap(
		djangosession.Item{Key: djangosession.KeyAuthUserID, Value: "42"},
		djangosession.Item{Key: djangosession.KeyAuthBackend, Value: djangobridge.DefaultModelBackend},
		djangosession.Item{Key: djangosession.KeyAuthHash, Value: "7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2"},
		djangosession.Item{Key: djangosession.KeyCSRFToken, Value: "abcdefghijklmnopqrstuvwxyz012345"},
	)
	key := djangosession.NewKey()
	if _, err := st.Save(ctx, djangosession.Record{Key: key, Data: data, ExpiryAge: 60}, true); err != nil {
		b.Fatal(err)
	}
	defer st.Delete(ctx, key)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Load(ctx, key); err != nil {
			b.Fatal(err)
		}
	}
}

// randomValue returns a random session value, in Go and tagged for the
// harness. Strings and bytes have at least two characters and dict keys
// are unique, so CPython shares no objects and its pickle is byte-exact
// comparable with Go's.
func randomValue(r *mrand.Rand, depth int, seq *int) (any, any) {
	k := r.IntN(9)
	if depth > 4 && k >= 6 {
		k = r.IntN(6)
	}
	switch k {
	case 0:
		return nil, []any{"none"}
	case 1:
		b := r.IntN(2) == 0
		return b, []any{"bool", b}
	case 2:
		var n *big.Int
		switch r.IntN(3) {
		case 0:
			n = big.NewInt(int64(r.IntN(70000)) - 100)
		case 1:
			n = big.NewInt(int64(r.Uint64()))
		default:
			b := make([]byte, 1+r.IntN(40))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			n = new(big.Int).SetBytes(b)
			if r.IntN(2) == 0 {
				n.Neg(n)
			}
		}
		return djangosession.Number(n.String()), []any{"int", n.String()}
	case 3:
		f := math.Float64frombits(r.Uint64())
		for math.IsNaN(f) || math.IsInf(f, 0) {
			f = math.Float64frombits(r.Uint64())
		}
		s := djangosession.PyFloatRepr(f)
		return djangosession.Number(s), []any{"float", s}
	case 4:
		s := randomText(r)
		return s, []any{"str", s}
	case 5:
		b := make([]byte, 2+r.IntN(300))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b, []any{"bytes", base64.StdEncoding.EncodeToString(b)}
	case 6, 7:
		n := r.IntN(5)
		g, py := []any{}, []any{}
		for i := 0; i < n; i++ {
			gv, pv := randomValue(r, depth+1, seq)
			g, py = append(g, gv), append(py, pv)
		}
		return g, []any{"list", py}
	default:
		n := r.IntN(6)
		m := &djangosession.Map{}
		py := []any{}
		for i := 0; i < n; i++ {
			*seq++
			key := fmt.Sprintf("%s%d", string([]rune(randomText(r))[:2]), *seq)
			gv, pv := randomValue(r, depth+1, seq)
			m.Set(key, gv)
			py = append(py, []any{key, pv})
		}
		return m, []any{"dict", py}
	}
}

func randomText(r *mrand.Rand) string {
	runes := []rune("aé漢😀\u2028\"\\\x00ß\U0010FFFFz")
	n := 2 + r.IntN(20)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(runes[r.IntN(len(runes))])
	}
	return b.String()
}

// Random values: Go's pickle is byte for byte Python's, Python reads Go's
// pickle as the value, and Go reads Python's.
func TestLiveRandomPicklesMatchPython(t *testing.T) {
	djangotest.DjangoDir(t)
	d := djangotest.Start(t, "5.2", djangotest.Config{})
	r := mrand.New(mrand.NewPCG(1, 2))
	seq := 0
	for i := 0; i < 500; i++ {
		g, py := randomValue(r, 0, &seq)
		out, err := djangosession.Pickle(g)
		if err != nil {
			t.Fatalf("%d: Pickle: %v", i, err)
		}
		var dumped struct {
			Hex string `json:"hex"`
		}
		d.Do(t, "pickle_dumps", map[string]any{"value": py}, &dumped)
		if hex.EncodeToString(out) != dumped.Hex {
			pj, _ := json.Marshal(py)
			t.Fatalf("%d: Go's pickle differs from Python's for %s\n  Go: %x\nPython: %s", i, pj, out, dumped.Hex)
		}
		pb, _ := hex.DecodeString(dumped.Hex)
		back, err := djangosession.Unpickle(pb, 0)
		if err != nil {
			t.Fatalf("%d: Unpickle: %v", i, err)
		}
		g1, _ := json.Marshal(tag(back))
		g2, _ := json.Marshal(py)
		var a, b any
		json.Unmarshal(g1, &a)
		json.Unmarshal(g2, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%d: Go reads Python's pickle as %s, want %s", i, g1, g2)
		}
	}
}
