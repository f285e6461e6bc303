package hashers

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
)

// allSet is a Set of every hasher Django 4.2 ships (the most), md5
// preferred so that fake runs are cheap, with the given limits.
func allSet(t testing.TB, l djangobridge.PasswordLimits) *Set {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.Django42
	s.PasswordLimits = l
	s.PasswordHashers = []string{"md5", "pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt_sha256", "bcrypt",
		"scrypt", "sha1", "unsalted_md5", "unsalted_sha1", "crypt"}
	set, err := New(&s)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

const (
	salt22 = "abcdefghijklmnopqrstuv"
	b64_32 = "flhTZtra4zPdZNZFVqws6U6XIYxq0GjaTXkrfL1+eKo="
	b64_16 = "YWJjZGVmZ2hpamtsbW5vcA"
	b64s22 = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg"
	b64_64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
)

// hostile are stored hashes that must give false and the sentinel error,
// at once: parameters over the limits are refused before any work (a
// 10^12-iteration PBKDF2 would take days).
var hostile = []struct {
	encoded string
	want    error
}{
	{"pbkdf2_sha256$", ErrMalformed},
	{"pbkdf2_sha256$1000$" + salt22, ErrMalformed},
	{"pbkdf2_sha256$abc$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$-5$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$0$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$01000$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$+1000$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$ 1000$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$1e6$" + salt22 + "$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$1000$$" + b64_32, ErrMalformed},
	{"pbkdf2_sha256$1000$" + salt22 + "$!!!!" + b64_32[4:], ErrMalformed},
	{"pbkdf2_sha256$1000$" + salt22 + "$" + b64_32[:40], ErrMalformed},
	{"pbkdf2_sha256$1000$" + salt22 + "$" + b64_32 + "$extra", ErrMalformed},
	{"pbkdf2_sha256$1000000000000$" + salt22 + "$" + b64_32, ErrOverLimit},
	{"pbkdf2_sha256$999999999999999999999999999999$" + salt22 + "$" + b64_32, ErrOverLimit},
	{"pbkdf2_sha1$1000000000000$" + salt22 + "$" + b64_32[:28], ErrOverLimit},
	{"argon2$argon2id$v=19$m=1099511627776,t=2,p=8$" + b64s22 + "$" + b64_16, ErrOverLimit},
	{"argon2$argon2id$v=19$m=4194305,t=2,p=8$" + b64s22 + "$" + b64_16, ErrOverLimit},
	{"argon2$argon2id$v=19$m=65536,t=100000,p=8$" + b64s22 + "$" + b64_16, ErrOverLimit},
	{"argon2$argon2id$v=19$m=65536,t=2,p=1000$" + b64s22 + "$" + b64_16, ErrOverLimit},
	{"argon2$argon2id$v=19$m=65536,t=0,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=65536,t=2,p=0$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=1,t=2,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=-1,t=2,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=abc$m=64,t=2,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$t=2,m=64,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=64,t=2,p=8$YWJj$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=64,t=2,p=8$" + b64s22 + "$!!", ErrMalformed},
	{"argon2$argon2id$v=19$m=64,t=2,p=8$" + b64s22 + "=$" + b64_16, ErrMalformed},
	{"argon2$argon2id$v=19$m=64,t=2,p=8$" + b64s22, ErrMalformed},
	{"argon2$argon2x$v=19$m=64,t=2,p=8$" + b64s22 + "$" + b64_16, ErrMalformed},
	{"argon2$", ErrMalformed},
	{"bcrypt_sha256$$2b$31$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG", ErrOverLimit},
	{"bcrypt_sha256$$2b$99$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG", ErrMalformed},
	{"bcrypt_sha256$$2b$03$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG", ErrMalformed},
	{"bcrypt_sha256$$2q$12$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG", ErrMalformed},
	{"bcrypt_sha256$$2b$1a$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG", ErrMalformed},
	{"bcrypt_sha256$$2b$12$abcdefghijklmnopqrst!!Ud/goKkBUYogJntQ7O40LPjFbO9VltG", ErrMalformed},
	{"bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9Vlt", ErrMalformed},
	{"bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltGX", ErrMalformed},
	{"bcrypt_sha256$$2b$12$", ErrMalformed},
	{"bcrypt$", ErrMalformed},
	{"scrypt$1099511627776$" + salt22 + "$8$1$" + b64_64, ErrOverLimit},
	{"scrypt$32768$" + salt22 + "$8$1$" + b64_64, ErrOverLimit}, // beyond OpenSSL's 32 MiB, as in Django
	{"scrypt$16384$" + salt22 + "$8$1000$" + b64_64, ErrOverLimit},
	{"scrypt$16384$" + salt22 + "$1000$1$" + b64_64, ErrOverLimit},
	{"scrypt$3$" + salt22 + "$8$1$" + b64_64, ErrMalformed},
	{"scrypt$1$" + salt22 + "$8$1$" + b64_64, ErrMalformed},
	{"scrypt$16384$" + salt22 + "$0$1$" + b64_64, ErrMalformed},
	{"scrypt$16384$" + salt22 + "$8$-1$" + b64_64, ErrMalformed},
	{"scrypt$16384$" + salt22 + "$8$1$" + b64_64[:80], ErrMalformed},
	{"scrypt$16384$" + salt22 + "$8$1", ErrMalformed},
	{"scrypt$16384$$8$1$" + b64_64, ErrMalformed},
	{"md5$$" + strings.Repeat("0", 33), ErrMalformed},
	{"md5$" + salt22 + "$" + strings.Repeat("G", 32), ErrMalformed},
	{"md5$" + salt22 + "$" + strings.Repeat("A", 32), ErrMalformed},
	{"md5$" + salt22, ErrMalformed},
	{"sha1$" + salt22 + "$" + strings.Repeat("0", 39), ErrMalformed},
	{strings.Repeat("z", 32), ErrMalformed},
	{"md5$$" + strings.Repeat("z", 32), ErrMalformed},
	{"sha1$$" + strings.Repeat("z", 40), ErrMalformed},
	{"crypt$$ab1234567890.", ErrUnsupported},
	{"unknown$1$2$3", ErrUnknownAlgorithm},
	{"", ErrUnknownAlgorithm},
	{"$$$", ErrUnknownAlgorithm},
	{"\x00\x00\x00", ErrUnknownAlgorithm},
	{"pbkdf2_sha256\x00$1000$" + salt22 + "$" + b64_32, ErrUnknownAlgorithm},
	{"default$1$2$3", ErrUnknownAlgorithm},
}

// TestHostileHashes: every malformed or oversized stored hash gives false
// and the matching sentinel error, without doing the work.
func TestHostileHashes(t *testing.T) {
	set := allSet(t, djangobridge.PasswordLimits{})
	ctx := context.Background()
	for _, h := range hostile {
		ok, _, err := set.Check(ctx, "pässword", h.encoded)
		if ok || !errors.Is(err, h.want) {
			t.Errorf("Check(%q) = %v, %v; want false, %v", h.encoded, ok, err, h.want)
		}
	}
}

// TestUnusable: "!"-prefixed passwords never match and are no error;
// MakeUnusable writes "!" and 40 characters, as make_password(None).
func TestUnusable(t *testing.T) {
	set := allSet(t, djangobridge.PasswordLimits{})
	u, err := MakeUnusable()
	if err != nil || len(u) != 41 || u[0] != '!' || IsUsable(u) {
		t.Fatalf("MakeUnusable() = %q, %v", u, err)
	}
	for _, enc := range []string{u, "!", "!pbkdf2_sha256$1000$" + salt22 + "$" + b64_32} {
		if ok, mu, err := set.Check(context.Background(), "pässword", enc); ok || mu || err != nil {
			t.Errorf("Check(%q) = %v, %v, %v; want false, false, nil", enc, ok, mu, err)
		}
		if set.MustUpdate(enc) {
			t.Errorf("MustUpdate(%q) = true", enc)
		}
	}
	if !IsUsable("") || !IsUsable("garbage") {
		t.Error("IsUsable is false for a usable value")
	}
}

// TestIdentify follows identify_hasher: the unsalted forms by length (in
// characters), else the name before the first "$".
func TestIdentify(t *testing.T) {
	set := allSet(t, djangobridge.PasswordLimits{})
	for enc, want := range map[string]string{
		strings.Repeat("a", 32):                    "unsalted_md5",
		strings.Repeat("ä", 32):                    "unsalted_md5", // 32 characters, 64 bytes
		"md5$$" + strings.Repeat("a", 32):          "unsalted_md5",
		"md5$$" + strings.Repeat("a", 31):          "md5",
		"sha1$$" + strings.Repeat("a", 40):         "unsalted_sha1",
		"sha1$$" + strings.Repeat("a", 41):         "sha1",
		"pbkdf2_sha256$anything":                   "pbkdf2_sha256",
		"argon2$argon2id$v=19$m=1,t=1,p=1$x$y":     "argon2",
		"bcrypt$$2b$12$" + strings.Repeat("a", 53): "bcrypt",
	} {
		h, err := set.Identify(enc)
		if err != nil || h.Algorithm() != want {
			t.Errorf("Identify(%q) = %v, %v; want %s", enc, h, err, want)
		}
	}
	// Not configured: unknown, even if the name is a Django hasher.
	only, err := New(&djangobridge.Settings{DjangoVersion: djangobridge.Django52, PasswordHashers: []string{"django.contrib.auth.hashers.PBKDF2PasswordHasher"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := only.Identify("md5$" + salt22 + "$" + strings.Repeat("0", 32)); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("Identify(md5) with only PBKDF2 configured: %v", err)
	}
}

// TestNewRejectsHashersTheReleaseLacks: a name Django's import would fail
// on is an error; dotted paths and names both work.
func TestNewRejectsHashersTheReleaseLacks(t *testing.T) {
	for _, c := range []struct {
		rel, name string
		ok        bool
	}{
		{"5.2", "unsalted_md5", false}, {"5.2", "django.contrib.auth.hashers.SHA1PasswordHasher", false},
		{"5.2", "crypt", false}, {"4.2", "crypt", true}, {"3.2", "scrypt", false}, {"4.2", "scrypt", true},
		{"5.2", "django.contrib.auth.hashers.MD5PasswordHasher", true}, {"5.2", "myapp.hashers.Custom", false},
		{"5.2", "pbkdf2_sha256", true},
	} {
		_, err := New(&djangobridge.Settings{DjangoVersion: djangobridge.MustParseVersion(c.rel), PasswordHashers: []string{c.name}})
		if (err == nil) != c.ok || err != nil && !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Django %s, PASSWORD_HASHERS [%s]: %v", c.rel, c.name, err)
		}
	}
	if _, err := New(&djangobridge.Settings{DjangoVersion: djangobridge.Django52, PasswordHashers: []string{}}); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("empty PASSWORD_HASHERS: %v", err)
	}
}

// counting wraps a hasher and counts the calls the Set makes.
type counting struct {
	Hasher
	encodes, verifies, hardens atomic.Int32
}

func (c *counting) Encode(ctx context.Context, password, salt string) (string, error) {
	c.encodes.Add(1)
	return c.Hasher.Encode(ctx, password, salt)
}

func (c *counting) Verify(ctx context.Context, password, encoded string) (bool, error) {
	c.verifies.Add(1)
	return c.Hasher.Verify(ctx, password, encoded)
}

func (c *counting) HardenRuntime(ctx context.Context, password, encoded string) error {
	c.hardens.Add(1)
	return c.Hasher.HardenRuntime(ctx, password, encoded)
}

// TestFakeRunAndHarden: an unusable password, an unknown algorithm or
// garbage still costs one hash by the preferred hasher (RunDummy, for
// unknown users, too); a wrong password against an outdated hash of the
// preferred algorithm runs harden_runtime, a right one or one of another
// algorithm does not.
func TestFakeRunAndHarden(t *testing.T) {
	ctx := context.Background()
	pref := &counting{Hasher: &PBKDF2Hasher{Iterations: 2000}}
	other := &counting{Hasher: &MD5Hasher{}}
	set, err := NewWithHashers(&djangobridge.Settings{}, pref, other)
	if err != nil {
		t.Fatal(err)
	}
	reset := func() { pref.encodes.Store(0); pref.verifies.Store(0); pref.hardens.Store(0); other.verifies.Store(0) }
	for _, enc := range []string{"!unusable", "", "garbage", "unknown$x$y", "sha1$" + salt22 + "$" + strings.Repeat("0", 40)} {
		reset()
		if ok, _, _ := set.Check(ctx, "pw", enc); ok || pref.encodes.Load() != 1 || pref.verifies.Load() != 0 {
			t.Errorf("Check(%q): ok %v, preferred encodes %d, verifies %d; want false, 1, 0", enc, ok, pref.encodes.Load(), pref.verifies.Load())
		}
	}
	reset()
	if err := set.RunDummy(ctx); err != nil || pref.encodes.Load() != 1 {
		t.Errorf("RunDummy: %v, %d preferred encodes", err, pref.encodes.Load())
	}

	old, _ := (&PBKDF2Hasher{Iterations: 1000}).Encode(ctx, "pw", salt22)
	current, _ := pref.Hasher.Encode(ctx, "pw", salt22)
	md5, _ := other.Hasher.Encode(ctx, "pw", salt22)
	for _, c := range []struct {
		password, encoded string
		ok, mustUpdate    bool
		hardens           int32
	}{
		{"wrong", old, false, true, 1},
		{"pw", old, true, true, 0},
		{"wrong", current, false, false, 0},
		{"pw", current, true, false, 0},
		{"wrong", md5, false, true, 0}, // changed hasher: no hardening, as Django
		{"pw", md5, true, true, 0},
	} {
		reset()
		ok, mu, err := set.Check(ctx, c.password, c.encoded)
		if ok != c.ok || mu != c.mustUpdate || err != nil || pref.hardens.Load() != c.hardens || pref.encodes.Load() != 0 {
			t.Errorf("Check(%q, %q) = %v, %v, %v with %d hardens, %d encodes; want %v, %v, nil, %d, 0",
				c.password, c.encoded, ok, mu, err, pref.hardens.Load(), pref.encodes.Load(), c.ok, c.mustUpdate, c.hardens)
		}
	}
}

// blocking is an expensive hasher whose Verify waits until released.
type blocking struct {
	MD5Hasher
	running, maxRunning atomic.Int32
	release             chan struct{}
	entered             chan struct{}
}

func (b *blocking) Verify(ctx context.Context, password, encoded string) (bool, error) {
	n := b.running.Add(1)
	defer b.running.Add(-1)
	for {
		m := b.maxRunning.Load()
		if n <= m || b.maxRunning.CompareAndSwap(m, n) {
			break
		}
	}
	b.entered <- struct{}{}
	<-b.release
	return b.MD5Hasher.Verify(ctx, password, encoded)
}

// notCheap hides the embedded MD5Hasher's isCheap, so that the Set treats
// the blocking hasher as expensive and puts it through the limiter.
type notCheap struct{ h *blocking }

func (n notCheap) Algorithm() string                { return n.h.Algorithm() }
func (n notCheap) Salt() (string, error)            { return n.h.Salt() }
func (n notCheap) MustUpdate(e string) bool         { return n.h.MustUpdate(e) }
func (n notCheap) Decode(e string) (Decoded, error) { return n.h.Decode(e) }
func (n notCheap) Encode(ctx context.Context, p, s string) (string, error) {
	return n.h.Encode(ctx, p, s)
}
func (n notCheap) Verify(ctx context.Context, p, e string) (bool, error) {
	return n.h.Verify(ctx, p, e)
}
func (n notCheap) HardenRuntime(ctx context.Context, p, e string) error {
	return n.h.HardenRuntime(ctx, p, e)
}

// TestLimiter: no more than PasswordCheckConcurrency expensive hashes run
// at once; a queued Check whose context is cancelled returns at once with
// the context's error.
func TestLimiter(t *testing.T) {
	b := &blocking{release: make(chan struct{}), entered: make(chan struct{}, 100)}
	set, err := NewWithHashers(&djangobridge.Settings{PasswordCheckConcurrency: 2}, notCheap{b})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := b.MD5Hasher.Encode(context.Background(), "pw", salt22)
	var wg sync.WaitGroup
	results := make(chan bool, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, _ := set.Check(context.Background(), "pw", enc)
			results <- ok
		}()
	}
	<-b.entered
	<-b.entered // two are running; the other four queue

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, _, err := set.Check(ctx, "pw", enc); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("queued Check after cancel: %v; want context.Canceled", err)
	}
	close(b.release)
	wg.Wait()
	close(results)
	for ok := range results {
		if !ok {
			t.Error("a queued Check failed")
		}
	}
	if m := b.maxRunning.Load(); m != 2 {
		t.Errorf("max concurrent hashes = %d; want 2", m)
	}
}

