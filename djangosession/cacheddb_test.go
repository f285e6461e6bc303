package djangosession

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
)

// memCache is an in-memory Cache with a settable clock and failure switch.
type memCache struct {
	mu      sync.Mutex
	now     time.Time
	entries map[string]memEntry
	down    bool
	sets    int
}

type memEntry struct {
	data    []byte // pickled, as a real cache holds a copy
	expires time.Time
}

var errCacheDown = errors.New("cache down")

func newMemCache() *memCache {
	return &memCache{now: time.Unix(1700000000, 0), entries: map[string]memEntry{}}
}

func (c *memCache) live(key string) (memEntry, bool) {
	e, ok := c.entries[key]
	if ok && !c.now.Before(e.expires) {
		delete(c.entries, key)
		return e, false
	}
	return e, ok
}

func (c *memCache) Get(ctx context.Context, key string) (*Map, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return nil, errCacheDown
	}
	e, ok := c.live(key)
	if !ok {
		return nil, ErrNotFound
	}
	v, err := Unpickle(e.data, 0)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, ErrMalformed
	}
	return m, nil
}

func (c *memCache) put(key string, data *Map, timeout int) error {
	if timeout <= 0 {
		delete(c.entries, key)
		return nil
	}
	b, err := Pickle(data)
	if err != nil {
		return err
	}
	c.sets++
	c.entries[key] = memEntry{b, c.now.Add(time.Duration(timeout) * time.Second)}
	return nil
}

func (c *memCache) Set(ctx context.Context, key string, data *Map, timeout int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return errCacheDown
	}
	return c.put(key, data, timeout)
}

func (c *memCache) Add(ctx context.Context, key string, data *Map, timeout int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return false, errCacheDown
	}
	if _, ok := c.live(key); ok {
		return false, nil
	}
	return true, c.put(key, data, timeout)
}

func (c *memCache) Replace(ctx context.Context, key string, data *Map, timeout int) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return false, errCacheDown
	}
	if _, ok := c.live(key); !ok {
		return false, nil
	}
	return true, c.put(key, data, timeout)
}

func (c *memCache) Delete(ctx context.Context, key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return errCacheDown
	}
	delete(c.entries, key)
	return nil
}

func (c *memCache) Has(ctx context.Context, key string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return false, errCacheDown
	}
	_, ok := c.live(key)
	return ok, nil
}

func (c *memCache) ttl(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.live(key)
	if !ok {
		return -2
	}
	return int(e.expires.Sub(c.now) / time.Second)
}

// memDB is an in-memory db engine (Store + RecordLoader), with the
// semantics of sqlstore.
type memDB struct {
	mu   sync.Mutex
	now  func() time.Time
	rows map[string]Record
	down bool
}

func (d *memDB) LoadRecord(ctx context.Context, key string) (Record, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.down {
		return Record{}, errors.New("db down")
	}
	r, ok := d.rows[key]
	if !ok || !r.ExpireDate.After(d.now()) {
		return Record{}, ErrNotFound
	}
	r.Data = r.Data.Clone()
	r.ExpiryAge = ExpiryAgeAt(r.ExpireDate, d.now())
	return r, nil
}

func (d *memDB) Load(ctx context.Context, key string) (*Map, error) {
	r, err := d.LoadRecord(ctx, key)
	return r.Data, err
}

func (d *memDB) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.rows[r.Key]
	if mustCreate && ok {
		return "", ErrExists
	}
	if !mustCreate && !ok {
		return "", ErrVanished
	}
	r.Data = r.Data.Clone()
	d.rows[r.Key] = r
	return r.Key, nil
}

func (d *memDB) Delete(ctx context.Context, key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.rows, key)
	return nil
}

func (d *memDB) Exists(ctx context.Context, key string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.rows[key]
	return ok, nil
}

func (d *memDB) ClearExpired(ctx context.Context) (int64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n int64
	for k, r := range d.rows {
		if !r.ExpireDate.After(d.now()) {
			delete(d.rows, k)
			n++
		}
	}
	return n, nil
}

func newCachedDB(t *testing.T) (*CachedDBStore, *memCache, *memDB, *bytes.Buffer) {
	t.Helper()
	c := newMemCache()
	db := &memDB{now: func() time.Time { return c.now }, rows: map[string]Record{}}
	var logs bytes.Buffer
	s := djangobridge.Defaults()
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	st, err := NewCachedDBStore(c, db, &s)
	if err != nil {
		t.Fatal(err)
	}
	st.now = func() time.Time { return c.now }
	return st, c, db, &logs
}

const testKey = "abcdefgh12345678abcdefgh12345678"

