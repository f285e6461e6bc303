package messages_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/messages"
)

func TestMain(m *testing.M) {
	code := m.Run()
	djangotest.StopAll()
	os.Exit(code)
}

var storagePaths = map[messages.Storage]string{
	messages.CookieStorage:   "django.contrib.messages.storage.cookie.CookieStorage",
	messages.SessionStorage:  "django.contrib.messages.storage.session.SessionStorage",
	messages.FallbackStorage: "django.contrib.messages.storage.fallback.FallbackStorage",
}

var storageNames = map[messages.Storage]string{messages.CookieStorage: "cookie", messages.SessionStorage: "session", messages.FallbackStorage: "fallback"}

type shown struct {
	Level     int     `json:"level"`
	Message   string  `json:"message"`
	ExtraTags *string `json:"extra_tags"`
	Tags      string  `json:"tags"`
	Safe      bool    `json:"safe"`
}

type djResult struct {
	Shown  []shown `json:"shown"`
	Cookie *struct {
		Value    string `json:"value"`
		Deleted  bool   `json:"deleted"`
		SameSite string `json:"samesite"`
		HTTPOnly bool   `json:"httponly"`
		Path     string `json:"path"`
	} `json:"cookie"`
	SessionKey      string  `json:"session_key"`
	SessionMessages *string `json:"session_messages"`
	Unstored        int     `json:"unstored"`
}

type env struct {
	d    *djangotest.Django
	s    djangobridge.Settings
	f    *messages.Framework
	mgr  *djangosession.Manager
	tags map[messages.Level]string
}

