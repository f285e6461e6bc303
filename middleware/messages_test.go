package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// messagesApp is the net/http app of the messages scenarios.
func messagesApp(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /add", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		adaptertest.AddMessages(m)
		_, _ = w.Write([]byte("added"))
	})
	mux.HandleFunc("GET /show", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(adaptertest.ShowMessages(m))
	})
	h := mw.Handler(mux)
	return func(r *http.Request) *http.Response {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec.Result()
	}
}

// Flash messages a net/http handler adds are shown by a Django view, and
// the reverse, for the cookie, session and fallback storages on every
// release.
func TestMessagesWithDjango(t *testing.T) { adaptertest.CheckMessagesWithDjango(t, messagesApp) }

func messagesSite(t *testing.T, storage messages.Storage, withMessages bool) (*middleware.Middleware, *djangosession.Manager) {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "messages-test-key"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	o := middleware.Options{Sessions: mgr, SessionsOnly: true}
	if withMessages {
		if o.Messages, err = messages.New(&s, messages.Options{Storage: storage}); err != nil {
			t.Fatal(err)
		}
	}
	mw, err := middleware.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return mw, mgr
}

// The flow stores the messages before the session is saved: with the
// session storage "_messages" is in the saved session; a request that
// never asks for its messages leaves the cookie and session alone; the
// pending messages are the same object for the whole request.
func TestMessagesFlow(t *testing.T) {
	mw, mgr := messagesSite(t, messages.SessionStorage, true)
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			t.Fatal(err)
		}
		m2, _ := middleware.MessagesFromContext(r.Context())
		if m != m2 {
			t.Error("two messages storages in one request")
		}
		m.Success("Saved.")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	var key string
	for _, c := range rec.Result().Cookies() {
		if c.Name == messages.CookieName {
			t.Errorf("session storage set %v", c)
		}
		if c.Name == "sessionid" {
			key = c.Value
		}
	}
	sess := mgr.Open(context.Background(), key)
	if v, _ := sess.GetString(messages.SessionKey); !strings.Contains(v, "Saved.") {
		t.Fatalf("saved session holds _messages %q", v)
	}

	// Untouched: no Set-Cookie at all, even with a messages cookie sent.
	mw, _ = messagesSite(t, messages.FallbackStorage, true)
	rec = httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "messages", Value: "garbage"})
	mw.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(rec, r)
	if sc := rec.Header().Values("Set-Cookie"); len(sc) != 0 {
		t.Errorf("a request that never used its messages set %v", sc)
	}
}

// A bad messages cookie reads as no messages and is deleted (Django marks
// the storage used); the deletion is Django's text.
func TestMessagesBadCookieDeleted(t *testing.T) {
	mw, _ := messagesSite(t, messages.CookieStorage, true)
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/", nil)
	r.AddCookie(&http.Cookie{Name: "messages", Value: "tampered:1abc:xyz"})
	mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, _ := middleware.Messages(r)
		if got := m.Messages(); len(got) != 0 {
			t.Errorf("tampered cookie read as %v", got)
		}
	})).ServeHTTP(rec, r)
	want := `messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax`
	if got := rec.Header().Get("Set-Cookie"); got != want {
		t.Errorf("Set-Cookie %q, want %q", got, want)
	}
}

// Without Options.Messages the helper says how to fix it, and Fail answers
// it as a programming error.
func TestMessagesNotConfigured(t *testing.T) {
	mw, _ := messagesSite(t, messages.CookieStorage, false)
	rec := httptest.NewRecorder()
	mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := middleware.Messages(r)
		if !errors.Is(err, middleware.ErrNoMessages) || !strings.Contains(err.Error(), "Options.Messages") {
			t.Errorf("err = %v", err)
		}
		middleware.Fail(w, r, err)
	})).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 {
		t.Errorf("status %d", rec.Code)
	}
	// Outside the middleware: ErrNoState.
	if _, err := middleware.Messages(httptest.NewRequest("GET", "/", nil)); !errors.Is(err, middleware.ErrNoState) {
		t.Errorf("outside: %v", err)
	}
}