func TestCachedDBWritesRowThenCache(t *testing.T) {
	ctx := context.Background()
	st, c, db, _ := newCachedDB(t)
	data := NewMap(Item{"a", Number("1")})
	r := Record{Key: testKey, Data: data, ExpireDate: c.now.Add(time.Hour), ExpiryAge: 3600}
	if _, err := st.Save(ctx, r, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := db.rows[testKey]; !ok {
		t.Fatal("no row")
	}
	if ttl := c.ttl(CachedDBKeyPrefix + testKey); ttl != 3600 {
		t.Errorf("cache TTL %d, want 3600 (the expiry age)", ttl)
	}
	if _, err := st.Save(ctx, r, true); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v, want ErrExists", err)
	}
	if _, err := st.Save(ctx, Record{Key: "zzzzzzzzzzzz", Data: data, ExpiryAge: 5}, false); !errors.Is(err, ErrVanished) {
		t.Errorf("update of a missing row: %v, want ErrVanished", err)
	}
	if _, ok := c.entries[CachedDBKeyPrefix+"zzzzzzzzzzzz"]; ok {
		t.Error("a failed save still wrote the cache")
	}
}

func TestCachedDBLoadFallsBackToRowAndRefillsCache(t *testing.T) {
	ctx := context.Background()
	st, c, db, _ := newCachedDB(t)
	db.rows[testKey] = Record{Key: testKey, Data: NewMap(Item{"x", "row"}), ExpireDate: c.now.Add(100*time.Second + 500*time.Millisecond)}
	m, err := st.Load(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("x"); v != "row" {
		t.Fatalf("got %v", v)
	}
	// get_expiry_age(expiry=expire_date): whole seconds, rounded down.
	if ttl := c.ttl(CachedDBKeyPrefix + testKey); ttl != 100 {
		t.Errorf("refilled TTL %d, want 100", ttl)
	}
	// Now the cache answers, even if the row changes behind its back.
	db.rows[testKey] = Record{Key: testKey, Data: NewMap(Item{"x", "changed"}), ExpireDate: c.now.Add(time.Hour)}
	m, _ = st.Load(ctx, testKey)
	if v, _ := m.Get("x"); v != "row" {
		t.Errorf("cache not used: %v", v)
	}
	// Missing in both: ErrNotFound.
	if _, err := st.Load(ctx, "nokeynokeynokey1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing: %v", err)
	}
}

func TestCachedDBSurvivesCacheOutage(t *testing.T) {
	ctx := context.Background()
	st, c, db, logs := newCachedDB(t)
	c.down = true
	r := Record{Key: testKey, Data: NewMap(Item{"k", "v"}), ExpireDate: c.now.Add(time.Hour), ExpiryAge: 3600}
	if _, err := st.Save(ctx, r, true); err != nil {
		t.Fatalf("save with the cache down: %v", err)
	}
	if _, ok := db.rows[testKey]; !ok {
		t.Fatal("row not written")
	}
	m, err := st.Load(ctx, testKey)
	if err != nil {
		t.Fatalf("load with the cache down: %v", err)
	}
	if v, _ := m.Get("k"); v != "v" {
		t.Errorf("got %v", v)
	}
	if ok, err := st.Exists(ctx, testKey); err != nil || !ok {
		t.Errorf("Exists = %v, %v", ok, err)
	}
	if !strings.Contains(logs.String(), "error saving to cache") {
		t.Errorf("outage not logged: %s", logs)
	}
	// Delete must not pretend: the cache may still hold the session.
	if err := st.Delete(ctx, testKey); !errors.Is(err, errCacheDown) {
		t.Errorf("Delete with the cache down: %v", err)
	}
}