// TestCancelPBKDF2: a running PBKDF2 stops when its context ends (100
// million iterations would take tens of seconds).
func TestCancelPBKDF2(t *testing.T) {
	h := &PBKDF2Hasher{Iterations: 100_000_000}
	set, _ := NewWithHashers(&djangobridge.Settings{}, h)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := set.Make(ctx, "pw")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Make with a 20 ms deadline: %v; want DeadlineExceeded", err)
	}
	enc := "pbkdf2_sha256$100000000$" + salt22 + "$" + b64_32
	if ok, _, err := set.Check(ctx, "pw", enc); ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Check with an expired context: %v, %v", ok, err)
	}
}

// TestCancelBcrypt: bcrypt, computed here, checks its context too.
func TestCancelBcrypt(t *testing.T) {
	h := &BcryptHasher{SHA256: true, Rounds: 16}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	salt, _ := h.Salt()
	if _, err := h.Encode(ctx, "pw", salt); !errors.Is(err, context.Canceled) {
		t.Errorf("bcrypt cost 16 cancelled after 10 ms: %v", err)
	}
}

// TestMakeWith: explicit parameters reach the hash, are bounded by the
// limits, and an unknown algorithm is refused.
func TestMakeWith(t *testing.T) {
	ctx := context.Background()
	set := allSet(t, djangobridge.PasswordLimits{MaxPBKDF2Iterations: 5000})
	for _, c := range []struct {
		alg    string
		p      Params
		prefix string
	}{
		{"pbkdf2_sha256", Params{Iterations: 1234, Salt: salt22}, "pbkdf2_sha256$1234$" + salt22 + "$"},
		{"django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher", Params{Iterations: 10}, "pbkdf2_sha1$10$"},
		{"argon2", Params{Variety: "argon2i", TimeCost: 1, MemoryCost: 32, Parallelism: 1}, "argon2$argon2i$v=19$m=32,t=1,p=1$"},
		{"bcrypt_sha256", Params{Rounds: 5}, "bcrypt_sha256$$2b$05$"},
		{"bcrypt", Params{Salt: "$2a$04$abcdefghijklmnopqrstuu"}, "bcrypt$$2a$04$abcdefghijklmnopqrstuu"},
		{"scrypt", Params{N: 64, R: 2, Parallelism: 3}, "scrypt$64$"},
		{"", Params{}, "md5$"},
		{"unsalted_md5", Params{}, ""},
	} {
		enc, err := set.MakeWith(ctx, "pässword", c.alg, c.p)
		if err != nil || !strings.HasPrefix(enc, c.prefix) {
			t.Errorf("MakeWith(%s, %+v) = %q, %v; want prefix %q", c.alg, c.p, enc, err, c.prefix)
			continue
		}
		if ok, _, err := set.Check(ctx, "pässword", enc); !ok || err != nil {
			t.Errorf("Check(MakeWith(%s)) = %v, %v", c.alg, ok, err)
		}
	}
	for _, c := range []struct {
		alg  string
		p    Params
		want error
	}{
		{"pbkdf2_sha256", Params{Iterations: 5001}, ErrOverLimit},
		{"pbkdf2_sha256", Params{Iterations: -1}, ErrMalformed},
		{"pbkdf2_sha256", Params{Salt: "a$b"}, ErrMalformed},
		{"bcrypt", Params{Rounds: 17}, ErrOverLimit},
		{"bcrypt", Params{Rounds: 3}, ErrMalformed},
		{"scrypt", Params{N: 100}, ErrMalformed},
		{"argon2", Params{Variety: "argon2d"}, ErrUnsupported},
		{"md5", Params{Iterations: 5}, ErrUnsupported},
		{"crypt", Params{}, ErrUnsupported},
		{"nope", Params{}, ErrUnknownAlgorithm},
	} {
		if enc, err := set.MakeWith(ctx, "pw", c.alg, c.p); !errors.Is(err, c.want) {
			t.Errorf("MakeWith(%s, %+v) = %q, %v; want %v", c.alg, c.p, enc, err, c.want)
		}
	}
	if _, err := (&BcryptHasher{Before5: true}).Encode(ctx, "a\x00b", "$2b$04$abcdefghijklmnopqrstuu"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("bcrypt < 5 with a NUL byte: %v", err)
	}
}

