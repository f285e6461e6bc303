package djangosession_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// countingStore counts calls, to prove that sessions are lazy.
type countingStore struct {
	djangosession.Store
	mu    sync.Mutex
	loads int
	fail  error
}

func (c *countingStore) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	c.mu.Lock()
	c.loads++
	fail := c.fail
	c.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	return c.Store.Load(ctx, key)
}

func newManager(t *testing.T, mut func(*djangobridge.Settings)) (*djangosession.Manager, *countingStore) {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "session-test"
	if mut != nil {
		mut(&s)
	}
	st := &countingStore{Store: djangosession.NewMemoryStore()}
	m, err := djangosession.NewManager(&s, st)
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

func TestSessionIsLazy(t *testing.T) {
	m, st := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Set("a", 1)
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	key := s.Key()
	if !djangosession.ValidKey(key) || len(key) != 32 {
		t.Fatalf("new key %q", key)
	}
	s2 := m.Open(ctx, key)
	if st.loads != 0 || s2.Loaded() || s2.Accessed() {
		t.Fatal("Open did I/O")
	}
	if s2.Key() != key {
		t.Fatal("Key() changed")
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); s2.GetInt("a") }()
	}
	wg.Wait()
	if st.loads != 1 {
		t.Fatalf("%d loads for one session, want 1", st.loads)
	}
	if v, ok := s2.GetInt("a"); !ok || v != 1 {
		t.Fatalf("a = %v %v", v, ok)
	}
}

func TestInvalidKeysNeverReachTheStore(t *testing.T) {
	m, st := newManager(t, nil)
	for _, k := range []string{"short", "abcdefg", "ABCDEFGHIJKL", "abcdefgh/../../etc", "abcdefgh'; drop table", string(make([]byte, 41)), "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"} {
		s := m.Open(context.Background(), k)
		if s.Key() != "" {
			t.Errorf("key %q accepted", k)
		}
		s.Get("x")
	}
	if st.loads != 0 {
		t.Fatalf("%d loads of invalid keys", st.loads)
	}
}

func TestMissingSessionGetsNewKey(t *testing.T) {
	m, _ := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "abcdefghijklmnopqrstuvwxyz012345")
	if s.Has("x") || s.Key() != "" {
		t.Fatal("a missing session must drop its key, as Django does")
	}
	s.Set("x", "y")
	if err := s.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() == "abcdefghijklmnopqrstuvwxyz012345" || s.Key() == "" {
		t.Fatalf("key %q: a client-chosen key must not be reused", s.Key())
	}
}

func TestCycleKeyAndFlush(t *testing.T) {
	m, _ := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Set("user", "1")
	s.Save(ctx)
	old := s.Key()
	if err := s.CycleKey(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() == old {
		t.Fatal("CycleKey kept the key")
	}
	if ok, _ := m.Store().Exists(ctx, old); ok {
		t.Fatal("old record still exists")
	}
	if v, _ := m.Open(ctx, s.Key()).GetString("user"); v != "1" {
		t.Fatal("data lost in CycleKey")
	}
	cur := s.Key()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Key() != "" || !s.IsEmpty() || s.Has("user") {
		t.Fatal("Flush left data or key")
	}
	if ok, _ := m.Store().Exists(ctx, cur); ok {
		t.Fatal("Flush left the record")
	}
}

func TestUpdateOfVanishedSession(t *testing.T) {
	m, _ := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Set("a", 1)
	s.Save(ctx)
	s2 := m.Open(ctx, s.Key())
	s2.Get("a")
	m.Store().Delete(ctx, s.Key())
	s2.Set("a", 2)
	if err := s2.Save(ctx); !errors.Is(err, djangosession.ErrVanished) {
		t.Fatalf("err %v, want ErrVanished", err)
	}
}

func TestStoreErrorIsNotAnEmptySession(t *testing.T) {
	m, st := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Set("a", 1)
	s.Save(ctx)
	down := errors.New("connection refused")
	st.fail = down
	s2 := m.Open(ctx, s.Key())
	if err := s2.Load(ctx); !errors.Is(err, down) {
		t.Fatalf("Load: %v, want the store's error", err)
	}
	if err := s2.Set("b", 2); !errors.Is(err, down) {
		t.Fatalf("Set on an unloadable session: %v", err)
	}
	st.fail = nil
	if v, ok := s2.GetInt("a"); !ok || v != 1 {
		t.Fatal("a later load after the outage must work")
	}
}

func TestCorruptDataIsEmptyButKeepsKey(t *testing.T) {
	m, st := newManager(t, nil)
	ctx := context.Background()
	s := m.Open(ctx, "")
	s.Save(ctx)
	st.fail = djangosession.ErrBadSignature
	s2 := m.Open(ctx, s.Key())
	if err := s2.Load(ctx); err != nil {
		t.Fatalf("a data error is not a store error: %v", err)
	}
	if !errors.Is(s2.Err(), djangosession.ErrBadSignature) || s2.Key() != s.Key() || len(s2.Keys()) != 0 {
		t.Fatal("corrupt session must be empty, keep its key and report Err")
	}
}

func TestExpiryRules(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 13, 29, 55087000, time.UTC)
	m, _ := newManager(t, nil)
	djangosession.SetManagerNow(m, func() time.Time { return now })
	ctx := context.Background()
	s := m.Open(ctx, "")
	if s.ExpiryAge() != 1209600 || !s.ExpiryDate().Equal(now.Add(1209600*time.Second)) || s.ExpireAtBrowserClose() {
		t.Fatal("defaults")
	}
	s.SetExpiry(300)
	if s.ExpiryAge() != 300 {
		t.Fatal("seconds")
	}
	s.SetExpiry(0)
	if s.ExpiryAge() != 1209600 || !s.ExpireAtBrowserClose() {
		t.Fatal("0 = browser close, age falls back to SESSION_COOKIE_AGE")
	}
	at := now.Add(90*time.Minute + 500*time.Millisecond)
	if err := s.SetExpiryAt(at); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.GetString(djangosession.KeyExpiry); v != "2026-11-22T04:43:29.555087+00:00" {
		t.Fatalf("ISO text %q, want Python's isoformat", v)
	}
	if s.ExpiryAge() != 5400 || !s.ExpiryDate().Equal(at.Truncate(time.Microsecond)) {
		t.Fatalf("age %d date %v", s.ExpiryAge(), s.ExpiryDate())
	}
	s.SetExpiryAt(now.Add(-1500 * time.Millisecond))
	if s.ExpiryAge() != -2 {
		t.Fatalf("past expiry age %d, want -2 (timedelta floors)", s.ExpiryAge())
	}
	s.ClearExpiry()
	if s.Has(djangosession.KeyExpiry) {
		t.Fatal("ClearExpiry")
	}
	m32, _ := newManager(t, func(st *djangobridge.Settings) { st.DjangoVersion = djangobridge.Django32 })
	if err := m32.Open(ctx, "").SetExpiryAt(at); !errors.Is(err, djangosession.ErrUnsupportedValue) {
		t.Fatal("Django 3.2 cannot store a datetime expiry in JSON")
	}
	mb, _ := newManager(t, func(st *djangobridge.Settings) { st.SessionExpireAtBrowserClose = true })
	if !mb.Open(ctx, "").ExpireAtBrowserClose() {
		t.Fatal("SESSION_EXPIRE_AT_BROWSER_CLOSE")
	}
}

