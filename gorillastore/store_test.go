package gorillastore_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/gorillastore"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func memManager(t *testing.T) (*djangosession.Manager, *djangosession.MemoryStore) {
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	mem := djangosession.NewMemoryStore()
	mgr, err := djangosession.NewManager(&s, mem)
	if err != nil {
		t.Fatal(err)
	}
	return mgr, mem
}

// roundTrip runs one request: f gets the store's session and may save it;
// the response's cookies are returned.
func roundTrip(t *testing.T, store *gorillastore.Store, cookie *http.Cookie, f func(w http.ResponseWriter, r *http.Request)) *http.Response {
	t.Helper()
	r := httptest.NewRequest("GET", "/", nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	f(w, r)
	return w.Result()
}

func sessionCookie(t *testing.T, resp *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "sessionid" {
			return c
		}
	}
	t.Fatalf("no sessionid cookie in %v", resp.Header)
	return nil
}

// A new session is saved as a Django session, its cookie set with the
// settings' attributes, and read back on the next request.
func TestSaveAndGet(t *testing.T) {
	mgr, _ := memManager(t)
	store := gorillastore.New(mgr)
	resp := roundTrip(t, store, nil, func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, "sessionid")
		if err != nil || !sess.IsNew {
			t.Fatalf("Get: %v new %v", err, sess.IsNew)
		}
		sess.Values["name"] = "alice"
		sess.Values["count"] = 3
		sess.Values["ratio"] = 0.5
		sess.Values["tags"] = []string{"a", "b"}
		if err := sess.Save(r, w); err != nil {
			t.Fatal(err)
		}
	})
	c := sessionCookie(t, resp)
	if !djangosession.ValidKey(c.Value) || c.MaxAge != 1209600 || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("cookie %+v", c)
	}
	// Django's view of it: the same data.
	ds := mgr.Open(context.Background(), c.Value)
	if v, _ := ds.GetString("name"); v != "alice" {
		t.Fatalf("Django session name = %q", v)
	}
	roundTrip(t, store, c, func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, "sessionid")
		if err != nil || sess.IsNew || sess.ID != c.Value {
			t.Fatalf("Get: %v new %v id %q", err, sess.IsNew, sess.ID)
		}
		if sess.Values["name"] != "alice" || sess.Values["count"] != int64(3) || sess.Values["ratio"] != 0.5 {
			t.Fatalf("values %#v", sess.Values)
		}
		if tags, _ := sess.Values["tags"].([]any); len(tags) != 2 || tags[0] != "a" {
			t.Fatalf("tags %#v", sess.Values["tags"])
		}
	})
}

// Values that a Django session cannot hold are refused with an error
// naming the key; nothing is saved.
func TestRefusesWhatJSONCannotCarry(t *testing.T) {
	mgr, _ := memManager(t)
	store := gorillastore.New(mgr)
	roundTrip(t, store, nil, func(w http.ResponseWriter, r *http.Request) {
		sess, _ := store.Get(r, "sessionid")
		sess.Values[42] = "x"
		if err := sess.Save(r, w); !errors.Is(err, gorillastore.ErrNonStringKey) {
			t.Fatalf("int key: %v", err)
		}
		delete(sess.Values, 42)
		sess.Values["ch"] = make(chan int)
		err := sess.Save(r, w)
		if !errors.Is(err, djangosession.ErrUnsupportedValue) || !strings.Contains(err.Error(), `"ch"`) {
			t.Fatalf("chan value: %v", err)
		}
		if len(w.Header().Values("Set-Cookie")) != 0 {
			t.Fatal("cookie set for a failed save")
		}
	})
}

// MaxAge < 0 deletes the session record and the cookie.
func TestDelete(t *testing.T) {
	mgr, mem := memManager(t)
	store := gorillastore.New(mgr)
	var key string
	resp := roundTrip(t, store, nil, func(w http.ResponseWriter, r *http.Request) {
		sess, _ := store.Get(r, "sessionid")
		sess.Values["a"] = 1
		_ = sess.Save(r, w)
		key = sess.ID
	})
	c := sessionCookie(t, resp)
	resp = roundTrip(t, store, c, func(w http.ResponseWriter, r *http.Request) {
		sess, _ := store.Get(r, "sessionid")
		sess.Options.MaxAge = -1
		if err := sess.Save(r, w); err != nil {
			t.Fatal(err)
		}
	})
	if d := sessionCookie(t, resp); d.MaxAge >= 0 || d.Value != "" {
		t.Fatalf("deletion cookie %+v", d)
	}
	if ok, _ := mem.Exists(context.Background(), key); ok {
		t.Fatal("record still there")
	}
}

type failingStore struct{ djangosession.Store }

func (failingStore) Load(context.Context, string) (*djangosession.Map, error) {
	return nil, errors.New("database is down")
}

// A store failure is an error, with a usable empty session, never a panic.
func TestStoreFailure(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	mgr, _ := djangosession.NewManager(&s, failingStore{djangosession.NewMemoryStore()})
	store := gorillastore.New(mgr)
	roundTrip(t, store, &http.Cookie{Name: "sessionid", Value: "abcdefgh12345678"}, func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, "sessionid")
		if err == nil || sess == nil || len(sess.Values) != 0 {
			t.Fatalf("Get: %v %v", sess, err)
		}
	})
}