// TestCachedDBStaleKeysAfterOutage: a save whose cache update failed
// marks the key stale; the cache comes back holding the older copy (Redis
// restarted from its append-only file); loads read the row, and the first
// operation that finds the cache answering deletes the old copy, so that
// Django too reads the row. A failed cache delete (logout) is repaired
// the same way.
func TestCachedDBStaleKeysAfterOutage(t *testing.T) {
	ctx := context.Background()
	st, c, db, _ := newCachedDB(t)
	ck := CachedDBKeyPrefix + testKey
	old := Record{Key: testKey, Data: NewMap(Item{"v", "old"}), ExpireDate: c.now.Add(time.Hour), ExpiryAge: 3600}
	if _, err := st.Save(ctx, old, true); err != nil {
		t.Fatal(err)
	}
	c.down = true
	for i := 1; i <= 3; i++ {
		r := Record{Key: testKey, Data: NewMap(Item{"v", fmt.Sprint("new", i)}), ExpireDate: c.now.Add(time.Hour), ExpiryAge: 3600}
		if _, err := st.Save(ctx, r, false); err != nil {
			t.Fatal(err)
		}
	}
	if st.StaleKeys() != 1 {
		t.Fatalf("stale keys %d, want 1", st.StaleKeys())
	}
	c.down = false // back, with the old copy
	if _, ok := c.live(ck); !ok {
		t.Fatal("test setup: the old copy should still be cached")
	}
	c.now = c.now.Add(2 * time.Second) // past the repair backoff
	m, err := st.Load(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("v"); v != "new3" {
		t.Fatalf("load after the outage = %v, want the row's new3", v)
	}
	if cm, err := c.Get(ctx, ck); st.StaleKeys() != 0 || (err == nil && fmt.Sprint(cm.Items()) != fmt.Sprint(m.Items())) {
		t.Fatalf("after repair: cache holds %v (%v), %d keys stale; want the row's copy or none", cm, err, st.StaleKeys())
	}
	// The next load refills from the row; Django would read the same.
	m, _ = st.Load(ctx, testKey)
	if v, _ := m.Get("v"); v != "new3" {
		t.Fatalf("refilled = %v", v)
	}
	if cm, err := c.Get(ctx, ck); err != nil || fmt.Sprint(cm.Items()) != fmt.Sprint(m.Items()) {
		t.Fatalf("cache not refilled from the row: %v, %v", cm, err)
	}
	_ = db

	// A logout whose cache delete failed: repaired once the cache answers.
	c.down = true
	if err := st.Delete(ctx, testKey); err == nil {
		t.Fatal("Delete with the cache down must say so")
	}
	c.down = false
	c.now = c.now.Add(2 * time.Second)
	if left := st.RepairCache(ctx); left != 0 {
		t.Fatalf("%d stale keys left", left)
	}
	if _, ok := c.live(ck); ok {
		t.Fatal("a logged-out session is still cached")
	}
}

func TestCachedDBDeleteRemovesBoth(t *testing.T) {
	ctx := context.Background()
	st, c, db, _ := newCachedDB(t)
	r := Record{Key: testKey, Data: NewMap(Item{"k", "v"}), ExpireDate: c.now.Add(time.Hour), ExpiryAge: 3600}
	st.Save(ctx, r, true)
	if err := st.Delete(ctx, testKey); err != nil {
		t.Fatal(err)
	}
	if len(db.rows) != 0 || len(c.entries) != 0 {
		t.Errorf("left rows %d, cache entries %d", len(db.rows), len(c.entries))
	}
	if _, err := st.Load(ctx, testKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
}

func TestCachedDBCorruptCacheEntryFallsBackToRow(t *testing.T) {
	ctx := context.Background()
	st, c, db, _ := newCachedDB(t)
	db.rows[testKey] = Record{Key: testKey, Data: NewMap(Item{"x", "row"}), ExpireDate: c.now.Add(time.Hour)}
	c.entries[CachedDBKeyPrefix+testKey] = memEntry{[]byte("\x80\x05cos\nsystem\n."), c.now.Add(time.Hour)}
	m, err := st.Load(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("x"); v != "row" {
		t.Errorf("got %v", v)
	}
}

func TestNewCachedDBStoreNeedsRecordLoader(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	sc, _ := NewSignedCookieStore(&s)
	if _, err := NewCachedDBStore(newMemCache(), sc, &s); err == nil {
		t.Error("accepted a store without LoadRecord")
	}
}

// The cache engine: add for new sessions, replace-if-present for updates,
// the expiry age as TTL, nothing to clear.
func TestCacheStoreSemantics(t *testing.T) {
	ctx := context.Background()
	c := newMemCache()
	st := NewCacheStore(c)
	r := Record{Key: testKey, Data: NewMap(Item{"a", "b"}), ExpiryAge: 60}
	if _, err := st.Save(ctx, r, false); !errors.Is(err, ErrVanished) {
		t.Errorf("update of nothing: %v", err)
	}
	if _, err := st.Save(ctx, r, true); err != nil {
		t.Fatal(err)
	}
	if ttl := c.ttl(CacheKeyPrefix + testKey); ttl != 60 {
		t.Errorf("TTL %d", ttl)
	}
	if _, err := st.Save(ctx, r, true); !errors.Is(err, ErrExists) {
		t.Errorf("create over existing: %v", err)
	}
	r.ExpiryAge = 0
	if _, err := st.Save(ctx, r, false); err != nil {
		t.Errorf("update with age 0: %v", err)
	}
	if ok, _ := st.Exists(ctx, testKey); ok {
		t.Error("an expiry age of 0 must delete the entry")
	}
	if n, err := st.ClearExpired(ctx); n != -1 || err != nil {
		t.Errorf("ClearExpired = %d, %v", n, err)
	}
}