func TestSetNormalizesGoValues(t *testing.T) {
	m, _ := newManager(t, nil)
	s := m.Open(context.Background(), "")
	type point struct {
		Y int `json:"y"`
		X int `json:"x"`
	}
	for _, tc := range []struct {
		v    any
		want string
	}{
		{1.0, `1.0`}, {int64(1) << 62, `4611686018427387904`}, {map[string]int{"b": 1, "a": 2}, `{"a":2,"b":1}`},
		{point{1, 2}, `{"y":1,"x":2}`}, {[]string{"<a>"}, `["<a>"]`}, {nil, `null`}, {uint8(7), `7`},
	} {
		if err := s.Set("k", tc.v); err != nil {
			t.Fatal(err)
		}
		v, _ := s.Get("k")
		b, _ := djangosession.AppendJSON(nil, v)
		if string(b) != tc.want {
			t.Errorf("%#v stored as %s, want %s", tc.v, b, tc.want)
		}
	}
	for _, bad := range []any{make(chan int), func() {}, []byte("x"), time.Now()} {
		if err := s.Set("k", bad); !errors.Is(err, djangosession.ErrUnsupportedValue) {
			t.Errorf("%T: %v", bad, err)
		}
	}
}

// TestNaiveExpiryIsInTimeZone: Django 3.2 cache sessions of a USE_TZ=False
// site hold a naive datetime expiry, meaning TIME_ZONE's wall clock.
func TestNaiveExpiryIsInTimeZone(t *testing.T) {
	m, _ := newManager(t, func(s *djangobridge.Settings) { s.UseTZ = false; s.TimeZone = "Europe/Paris" })
	paris, _ := time.LoadLocation("Europe/Paris")
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, paris)
	djangosession.SetManagerNow(m, func() time.Time { return now })
	naive := djangosession.NaiveDatetime(time.Date(2026, 11, 22, 13, 0, 0, 0, time.UTC)) // 13:00 Paris wall clock
	data := djangosession.NewMap(djangosession.Item{Key: djangosession.KeyExpiry, Value: naive})
	st := djangosession.NewMemoryStore()
	st.Save(context.Background(), djangosession.Record{Key: "abcdefgh12345678", Data: data, ExpireDate: time.Now().Add(time.Hour)}, true)
	m2, _ := djangosession.NewManager(m.Settings(), st)
	djangosession.SetManagerNow(m2, func() time.Time { return now })
	if age := m2.Open(context.Background(), "abcdefgh12345678").ExpiryAge(); age != 3600 {
		t.Fatalf("age %d, want 3600", age)
	}
}

// An expiry beyond what a time.Duration holds: ExpiryAge is the number as
// stored (Django returns it as it is), and the expiry date saturates in the
// far future instead of wrapping into the past.
func TestHugeExpiry(t *testing.T) {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.SecretKey = "k"
	m, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{int64(10000000000), 1e10, -1e10} {
		sess := m.Open(context.Background(), "")
		if err := sess.Set(djangosession.KeyExpiry, v); err != nil {
			t.Fatal(err)
		}
		want := int(1e10)
		if f, ok := v.(float64); ok && f < 0 {
			want = -want
		}
		if got := sess.ExpiryAge(); got != want {
			t.Errorf("%v: ExpiryAge %d, want %d", v, got, want)
		}
		d := sess.ExpiryDate()
		if want > 0 && d.Before(time.Now().AddDate(250, 0, 0)) || want < 0 && d.After(time.Now().AddDate(-250, 0, 0)) {
			t.Errorf("%v: ExpiryDate %v", v, d)
		}
	}
}