func setup(t *testing.T, rel string, st messages.Storage) *env {
	t.Helper()
	djangotest.DjangoDir(t)
	tags := map[messages.Level]string{messages.Error: "danger", 35: "notice"}
	d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies", Extra: map[string]any{
		"MESSAGE_STORAGE": storagePaths[st],
		"MESSAGE_TAGS":    map[string]any{"40": "danger", "35": "notice"},
	}})
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	s.SessionEngine = djangobridge.EngineSignedCookies
	f, err := messages.New(&s, messages.Options{Storage: st, Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	store, err := djangosession.NewSignedCookieStore(&s)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := djangosession.NewManager(&s, store)
	if err != nil {
		t.Fatal(err)
	}
	return &env{d: d, s: s, f: f, mgr: mgr, tags: tags}
}

// add is one message added through messages.add_message.
type add struct {
	level int
	text  string
	extra string
	safe  bool
}

func (a add) py() []any { return []any{a.level, a.text, a.extra, a.safe} }

func pyAdds(as []add) [][]any {
	out := [][]any{}
	for _, a := range as {
		out = append(out, a.py())
	}
	return out
}

// goRequest runs one Go request: adds, then Update; it returns the cookie
// value ("" when deleted or unchanged) and the session key after saving.
func (e *env) goRequest(t *testing.T, cookie, sessionKey string, adds []add, iterate bool) ([]messages.Message, string, string, *messages.Request) {
	t.Helper()
	ctx := context.Background()
	sess := e.mgr.Open(ctx, sessionKey)
	r := e.f.Open(cookie, sess)
	for _, a := range adds {
		r.Add(messages.Level(a.level), a.text, a.extra)
	}
	var got []messages.Message
	if iterate {
		got = r.Messages()
	}
	c, _, err := r.Update(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sess.Modified() {
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
	}
	val := cookie
	if c != nil {
		val = c.Value
		if c.MaxAge < 0 {
			val = ""
		}
	}
	return got, val, sess.Key(), r
}

var sample = []add{
	{20, "Saved.", "", false},
	{30, "Careful: äöü 漢字 😀 \"quoted\" <b>", "important sticky", false},
	{40, "Failed", "", false},
	{35, "A custom level", "x", false},
	{10, "debug is below MESSAGE_LEVEL", "", false},
	{25, "", "", false}, // empty: ignored
}

// A message added in Go is shown by Django, and the reverse, for the
// cookie, session and fallback storages on every release: levels, text,
// extra_tags, tags (MESSAGE_TAGS), the cookie's attributes; showing
// consumes them on both sides.
func TestLiveMessagesBothWays(t *testing.T) {
	for _, rel := range djangotest.Releases {
		for _, st := range []messages.Storage{messages.CookieStorage, messages.SessionStorage, messages.FallbackStorage} {
			t.Run(rel+"/"+storageNames[st], func(t *testing.T) {
				t.Parallel()
				e := setup(t, rel, st)
				// Go adds; Django shows.
				_, ck, sk, _ := e.goRequest(t, "", "", sample, false)
				if st == messages.SessionStorage && ck != "" {
					t.Errorf("session storage set a cookie")
				}
				var dj djResult
				e.d.Do(t, "messages_request", map[string]any{"cookie": ck, "session_key": nilIfEmpty(sk), "iterate": true}, &dj)
				want := []shown{}
				for _, a := range sample[:4] {
					want = append(want, e.expect(rel, a, true))
				}
				if !reflect.DeepEqual(dj.Shown, want) {
					t.Errorf("Django shows Go's messages as\n %+v\nwant\n %+v", dj.Shown, want)
				}
				if st != messages.SessionStorage && (dj.Cookie == nil || !dj.Cookie.Deleted) {
					t.Errorf("Django did not delete the shown cookie: %+v", dj.Cookie)
				}
				if st != messages.CookieStorage && dj.SessionMessages != nil {
					t.Errorf("Django left _messages in the session: %v", *dj.SessionMessages)
				}

				// Django adds (one safe message); Go shows.
				dadds := append(append([]add{}, sample...), add{25, "<i>safe</i>", "", true})
				var da djResult
				e.d.Do(t, "messages_request", map[string]any{"add": pyAdds(dadds)}, &da)
				dck := ""
				if da.Cookie != nil && !da.Cookie.Deleted {
					dck = da.Cookie.Value
					if da.Cookie.Path != "/" || da.Cookie.SameSite != "Lax" || da.Cookie.HTTPOnly != true {
						t.Errorf("Django's cookie attributes %+v", da.Cookie)
					}
				}
				got, ck2, sk2, r := e.goRequest(t, dck, da.SessionKey, nil, true)
				if err := r.Err(); err != nil {
					t.Fatalf("Go reading Django's messages: %v", err)
				}
				var gotShown []shown
				for _, m := range got {
					gotShown = append(gotShown, e.describe(m))
				}
				want = nil
				for _, a := range dadds {
					if a.text != "" && a.level >= 20 {
						want = append(want, e.expect(rel, a, false))
					}
				}
				if !reflect.DeepEqual(gotShown, want) {
					t.Errorf("Go shows Django's messages as\n %+v\nwant\n %+v", gotShown, want)
				}
				if ck2 != "" {
					t.Errorf("Go kept the cookie after showing: %q", ck2)
				}
				// What Go left is empty for Django too.
				var after djResult
				e.d.Do(t, "messages_request", map[string]any{"cookie": ck2, "session_key": nilIfEmpty(sk2), "iterate": true}, &after)
				if len(after.Shown) != 0 {
					t.Errorf("Django still shows %+v after Go showed them", after.Shown)
				}

				// The session string Go writes is Django's byte for byte.
				if st == messages.SessionStorage {
					_, _, gsk, _ := e.goRequest(t, "", "", sample, false)
					gs := e.mgr.Open(context.Background(), gsk)
					goStr, _ := gs.GetString(messages.SessionKey)
					var ds djResult
					e.d.Do(t, "messages_request", map[string]any{"add": pyAdds(sample)}, &ds)
					if ds.SessionMessages == nil || *ds.SessionMessages != goStr {
						t.Errorf("session _messages:\nGo     %s\nDjango %v", goStr, deref(ds.SessionMessages))
					}
				}
			})
		}
	}
}

// expect is what Django shows for a message added with add_message:
// extra_tags comes back "" where the release keeps it, None before 4.1
// ("" was dropped), and None for Go's reading of a Django message without
// it, as Django reads it.
func (e *env) expect(rel string, a add, goAdded bool) shown {
	var extra *string
	keepsEmpty := rel != "3.2"
	if a.extra != "" || keepsEmpty {
		x := a.extra
		extra = &x
	}
	m := messages.Message{Level: messages.Level(a.level), Message: a.text, ExtraTags: a.extra, Safe: a.safe}
	return shown{Level: a.level, Message: a.text, ExtraTags: extra, Tags: e.f.Tags(m), Safe: a.safe}
}

func (e *env) describe(m messages.Message) shown {
	var extra *string
	if !m.NoExtraTags {
		x := m.ExtraTags
		extra = &x
	}
	return shown{Level: int(m.Level), Message: m.Message, ExtraTags: extra, Tags: e.f.Tags(m), Safe: m.Safe}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func randomText(r *rand.Rand, n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// Overflow: more than fits in 2048 bytes. CookieStorage drops the oldest
// and ends the list with the sentinel; FallbackStorage keeps the oldest in
// the cookie (with the sentinel) and the rest in the session; both sides
// make the same choice, and each reads the other's in order.
func TestLiveMessagesOverflow(t *testing.T) {
	for _, rel := range djangotest.Releases {
		for _, st := range []messages.Storage{messages.CookieStorage, messages.FallbackStorage} {
			t.Run(rel+"/"+storageNames[st], func(t *testing.T) {
				t.Parallel()
				e := setup(t, rel, st)
				rnd := rand.New(rand.NewPCG(1, 2))
				var adds []add
				for i := range 40 {
					adds = append(adds, add{20 + i%3*5, fmt.Sprintf("%02d ", i) + randomText(rnd, 90), "", false})
				}
				// Go writes; Django reads.
				_, ck, sk, _ := e.goRequest(t, "", "", adds, false)
				if len(ck) > 2048 {
					t.Errorf("Go's cookie is %d bytes", len(ck))
				}
				var dj djResult
				e.d.Do(t, "messages_request", map[string]any{"cookie": ck, "session_key": nilIfEmpty(sk), "iterate": true}, &dj)
				// Django writes the same messages; compare where each side cut.
				var dw djResult
				e.d.Do(t, "messages_request", map[string]any{"add": pyAdds(adds)}, &dw)
				got, _, _, r := e.goRequest(t, dw.Cookie.Value, dw.SessionKey, nil, true)
				if r.Err() != nil {
					t.Fatal(r.Err())
				}
				var texts, djTexts []string
				for _, m := range got {
					texts = append(texts, m.Message)
				}
				for _, m := range dj.Shown {
					djTexts = append(djTexts, m.Message)
				}
				if st == messages.FallbackStorage {
					if len(texts) != 40 || len(djTexts) != 40 {
						t.Fatalf("fallback lost messages: Go read %d of Django's, Django %d of Go's", len(texts), len(djTexts))
					}
				} else {
					if dw.Unstored == 0 || len(texts) != 40-dw.Unstored || len(djTexts) != len(texts) {
						t.Fatalf("cookie storage: Django dropped %d, Go read %d of Django's, Django read %d of Go's", dw.Unstored, len(texts), len(djTexts))
					}
					if !strings.HasPrefix(texts[len(texts)-1], "39 ") {
						t.Errorf("the newest message was dropped: %q", texts[len(texts)-1])
					}
				}
				if !reflect.DeepEqual(texts, djTexts) {
					t.Errorf("the two sides cut differently:\nGo reads Django's %v\nDjango reads Go's %v", texts, djTexts)
				}
			})
		}
	}
}

// Request.Write sets and deletes the "messages" cookie with the attributes
// Django's CookieStorage gives it: set_cookie takes SESSION_COOKIE_SECURE,
// but delete_cookie adds Secure only for SameSite=None (or a
// __Secure-/__Host- name), whatever SESSION_COOKIE_SECURE says. Compared
// with the Set-Cookie text a real Django view sends (exactly for the
// deletion, the signed value aside when set), on every release.
func TestLiveCookieAttributesOfWrite(t *testing.T) {
	cases := []map[string]any{
		{"SESSION_COOKIE_SECURE": true},
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_HTTPONLY": false,
			"SESSION_COOKIE_DOMAIN": ".example.com"},
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_SAMESITE": "None"},
		{"SESSION_COOKIE_SECURE": false, "SESSION_COOKIE_SAMESITE": "None"},
		{"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_SAMESITE": false},
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies",
				Extra: map[string]any{"MIDDLEWARE": []string{
					"django.contrib.sessions.middleware.SessionMiddleware",
					"django.contrib.messages.middleware.MessageMiddleware",
				}}})
			for _, dj := range cases {
				s := djangobridge.Defaults()
				s.SecretKey = "test-secret-key"
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.SessionCookieSecure = dj["SESSION_COOKIE_SECURE"].(bool)
				if v, ok := dj["SESSION_COOKIE_SAMESITE"]; ok {
					s.SessionCookieSameSite, _ = v.(string) // false: no SameSite
				}
				if v, ok := dj["SESSION_COOKIE_HTTPONLY"]; ok {
					s.SessionCookieHTTPOnly = v.(bool)
				}
				if v, ok := dj["SESSION_COOKIE_DOMAIN"]; ok {
					s.SessionCookieDomain = v.(string)
				}
				f, err := messages.New(&s, messages.Options{Storage: messages.CookieStorage})
				if err != nil {
					t.Fatal(err)
				}
				settings := map[string]any{"MESSAGE_STORAGE": storagePaths[messages.CookieStorage]}
				for k, v := range dj {
					settings[k] = v
				}
				var added, shown struct {
					SetCookie map[string]string  `json:"set_cookie"`
					Cookies   map[string]*string `json:"cookies"`
				}
				d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/add/",
					"add": [][]any{{25, "Saved.", "", false}}, "settings": settings}, &added)
				d.Do(t, "messages_view", map[string]any{"path": "/_djangobridge/messages/show/",
					"cookies": map[string]any{"messages": added.Cookies["messages"]}, "settings": settings}, &shown)

				// Set: Go adds a message and writes.
				rec := httptest.NewRecorder()
				r := f.Open("", nil)
				r.Success("Saved.")
				if _, err := r.Write(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
				if got, want := valueless(rec.Header().Get("Set-Cookie")), valueless(added.SetCookie["messages"]); got != want {
					t.Errorf("%v: setting:\n Go     %s\n Django %s", dj, got, want)
				}
				// Delete: Go shows Django's messages and writes.
				rec = httptest.NewRecorder()
				r = f.Open(*added.Cookies["messages"], nil)
				if n := len(r.Messages()); n != 1 {
					t.Fatalf("Go read %d messages from Django's cookie (%v)", n, r.Err())
				}
				if _, err := r.Write(context.Background(), rec); err != nil {
					t.Fatal(err)
				}
				if got, want := rec.Header().Get("Set-Cookie"), shown.SetCookie["messages"]; got != want {
					t.Errorf("%v: deleting:\n Go     %s\n Django %s", dj, got, want)
				}
				// The *http.Cookie Update returns for framework adapters says
				// the same.
				r = f.Open(*added.Cookies["messages"], nil)
				r.Messages()
				c, _, err := r.Update(context.Background())
				if err != nil || c == nil || c.MaxAge >= 0 {
					t.Fatalf("Update did not delete the cookie: %+v, %v", c, err)
				}
				want := shown.SetCookie["messages"]
				if c.Secure != strings.HasSuffix(want, "; Secure") || c.HttpOnly != strings.Contains(want, "HttpOnly") {
					t.Errorf("%v: Update's deletion has Secure %v, HttpOnly %v; Django: %s", dj, c.Secure, c.HttpOnly, want)
				}
			}
		})
	}
}

// valueless is a Set-Cookie text without its value (the signed value
// differs by its timestamp).
func valueless(text string) string {
	nv, attrs, _ := strings.Cut(text, ";")
	name, _, _ := strings.Cut(nv, "=")
	return name + "=<value>;" + attrs
}
