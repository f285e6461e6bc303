package memcachestore_test

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/memcachestore"
)

func TestMain(m *testing.M) {
	code := m.Run()
	djangotest.StopAll()
	os.Exit(code)
}

type described struct {
	Key       string `json:"key"`
	Exists    bool   `json:"exists"`
	ExpiryAge int    `json:"expiry_age"`
	Data      map[string]any
}

func prefix(t *testing.T) string {
	return fmt.Sprintf("djbt%d%s", time.Now().UnixNano()%1e9, strings.ReplaceAll(t.Name(), "/", "_"))
}

func settings(rel, backend string, locs []string, pfx string) djangobridge.Settings {
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	s.SessionEngine = "cache"
	s.Cache = djangobridge.CacheSettings{Location: locs, KeyPrefix: pfx, Backend: backend}
	return s
}

// PyMemcacheCache and PyLibMCCache, against real Django on every release:
// sessions both ways in the cache engine; the raw item (flags 1, pickle
// protocol 5) is what each Python client writes; an expiry over 30 days
// (an absolute time for memcached) reads back; logout on one side is seen
// by the other.
func TestLiveMemcachedSessions(t *testing.T) {
	addr := djangotest.MemcachedAddr(t)
	for _, backend := range []string{memcachestore.BackendPyMemcache, memcachestore.BackendPyLibMC} {
		for _, rel := range djangotest.Releases {
			name := backend[strings.LastIndex(backend, ".")+1:]
			t.Run(name+"/"+rel, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				djangotest.DjangoDir(t)
				pfx := prefix(t)
				d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: map[string]any{
					"CACHES": map[string]any{"default": map[string]any{"BACKEND": backend, "LOCATION": addr, "KEY_PREFIX": pfx}},
				}})
				s := settings(rel, backend, []string{addr}, pfx)
				c, err := memcachestore.Open(&s)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				mgr, _ := djangosession.NewManager(&s, c.Store())
				raw := memcache.New(addr)

				var dj described
				d.Do(t, "session_save", map[string]any{"data": map[string]any{"_auth_user_id": "3", "u": "äöü 😀", "n": 1180591620717411303424.0}}, &dj)
				sess := mgr.Open(ctx, dj.Key)
				if err := sess.Load(ctx); err != nil {
					t.Fatal(err)
				}
				if v, _ := sess.GetString("_auth_user_id"); v != "3" || sess.Key() != dj.Key {
					t.Fatalf("Go did not read Django's session: %q", v)
				}
				k, _ := c.Key(djangosession.CacheKeyPrefix + dj.Key)
				it, err := raw.Get(k)
				if err != nil || it.Flags != memcachestore.FlagPickle {
					t.Fatalf("Django's item: %+v %v", it, err)
				}
				// Go writes a session; Django reads it; the bytes are the
				// pickle Python writes for the same dict.
				gs := mgr.Open(ctx, "")
				gs.Set("_auth_user_id", "4")
				gs.Set("u", "äöü 😀")
				if err := gs.SetExpiry(40 * 86400); err != nil {
					t.Fatal(err)
				}
				if err := gs.Save(ctx); err != nil {
					t.Fatal(err)
				}
				var back described
				d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
				if !back.Exists || back.ExpiryAge != 40*86400 {
					t.Fatalf("Django does not see Go's 40-day session: %+v", back)
				}
				gk, _ := c.Key(djangosession.CacheKeyPrefix + gs.Key())
				git, err := raw.Get(gk)
				if err != nil || git.Flags != memcachestore.FlagPickle {
					t.Fatalf("Go's item: %+v %v", git, err)
				}
				var py struct {
					Hex string `json:"hex"`
				}
				d.Do(t, "pickle_dumps", map[string]any{"value": []any{"dict", []any{
					[]any{"_auth_user_id", []any{"str", "4"}}, []any{"u", []any{"str", "äöü 😀"}},
					[]any{"_session_expiry", []any{"int", "3456000"}}}}, "protocol": 5}, &py)
				if hex.EncodeToString(git.Value) != py.Hex {
					t.Errorf("Go's item\n %x\nPython's pickle\n %s", git.Value, py.Hex)
				}
				// Logout on either side.
				d.Do(t, "session_delete", map[string]any{"key": gs.Key()}, nil)
				if _, err := c.Store().Load(ctx, gs.Key()); !errors.Is(err, djangosession.ErrNotFound) {
					t.Errorf("after Django's delete: %v", err)
				}
				if err := sess.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				var gone described
				d.Do(t, "session_load", map[string]any{"key": dj.Key}, &gone)
				if gone.Exists {
					t.Error("Django still sees the session Go flushed")
				}
				// A str stored by Django is not a session; a corrupt pickle is
				// a data error (pymemcache reads it as None).
				d.Do(t, "cache_set", map[string]any{"key": "txt", "value": []any{"str", "hello"}}, nil)
				if _, err := c.Get(ctx, "txt"); !djangosession.IsDataError(err) {
					t.Errorf("str item: %v", err)
				}
				bk, _ := c.Key("bad")
				raw.Set(&memcache.Item{Key: bk, Value: []byte("\x80\x05garbage"), Flags: 1})
				if _, err := c.Get(ctx, "bad"); !djangosession.IsDataError(err) {
					t.Errorf("corrupt pickle: %v", err)
				}
			})
		}
	}
}