// TestBcrypt5: the Python bcrypt 5.0 rules (Django 6.1 here; what
// hashpw answered there): NUL bytes hash, over 72 bytes and a
// non-canonical last salt character are refused, as hashpw's ValueError.
func TestBcrypt5(t *testing.T) {
	ctx := context.Background()
	h := &BcryptHasher{Rounds: 4}
	const salt = "$2b$04$abcdefghijklmnopqrstuu"
	if got, err := h.Encode(ctx, "a\x00b", salt); err != nil || got != "bcrypt$$2b$04$abcdefghijklmnopqrstuusjHI0zQHpOe3SFDK1IriYv6N79Gzr32" {
		t.Errorf("NUL byte: %q, %v", got, err)
	}
	if got, err := h.Encode(ctx, "pässword", "$2x$04$abcdefghijklmnopqrstuu"); err != nil || got != "bcrypt$$2x$04$abcdefghijklmnopqrstuum174eFeoTj0DHmtuueFaS3Wde4P7wHG" {
		t.Errorf("$2x$: %q, %v", got, err)
	}
	if _, err := (&BcryptHasher{Before5: true}).Encode(ctx, "pw", "$2x$04$abcdefghijklmnopqrstuu"); !errors.Is(err, ErrMalformed) {
		t.Errorf("bcrypt < 5, $2x$: %v; want ErrMalformed", err)
	}
	if got, err := h.Encode(ctx, strings.Repeat("x", 72), salt); err != nil || got != "bcrypt$$2b$04$abcdefghijklmnopqrstuubzadhGtS2zEF.gu0yd0opP6cVzb.e0i" {
		t.Errorf("72 bytes: %q, %v", got, err)
	}
	for _, n := range []int{73, 100, 4096} {
		if _, err := h.Encode(ctx, strings.Repeat("é", n)[:n], salt); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%d bytes: %v; want ErrUnsupported", n, err)
		}
	}
	const canon = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i < len(canon); i++ {
		c := canon[i]
		_, err := h.Encode(ctx, "pw", salt[:28]+string(c))
		// hashpw accepted only these last characters (bcrypt 5.0).
		if want := strings.IndexByte(".Oeu", c) >= 0; (err == nil) != want {
			t.Errorf("salt ending %q: %v; bcrypt 5 accepts: %v", c, err, want)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Errorf("salt ending %q: %v; want ErrMalformed", c, err)
		}
		if _, err := (&BcryptHasher{Rounds: 4, Before5: true}).Encode(ctx, "pw", salt[:28]+string(c)); err != nil {
			t.Errorf("bcrypt < 5, salt ending %q: %v", c, err)
		}
	}
	// A stored hash with a non-canonical salt: check_password raises with
	// bcrypt 5, is false with bcrypt < 5.
	enc, _ := h.Encode(ctx, "pw", salt)
	bad := enc[:len("bcrypt$")+28] + "v" + enc[len("bcrypt$")+29:]
	if ok, err := h.Verify(ctx, "pw", bad); ok || !errors.Is(err, ErrMalformed) {
		t.Errorf("bcrypt 5: Verify(non-canonical salt) = %v, %v; want false, ErrMalformed", ok, err)
	}
	if ok, err := (&BcryptHasher{Before5: true}).Verify(ctx, "pw", bad); ok || err != nil {
		t.Errorf("bcrypt < 5: Verify(non-canonical salt) = %v, %v; want false, nil", ok, err)
	}
}

// TestBcrypt72Bytes: plain bcrypt sees the first 72 bytes only (as the
// bcrypt module Django uses on Debian 12, 3.2.2); bcrypt_sha256 sees all.
func TestBcrypt72Bytes(t *testing.T) {
	ctx := context.Background()
	long := strings.Repeat("x", 72)
	for _, c := range []struct {
		h    *BcryptHasher
		same bool
	}{{&BcryptHasher{Rounds: 4, Before5: true}, true}, {&BcryptHasher{SHA256: true, Rounds: 4}, false}} {
		enc, err := c.h.Encode(ctx, long+"tail", "$2b$04$abcdefghijklmnopqrstuu")
		if err != nil {
			t.Fatal(err)
		}
		ok, err := c.h.Verify(ctx, long+"other tail", enc)
		if ok != c.same || err != nil {
			t.Errorf("%s: Verify with another tail after 72 bytes = %v, %v; want %v", c.h.Algorithm(), ok, err, c.same)
		}
	}
}
