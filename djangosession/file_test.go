package djangosession

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
)

func newFileStore(t *testing.T) (*FileStore, string) {
	t.Helper()
	dir := t.TempDir()
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.SessionFilePath = dir
	s.SessionCookieAge = 3600
	st, err := NewFileStore(&s)
	if err != nil {
		t.Fatal(err)
	}
	return st, dir
}

func TestFileStoreWritesOneFilePerSession(t *testing.T) {
	ctx := context.Background()
	st, dir := newFileStore(t)
	data := NewMap(Item{"a", Number("1")}, Item{"ü", "ß"})
	if _, err := st.Save(ctx, Record{Key: testKey, Data: data}, true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "sessionid"+testKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b {
		if c >= 0x80 || c == '\n' {
			t.Fatalf("file content is not one ASCII line: %q", b)
		}
	}
	got, err := st.codec.Decode(string(b))
	if err != nil || got.Len() != 2 {
		t.Fatalf("content %q does not decode: %v", b, err)
	}
	m, err := st.Load(ctx, testKey)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("ü"); v != "ß" {
		t.Errorf("loaded %v", v)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if ok, _ := st.Exists(ctx, testKey); !ok {
		t.Error("Exists = false")
	}
}

func TestFileStoreCreateAndUpdateRules(t *testing.T) {
	ctx := context.Background()
	st, dir := newFileStore(t)
	r := Record{Key: testKey, Data: &Map{}}
	if _, err := st.Save(ctx, r, false); !errors.Is(err, ErrVanished) {
		t.Errorf("update of a missing file: %v, want ErrVanished", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sessionid"+testKey)); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed update created the file")
	}
	if _, err := st.Save(ctx, r, true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Save(ctx, r, true); !errors.Is(err, ErrExists) {
		t.Errorf("create over an existing file: %v, want ErrExists", err)
	}
	if _, err := st.Save(ctx, r, false); err != nil {
		t.Errorf("update: %v", err)
	}
	if err := st.Delete(ctx, testKey); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, testKey); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if _, err := st.Load(ctx, testKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("load after delete: %v", err)
	}
}

func TestFileStoreRefusesKeysOutsideTheAlphabet(t *testing.T) {
	ctx := context.Background()
	st, _ := newFileStore(t)
	for _, k := range []string{"../../etc/passwd", "ABCDEFGHIJKL", "abcdefgh/ijk", "abc", "abcdefgh\x00ijk", "abcdefgh.ijkl"} {
		if _, err := st.Load(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Load(%q): %v", k, err)
		}
		if _, err := st.Save(ctx, Record{Key: k, Data: &Map{}}, true); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Save(%q): %v", k, err)
		}
		if err := st.Delete(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q): %v", k, err)
		}
		if _, err := st.Exists(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Exists(%q): %v", k, err)
		}
	}
}

// Expiry: _session_expiry if truthy, else mtime + SESSION_COOKIE_AGE; an
// expired file is removed when read.
func TestFileStoreExpiry(t *testing.T) {
	ctx := context.Background()
	st, dir := newFileStore(t)
	now := time.Now()
	st.now = func() time.Time { return now }
	write := func(key string, data *Map, mtime time.Time) string {
		t.Helper()
		if _, err := st.Save(ctx, Record{Key: key, Data: data}, true); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "sessionid"+key)
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	old := now.Add(-3601 * time.Second)
	cases := []struct {
		name    string
		data    *Map
		mtime   time.Time
		expired bool
	}{
		{"fresh", &Map{}, now.Add(-10 * time.Second), false},
		{"mtime plus age past", &Map{}, old, true},
		{"mtime plus age just live", &Map{}, now.Add(-3599 * time.Second), false},
		// An int expiry is an age, returned as is: never "expired" by the
		// file engine's check (Django's behaviour).
		{"int expiry", NewMap(Item{KeyExpiry, Number("60")}), old, false},
		// 0 is falsy: the mtime rule applies.
		{"zero expiry", NewMap(Item{KeyExpiry, Number("0")}), old, true},
		{"iso expiry past", NewMap(Item{KeyExpiry, formatISO(now.Add(-time.Second).UTC(), true)}), now, true},
		{"iso expiry future", NewMap(Item{KeyExpiry, formatISO(now.Add(time.Hour).UTC(), true)}), old, false},
	}
	for i, c := range cases {
		key := strings.Repeat(string(rune('a'+i)), 32)
		p := write(key, c.data, c.mtime)
		_, err := st.Load(ctx, key)
		_, statErr := os.Stat(p)
		if c.expired {
			if !errors.Is(err, ErrNotFound) || !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("%s: Load = %v, file stat %v; want ErrNotFound and the file gone", c.name, err, statErr)
			}
		} else if err != nil || statErr != nil {
			t.Errorf("%s: Load = %v, stat %v", c.name, err, statErr)
		}
	}
}

func TestFileStorePlaceholderAndCorruptFiles(t *testing.T) {
	ctx := context.Background()
	st, dir := newFileStore(t)
	// The empty file a must-create leaves before its rename is an empty session.
	p := filepath.Join(dir, "sessionid"+testKey)
	os.WriteFile(p, nil, 0o600)
	m, err := st.Load(ctx, testKey)
	if err != nil || m.Len() != 0 {
		t.Errorf("empty file: %v, %v", m, err)
	}
	// Tampered content is a data error; the file stays (Django keeps it).
	os.WriteFile(p, []byte("garbage:1r31eq:bad"), 0o600)
	if _, err := st.Load(ctx, testKey); !IsDataError(err) {
		t.Errorf("corrupt file: %v", err)
	}
	// ... unless it has expired by its mtime, then it is removed.
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(p, old, old)
	if _, err := st.Load(ctx, testKey); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired corrupt file: %v", err)
	}
}

func TestFileStoreClearExpired(t *testing.T) {
	ctx := context.Background()
	st, dir := newFileStore(t)
	old := time.Now().Add(-2 * time.Hour)
	for i, expired := range []bool{true, false, true} {
		key := strings.Repeat(string(rune('a'+i)), 32)
		st.Save(ctx, Record{Key: key, Data: &Map{}}, true)
		if expired {
			os.Chtimes(filepath.Join(dir, "sessionid"+key), old, old)
		}
	}
	// Files that are not sessions are left alone, even when old.
	for _, name := range []string{"sessionid" + testKey + "_out_123", "other", "sessionidBAD"} {
		os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600)
		os.Chtimes(filepath.Join(dir, name), old, old)
	}
	n, err := st.ClearExpired(ctx)
	if err != nil || n != 2 {
		t.Fatalf("ClearExpired = %d, %v; want 2", n, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Errorf("left %d files, want 4", len(entries))
	}
}

func TestNewFileStoreNeedsADirectory(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	s.SessionFilePath = filepath.Join(t.TempDir(), "missing")
	if _, err := NewFileStore(&s); err == nil {
		t.Error("accepted a missing directory")
	}
	s.SessionFilePath = ""
	st, err := NewFileStore(&s)
	if err != nil || st.Dir() != os.TempDir() {
		t.Errorf("default directory: %v, %v", st, err)
	}
}