// Both ways with real Django on a shared SQLite database: a session Django
// wrote is read by gorilla code and updated in Django's key order; a
// session gorilla code wrote is read by Django, on every release.
func TestInteropWithDjango(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			db := djangotest.NewDatabase(t, "sqlite")
			dj := djangotest.Start(t, rel, djangotest.Config{DatabaseURL: db.URL, UseTZ: true})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			sqldb, err := sql.Open("sqlite", db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer sqldb.Close()
			st, err := sqlstore.New(sqldb, sqlstore.SQLite, &s)
			if err != nil {
				t.Fatal(err)
			}
			mgr, err := djangosession.NewManager(&s, st)
			if err != nil {
				t.Fatal(err)
			}
			store := gorillastore.New(mgr)

			// Django → gorilla.
			var saved struct {
				Key string `json:"key"`
			}
			dj.Do(t, "session_save", map[string]any{"data": json.RawMessage(
				`{"zeta": 1, "alpha": "x", "_auth_user_id": "7", "nested": {"b": 1, "a": 2}, "big": 12345678901234567890}`,
			)}, &saved)
			c := &http.Cookie{Name: "sessionid", Value: saved.Key}
			roundTrip(t, store, c, func(w http.ResponseWriter, r *http.Request) {
				sess, err := store.Get(r, "sessionid")
				if err != nil || sess.IsNew {
					t.Fatalf("Get: %v new %v", err, sess.IsNew)
				}
				if sess.Values["zeta"] != int64(1) || sess.Values["alpha"] != "x" || sess.Values["_auth_user_id"] != "7" {
					t.Fatalf("values %#v", sess.Values)
				}
				if n, ok := sess.Values["big"].(djangosession.Number); !ok || string(n) != "12345678901234567890" {
					t.Fatalf("big %#v", sess.Values["big"])
				}
				sess.Values["zeta"] = 2
				delete(sess.Values, "alpha")
				sess.Values["new"] = true
				if err := sess.Save(r, w); err != nil {
					t.Fatal(err)
				}
			})
			var loaded struct {
				Exists bool            `json:"exists"`
				Data   json.RawMessage `json:"data"`
			}
			dj.Do(t, "session_load", map[string]any{"key": saved.Key}, &loaded)
			want := `{"zeta": 2, "_auth_user_id": "7", "nested": {"b": 1, "a": 2}, "big": 12345678901234567890, "new": true}`
			if !loaded.Exists || string(loaded.Data) != want {
				t.Fatalf("Django reads %s (exists %v), want %s", loaded.Data, loaded.Exists, want)
			}

			// gorilla → Django.
			resp := roundTrip(t, store, nil, func(w http.ResponseWriter, r *http.Request) {
				sess, _ := store.Get(r, "sessionid")
				sess.Values["cart"] = []any{"apple", 2}
				sess.Values["price"] = 1.0
				if err := sess.Save(r, w); err != nil {
					t.Fatal(err)
				}
			})
			key := sessionCookie(t, resp).Value
			dj.Do(t, "session_load", map[string]any{"key": key}, &loaded)
			if !loaded.Exists || string(loaded.Data) != `{"cart": ["apple", 2], "price": 1.0}` {
				t.Fatalf("Django reads %s (exists %v)", loaded.Data, loaded.Exists)
			}
		})
	}
}

// Deleting the cookie (Options.MaxAge < 0) sends what Django's
// SessionMiddleware sends for a flushed session: delete_cookie adds Secure
// only for SameSite=None, never HttpOnly, whatever SESSION_COOKIE_SECURE and
// _HTTPONLY say. Compared with a real Django response on every release.
func TestDeleteCookieMatchesDjango(t *testing.T) {
	cases := []map[string]any{
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_HTTPONLY": true, "SESSION_COOKIE_SAMESITE": "Lax"},
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_HTTPONLY": false, "SESSION_COOKIE_SAMESITE": "Strict"},
		{"SESSION_COOKIE_SECURE": false, "SESSION_COOKIE_HTTPONLY": true, "SESSION_COOKIE_SAMESITE": "None"},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies"})
			for _, c := range cases {
				var res struct {
					SetCookie []string `json:"set_cookie"`
				}
				dj.Do(t, "session_response", map[string]any{"cookie": "stale", "actions": [][]any{{"flush"}},
					"settings": c}, &res)
				if len(res.SetCookie) != 1 || !strings.Contains(res.SetCookie[0], "Max-Age=0") {
					t.Fatalf("Django did not delete the cookie: %v", res.SetCookie)
				}
				want := res.SetCookie[0]

				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SessionCookieSecure = c["SESSION_COOKIE_SECURE"].(bool)
				s.SessionCookieHTTPOnly = c["SESSION_COOKIE_HTTPONLY"].(bool)
				s.SessionCookieSameSite = c["SESSION_COOKIE_SAMESITE"].(string)
				mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
				if err != nil {
					t.Fatal(err)
				}
				store := gorillastore.New(mgr)
				resp := roundTrip(t, store, &http.Cookie{Name: "sessionid", Value: "stale"}, func(w http.ResponseWriter, r *http.Request) {
					sess, _ := store.Get(r, "sessionid")
					sess.Options.MaxAge = -1
					if err := sess.Save(r, w); err != nil {
						t.Fatal(err)
					}
				})
				d := sessionCookie(t, resp)
				if d.Secure != strings.HasSuffix(want, "; Secure") || d.HttpOnly != strings.Contains(want, "HttpOnly") ||
					d.Path != "/" || d.MaxAge >= 0 || !strings.Contains(want, "SameSite="+c["SESSION_COOKIE_SAMESITE"].(string)) {
					t.Errorf("%v: Go deletes with %s; Django %s", c, resp.Header.Get("Set-Cookie"), want)
				}
			}
		})
	}
}