// More than the cookie holds, under FallbackStorage: the handler's 40
// messages go partly to the cookie (with the not-finished sentinel) and
// partly to the session, both written by one answer before the session is
// saved; a Django view shows all 40 in order, and a Go handler shows all
// 40 a Django view added.
func TestMessagesOverflowWithDjango(t *testing.T) {
	djangotest.DjangoDir(t)
	// Random letters: zlib would fit 40 repetitive messages in 2048 bytes.
	rnd := rand.New(rand.NewPCG(1, 2))
	var texts []string
	for i := range 40 {
		b := make([]byte, 90)
		for j := range b {
			b[j] = byte('a' + rnd.IntN(26))
		}
		texts = append(texts, fmt.Sprintf("%02d %s", i, b))
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies",
				Extra: map[string]any{"MIDDLEWARE": []string{
					"django.contrib.sessions.middleware.SessionMiddleware",
					"django.contrib.messages.middleware.MessageMiddleware",
				}}})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionEngine = djangobridge.EngineSignedCookies
			store, _ := djangosession.NewSignedCookieStore(&s)
			mgr, err := djangosession.NewManager(&s, store)
			if err != nil {
				t.Fatal(err)
			}
			f, err := messages.New(&s, messages.Options{})
			if err != nil {
				t.Fatal(err)
			}
			mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true, Messages: f})
			if err != nil {
				t.Fatal(err)
			}
			h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m, err := middleware.Messages(r)
				if err != nil {
					middleware.Fail(w, r, err)
					return
				}
				if r.URL.Path == "/add" {
					for _, x := range texts {
						m.Info(x)
					}
					return
				}
				for _, msg := range m.Messages() {
					fmt.Fprintln(w, msg.Message)
				}
			}))
			type view struct {
				Shown   []struct{ Message string } `json:"shown"`
				Cookies map[string]*string         `json:"cookies"`
			}
			settings := map[string]any{"MESSAGE_STORAGE": "django.contrib.messages.storage.fallback.FallbackStorage"}

			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/add", nil))
			jar := map[string]string{}
			for _, c := range rec.Result().Cookies() {
				jar[c.Name] = c.Value
			}
			if jar["messages"] == "" || jar["sessionid"] == "" {
				t.Fatalf("40 messages did not go to both the cookie and the session: %v", rec.Header().Values("Set-Cookie"))
			}
			var dj view
			d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/show/", "cookies": jar, "settings": settings}, &dj)
			var got []string
			for _, m := range dj.Shown {
				got = append(got, m.Message)
			}
			if !reflect.DeepEqual(got, texts) {
				t.Errorf("Django shows %d of the Go handler's 40 messages: %q", len(got), got)
			}

			var adds [][]any
			for _, x := range texts {
				adds = append(adds, []any{20, x, "", false})
			}
			d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/add/", "add": adds, "settings": settings}, &dj)
			r := httptest.NewRequest("GET", "/show", nil)
			for k, v := range dj.Cookies {
				if v != nil {
					r.AddCookie(&http.Cookie{Name: k, Value: *v})
				}
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := strings.Split(strings.TrimSuffix(rec.Body.String(), "\n"), "\n"); !reflect.DeepEqual(got, texts) {
				t.Errorf("the Go handler shows %d of Django's 40 messages: %q", len(got), got)
			}
		})
	}
}

// The messages cookie takes SESSION_COOKIE_DOMAIN, _SECURE, _HTTPONLY and
// _SAMESITE as Django's CookieStorage does: set and deleted, the Go
// middleware's Set-Cookie text is Django's (the signed value aside) on
// every release.
func TestMessagesCookieAttributesMatchDjango(t *testing.T) {
	djangotest.DjangoDir(t)
	cases := []map[string]any{
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_HTTPONLY": false, "SESSION_COOKIE_SAMESITE": "Strict",
			"SESSION_COOKIE_DOMAIN": ".example.com"},
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_SAMESITE": "None"},
		{"SESSION_COOKIE_SAMESITE": false},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies",
				Extra: map[string]any{"MIDDLEWARE": []string{
					"django.contrib.sessions.middleware.SessionMiddleware",
					"django.contrib.messages.middleware.MessageMiddleware",
				}}})
			for _, dj := range cases {
				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.SessionEngine = djangobridge.EngineSignedCookies
				applyDjango(t, &s, rel, dj)
				store, _ := djangosession.NewSignedCookieStore(&s)
				mgr, err := djangosession.NewManager(&s, store)
				if err != nil {
					t.Fatal(err)
				}
				f, err := messages.New(&s, messages.Options{Storage: messages.CookieStorage})
				if err != nil {
					t.Fatal(err)
				}
				mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true, Messages: f})
				if err != nil {
					t.Fatal(err)
				}
				h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					m, _ := middleware.Messages(r)
					if r.URL.Path == "/add" {
						m.Success("Saved.")
					} else {
						m.Messages()
					}
				}))
				settings := map[string]any{"MESSAGE_STORAGE": "django.contrib.messages.storage.cookie.CookieStorage"}
				for k, v := range dj {
					settings[k] = v
				}
				type view struct {
					SetCookie map[string]string  `json:"set_cookie"`
					Cookies   map[string]*string `json:"cookies"`
				}
				var added, shown view
				d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/add/",
					"add": [][]any{{25, "Saved.", "", false}}, "settings": settings}, &added)
				d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/show/",
					"cookies": map[string]any{"messages": added.Cookies["messages"]}, "settings": settings}, &shown)

				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/add", nil))
				goSet := rec.Header().Get("Set-Cookie")
				if got, want := valueless(goSet), valueless(added.SetCookie["messages"]); got != want {
					t.Errorf("%v: setting the messages cookie:\n Go     %s\n Django %s", dj, got, want)
				}
				r := httptest.NewRequest("GET", "/show", nil)
				r.AddCookie(&http.Cookie{Name: "messages", Value: *added.Cookies["messages"]})
				rec = httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				if got, want := rec.Header().Get("Set-Cookie"), shown.SetCookie["messages"]; got != want {
					t.Errorf("%v: deleting the messages cookie:\n Go     %s\n Django %s", dj, got, want)
				}
			}
		})
	}
}

// valueless is a Set-Cookie text without its value.
func valueless(text string) string {
	nv, attrs, _ := strings.Cut(text, ";")
	name, _, _ := strings.Cut(nv, "=")
	return name + "=<value>;" + attrs
}
