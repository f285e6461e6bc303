package djangosession_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// engineCases are session values both sides must carry exactly.
var engineCases = []string{
	`{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2"}`,
	`{"unicode":"\u00e4\u00f6\u00fc \u00df \u6f22\u5b57 \ud83d\ude00 \u2028","nested":{"items":[1,{"nothing":null,"flag":true}],"empty":{}}}`,
	`{"bigint":1180591620717411303424,"neg":-98765432109876543210987654321,"f":0.1,"whole":1.0,"expo":1e+16,"small":1.5e-07}`,
}

// engineJSON is m as Django's JSONSerializer writes it.
func engineJSON(t *testing.T, m *djangosession.Map) string {
	t.Helper()
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func engineMap(t *testing.T, js string) *djangosession.Map {
	t.Helper()
	var m djangosession.Map
	if err := m.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return &m
}

type engineSession struct {
	Key       string          `json:"key"`
	Data      json.RawMessage `json:"data"`
	ExpiryAge int             `json:"expiry_age"`
	Exists    bool            `json:"exists"`
}

// The file engine against real Django on each release: both directions,
// the same file names and content, expiry by modification time and by
// _session_expiry, clearsessions, logout.
func TestLiveFileEngine(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			djangotest.DjangoDir(t)
			ctx := context.Background()
			dir := t.TempDir()
			d := djangotest.Start(t, rel, djangotest.Config{
				SessionEngine:   "file",
				SessionFilePath: dir,
				Extra:           map[string]any{"SESSION_COOKIE_AGE": 3600},
			})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.UseTZ, s.TimeZone = false, "UTC"
			s.SessionFilePath = dir
			s.SessionCookieAge = 3600
			st, err := djangosession.NewFileStore(&s)
			if err != nil {
				t.Fatal(err)
			}
			mgr, err := djangosession.NewManager(&s, st)
			if err != nil {
				t.Fatal(err)
			}
			for _, js := range engineCases {
				// Django writes, Go reads.
				var dj engineSession
				d.Do(t, "session_save", map[string]any{"data": json.RawMessage(js)}, &dj)
				var raw struct {
					Path    string  `json:"path"`
					Content *string `json:"content"`
				}
				d.Do(t, "session_raw_file", map[string]any{"key": dj.Key}, &raw)
				if raw.Path != filepath.Join(dir, "sessionid"+dj.Key) || raw.Content == nil {
					t.Fatalf("Django's file %+v", raw)
				}
				sess := mgr.Open(ctx, dj.Key)
				if g := engineJSON(t, sess.Data()); g != js {
					t.Errorf("Go read Django's file as %s, want %s", g, js)
				}
				if sess.Key() != dj.Key {
					t.Fatal("Go dropped Django's session")
				}
				// Go writes, Django reads.
				gs := mgr.Open(ctx, "")
				for _, it := range engineMap(t, js).Items() {
					if err := gs.Set(it.Key, it.Value); err != nil {
						t.Fatal(err)
					}
				}
				if err := gs.Save(ctx); err != nil {
					t.Fatal(err)
				}
				var back engineSession
				d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &back)
				if !back.Exists {
					t.Fatal("Django does not see Go's file")
				}
				if g := engineJSON(t, engineMap(t, string(back.Data))); g != js {
					t.Errorf("Django read Go's file as %s, want %s", g, js)
				}
				// Go logs out: Django sees no session.
				if err := gs.Flush(ctx); err != nil {
					t.Fatal(err)
				}
				var gone engineSession
				d.Do(t, "session_load", map[string]any{"key": back.Key}, &gone)
				if gone.Exists {
					t.Error("Django still sees the session Go flushed")
				}
			}

			age := func(key string, by time.Duration) {
				t.Helper()
				p := filepath.Join(dir, "sessionid"+key)
				old := time.Now().Add(-by)
				if err := os.Chtimes(p, old, old); err != nil {
					t.Fatal(err)
				}
			}
			// Expired by mtime + SESSION_COOKIE_AGE, in both directions.
			var dj engineSession
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"x": 1}}, &dj)
			age(dj.Key, 3601*time.Second)
			if _, err := st.Load(ctx, dj.Key); !errors.Is(err, djangosession.ErrNotFound) {
				t.Errorf("Django's aged file: %v, want ErrNotFound", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "sessionid"+dj.Key)); !os.IsNotExist(err) {
				t.Error("Go did not remove the expired file")
			}
			gs := mgr.Open(ctx, "")
			gs.Set("x", 1)
			gs.Save(ctx)
			age(gs.Key(), 3601*time.Second)
			var exp engineSession
			d.Do(t, "session_load", map[string]any{"key": gs.Key()}, &exp)
			if exp.Exists {
				t.Error("Django still reads Go's aged file")
			}
			// Still live at 3500 s: both agree it is live.
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"x": 2}}, &dj)
			age(dj.Key, 3500*time.Second)
			if _, err := st.Load(ctx, dj.Key); err != nil {
				t.Errorf("live aged file: %v", err)
			}
			// Expired by _session_expiry (4.2+ stores a datetime as text).
			if rel != "3.2" {
				var e engineSession
				d.Do(t, "session_save", map[string]any{"data": map[string]any{"x": 3},
					"expiry_at": time.Now().UTC().Add(time.Second).Format("2006-01-02T15:04:05.000000")}, &e)
				time.Sleep(1100 * time.Millisecond)
				if _, err := st.Load(ctx, e.Key); !errors.Is(err, djangosession.ErrNotFound) {
					t.Errorf("session past its _session_expiry: %v", err)
				}
			}
			// clearsessions: Go clears Django's expired files and Django Go's.
			var a, b engineSession
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"y": 1}}, &a)
			d.Do(t, "session_save", map[string]any{"data": map[string]any{"y": 2}}, &b)
			age(a.Key, 2*time.Hour)
			n, err := st.ClearExpired(ctx)
			if err != nil || n < 1 {
				t.Errorf("ClearExpired = %d, %v", n, err)
			}
			if ok, _ := st.Exists(ctx, a.Key); ok {
				t.Error("expired file left")
			}
			if ok, _ := st.Exists(ctx, b.Key); !ok {
				t.Error("live file removed")
			}
			g2 := mgr.Open(ctx, "")
			g2.Set("z", 1)
			g2.Save(ctx)
			age(g2.Key(), 2*time.Hour)
			d.Do(t, "clear_sessions", nil, nil)
			if ok, _ := st.Exists(ctx, g2.Key()); ok {
				t.Error("Django's clearsessions left Go's expired file")
			}
		})
	}
}

// Django 3.2 and 4.2 sites with SESSION_SERIALIZER = PickleSerializer: Go
// reads what they encode when Settings.SessionSerializer is "pickle".
func TestLiveLegacyPickleSerializer(t *testing.T) {
	for _, rel := range []string{"3.2", "4.2"} {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SessionSerializer: "pickle"})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionSerializer = "pickle"
			c, err := djangosession.NewCodec(&s)
			if err != nil {
				t.Fatal(err)
			}
			for _, js := range engineCases {
				var enc struct {
					Value string `json:"value"`
				}
				d.Do(t, "session_encode", map[string]any{"data": json.RawMessage(js)}, &enc)
				m, err := c.Decode(enc.Value)
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if g := engineJSON(t, m); g != js {
					t.Errorf("Go read the pickled session as %s, want %s", g, js)
				}
			}
		})
	}
}