// startMemcached starts a private memcached on a free port for the test.
func startMemcached(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	bin, err := exec.LookPath("memcached")
	if err != nil {
		t.Fatalf("memcached is not installed (.ci/run installs it): %v", err)
	}
	args := []string{"-l", "127.0.0.1", "-p", fmt.Sprint(port), "-U", "0", "-m", "16"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "nobody")
	}
	cmd := exec.Command(bin, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for range 100 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("memcached on %s did not start", addr)
	return ""
}

// Two servers, for each backend: the Python client (pymemcache's
// HashClient: rendezvous hashing; pylibmc: libmemcached's modula
// distribution of one-at-a-time) and Go pick the same server for every
// key, so each reads what the other wrote, and the keys are spread.
func TestLiveTwoServers(t *testing.T) {
	djangotest.MemcachedAddr(t) // memcached is installed; this test starts two of its own
	second := startMemcached(t)
	locs := []string{startMemcached(t), second}
	for _, backend := range []string{memcachestore.BackendPyMemcache, memcachestore.BackendPyLibMC} {
		for _, rel := range djangotest.Releases {
			name := backend[strings.LastIndex(backend, ".")+1:]
			t.Run(name+"/"+rel, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				djangotest.DjangoDir(t)
				pfx := prefix(t)
				d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "cache", Extra: map[string]any{
					"CACHES": map[string]any{"default": map[string]any{"BACKEND": backend, "LOCATION": locs, "KEY_PREFIX": pfx}},
				}})
				s := settings(rel, backend, locs, pfx)
				c, err := memcachestore.Open(&s)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				mgr, _ := djangosession.NewManager(&s, c.Store())
				onSecond := 0
				const n = 16
				for i := range n {
					var dj described
					d.Do(t, "session_save", map[string]any{"data": map[string]any{"i": i}}, &dj)
					sess := mgr.Open(ctx, dj.Key)
					if err := sess.Load(ctx); err != nil || sess.Key() != dj.Key {
						t.Fatalf("session %d: Go looked on another server: %v", i, err)
					}
					k, _ := c.Key(djangosession.CacheKeyPrefix + dj.Key)
					if _, err := memcache.New(second).Get(k); err == nil {
						onSecond++
					}
					gs := mgr.Open(ctx, "")
					gs.Set("i", i)
					if err := gs.Save(ctx); err != nil {
						t.Fatal(err)
					}
					var back described
					d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
					if !back.Exists {
						t.Fatalf("session %d: Django looked on another server", i)
					}
				}
				if onSecond == 0 || onSecond == n {
					t.Errorf("%d of %d sessions on the second server: keys are not spread", onSecond, n)
				}
			})
		}
	}
}

// Configuration errors name what is unsupported.
func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		backend string
		locs    []string
		opts    map[string]any
		want    string
	}{
		{memcachestore.BackendPyLibMC, []string{"a:1", "b:2"}, map[string]any{"behaviors": map[string]any{"remove_failed": 1}}, "remove_failed"},
		{memcachestore.BackendPyMemcache, []string{"a:1"}, map[string]any{"serde": "x"}, `"serde"`},
		{memcachestore.BackendPyLibMC, []string{"a:1"}, map[string]any{"behaviors": map[string]any{"hash": "crc"}}, `"hash"`},
		{"django.core.cache.backends.memcached.MemcachedCache", []string{"a:1"}, nil, "MemcachedCache"},
	} {
		s := settings("4.2", tc.backend, tc.locs, "")
		s.Cache.Options = tc.opts
		_, err := memcachestore.Open(&s)
		if !errors.Is(err, memcachestore.ErrUnsupported) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want ErrUnsupported naming %s", tc, err, tc.want)
		}
	}
	s := settings("4.2", memcachestore.BackendPyMemcache, []string{"127.0.0.1:1"}, "")
	c, err := memcachestore.Open(&s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(context.Background(), "k"); err == nil || errors.Is(err, djangosession.ErrNotFound) {
		t.Errorf("memcached down: %v, want an error", err)
	}
	if _, err := c.Key(strings.Repeat("x", 300)); !errors.Is(err, memcachestore.ErrInvalidKey) {
		t.Errorf("long key: %v", err)
	}
}
