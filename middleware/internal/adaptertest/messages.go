package adaptertest

import (
	"encoding/json"
	"io"
	"log/slog"
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
)

// A MessagesApp serves mw with the adapter and returns how to send it one
// request. The app has two routes, each a handler that asks the adapter's
// Messages accessor for the request's flash messages: GET /add calls
// AddMessages and answers 200; GET /show answers ShowMessages as
// application/json.
type MessagesApp func(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response

// msgAdd is one messages.add_message call.
type msgAdd struct {
	level int
	text  string
	extra string
	safe  bool // mark_safe'd (Django's side only)
}

// goAdds are what a Go handler adds: levels with and without a tag,
// extra_tags, text that needs escaping, and one below MESSAGE_LEVEL.
var goAdds = []msgAdd{
	{20, "Saved.", "", false},
	{30, "Careful: äöü 漢字 😀 \"quoted\" <b>", "important sticky", false},
	{40, "Failed", "", false},
	{35, "A custom level", "x", false},
	{10, "debug is below MESSAGE_LEVEL", "", false},
}

// djangoAdds are what a Django view adds: Go's plus a mark_safe'd one.
var djangoAdds = append(append([]msgAdd{}, goAdds...), msgAdd{25, "<i>safe</i>", "", true})

// AddMessages is the /add handler's work: the sample messages, through
// the request's messages.
func AddMessages(m *messages.Request) {
	for _, a := range goAdds {
		m.Add(messages.Level(a.level), a.text, a.extra)
	}
}

// Shown is one message as a page shows it, in the messages_view op's
// JSON: extra_tags null when the message has none (Django's None).
type Shown struct {
	Level     int     `json:"level"`
	Message   string  `json:"message"`
	ExtraTags *string `json:"extra_tags"`
	Safe      bool    `json:"safe"`
}

type shownPage struct {
	Shown []Shown `json:"shown"`
	Error string  `json:"error,omitempty"`
}

// ShowMessages is the /show handler's answer: every pending message,
// shown (so consumed), as JSON.
func ShowMessages(m *messages.Request) []byte {
	page := shownPage{Shown: []Shown{}}
	for _, msg := range m.Messages() {
		s := Shown{Level: int(msg.Level), Message: msg.Message, Safe: msg.Safe}
		if !msg.NoExtraTags {
			x := msg.ExtraTags
			s.ExtraTags = &x
		}
		page.Shown = append(page.Shown, s)
	}
	if err := m.Err(); err != nil {
		page.Error = err.Error()
	}
	b, _ := json.Marshal(page)
	return b
}

var messagesStorages = []struct {
	name string
	st   messages.Storage
	path string
}{
	{"cookie", messages.CookieStorage, "django.contrib.messages.storage.cookie.CookieStorage"},
	{"session", messages.SessionStorage, "django.contrib.messages.storage.session.SessionStorage"},
	{"fallback", messages.FallbackStorage, "django.contrib.messages.storage.fallback.FallbackStorage"},
}

// djangoMiddleware is settings.MIDDLEWARE of startproject: Django's flow
// with MessageMiddleware.
var djangoMiddleware = []string{
	"django.contrib.sessions.middleware.SessionMiddleware",
	"django.middleware.common.CommonMiddleware",
	"django.middleware.csrf.CsrfViewMiddleware",
	"django.contrib.auth.middleware.AuthenticationMiddleware",
	"django.contrib.messages.middleware.MessageMiddleware",
}

const (
	djangoShow = "/_djangobridge/messages/show/"
	djangoAdd  = "/_djangobridge/messages/add/"
)

// djangoView is the messages_view op's answer: a real request through
// Django's MIDDLEWARE and a view.
type djangoView struct {
	Status    int                `json:"status"`
	Shown     []Shown            `json:"shown"`
	SetCookie map[string]string  `json:"set_cookie"` // name → Set-Cookie text
	Cookies   map[string]*string `json:"cookies"`    // name → value, nil when deleted
}

// CheckMessagesWithDjango: on every release and for the cookie, session
// and fallback storages, the flash messages a handler adds through the
// adapter's Messages accessor are shown by a Django view (real Django's
// MessageMiddleware, SessionMiddleware with the signed_cookies engine, the
// browser's cookies carried between the two), and the messages a Django
// view added are shown by the adapter's handler. Showing consumes them on
// both sides, and the adapter's messages cookie (set and deleted) is
// Django's, attribute for attribute.
func CheckMessagesWithDjango(t *testing.T, app MessagesApp) {
	djangotest.DjangoDir(t)
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			d := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies",
				Extra: map[string]any{"MIDDLEWARE": djangoMiddleware}})
			for _, sc := range messagesStorages {
				t.Run(sc.name, func(t *testing.T) { checkMessages(t, d, rel, sc.st, sc.path, app) })
			}
		})
	}
}

func checkMessages(t *testing.T, d *djangotest.Django, rel string, storage messages.Storage, storagePath string, app MessagesApp) {
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	s.SessionEngine = djangobridge.EngineSignedCookies
	release, err := s.Release()
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
	f, err := messages.New(&s, messages.Options{Storage: storage})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.Default()
	}
	mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true, Messages: f, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	serve := app(t, mw)
	settings := map[string]any{"MESSAGE_STORAGE": storagePath}
	view := func(path string, jar map[string]string, adds []msgAdd) djangoView {
		t.Helper()
		py := [][]any{}
		for _, a := range adds {
			py = append(py, []any{a.level, a.text, a.extra, a.safe})
		}
		var out djangoView
		d.Do(t, "messages_view", map[string]any{"path": path, "cookies": jar, "add": py, "settings": settings}, &out)
		if out.Status != http.StatusOK {
			t.Fatalf("Django's %s answered %d", path, out.Status)
		}
		return out
	}
	goGet := func(path string, jar map[string]string) (map[string]string, []byte) {
		t.Helper()
		r := httptest.NewRequest("GET", path, nil)
		for k, v := range jar {
			r.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		resp := serve(r)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("Go's %s answered %d %s", path, resp.StatusCode, body)
		}
		set := map[string]string{}
		for _, v := range resp.Header.Values("Set-Cookie") {
			name, _, _ := strings.Cut(v, "=")
			set[name] = v
		}
		return set, body
	}
	goShow := func(jar map[string]string) ([]Shown, map[string]string) {
		t.Helper()
		set, body := goGet("/show", jar)
		var page shownPage
		if err := json.Unmarshal(body, &page); err != nil {
			t.Fatalf("Go's /show: %v: %s", err, body)
		}
		if page.Error != "" {
			t.Errorf("Go could not read the stored messages: %s", page.Error)
		}
		return page.Shown, set
	}
	usesCookie := storage != messages.SessionStorage

	// A Go handler adds; a Django view shows them.
	goSet, _ := goGet("/add", nil)
	jar := applySetCookies(t, nil, goSet)
	djSet := view(djangoAdd, nil, goAdds).SetCookie // Django adding the same, for the cookie's text
	if usesCookie {
		if got, want := cookieShape(goSet[messages.CookieName]), cookieShape(djSet[messages.CookieName]); got != want {
			t.Errorf("the messages cookie:\n Go     %s\n Django %s", got, want)
		}
	} else if _, ok := goSet[messages.CookieName]; ok {
		t.Errorf("the session storage set the messages cookie: %s", goSet[messages.CookieName])
	}
	if _, ok := jar[s.SessionCookieName]; ok == usesCookie {
		t.Errorf("session cookie after adding: %v (want one only for the session storage)", goSet)
	}
	dj := view(djangoShow, jar, nil)
	if want := expectShown(goAdds, release); !reflect.DeepEqual(dj.Shown, want) {
		t.Errorf("Django shows the Go handler's messages as\n %s\nwant\n %s", jsonText(dj.Shown), jsonText(want))
	}
	// Shown by Django, they are gone for Go too.
	if shown, _ := goShow(applyDjango(jar, dj.Cookies)); len(shown) != 0 {
		t.Errorf("Go still shows %s after Django showed them", jsonText(shown))
	}

	// A Django view adds (one safe message); the Go handler shows them.
	added := view(djangoAdd, nil, djangoAdds)
	jar = applyDjango(nil, added.Cookies)
	shown, goSet := goShow(jar)
	if want := expectShown(djangoAdds, release); !reflect.DeepEqual(shown, want) {
		t.Errorf("the Go handler shows Django's messages as\n %s\nwant\n %s", jsonText(shown), jsonText(want))
	}
	// Go's answer consumed them as Django's would: the cookie deleted in
	// Django's text, "_messages" gone from the session.
	if usesCookie {
		if got, want := goSet[messages.CookieName], dj.SetCookie[messages.CookieName]; got != want {
			t.Errorf("deleting the shown messages' cookie:\n Go     %s\n Django %s", got, want)
		}
	}
	jar = applySetCookies(t, jar, goSet)
	if after := view(djangoShow, jar, nil); len(after.Shown) != 0 {
		t.Errorf("Django still shows %s after the Go handler showed them", jsonText(after.Shown))
	}
}

// expectShown is what a page shows of adds: the ones at MESSAGE_LEVEL
// (INFO) or above, extra_tags "" kept where the release's encoding keeps
// it and None before.
func expectShown(adds []msgAdd, rel djangobridge.Release) []Shown {
	out := []Shown{}
	for _, a := range adds {
		if a.text == "" || a.level < int(messages.Info) {
			continue
		}
		s := Shown{Level: a.level, Message: a.text, Safe: a.safe}
		if a.extra != "" || rel.MessagesEmptyExtraTags {
			x := a.extra
			s.ExtraTags = &x
		}
		out = append(out, s)
	}
	return out
}

// applySetCookies is a browser's jar after the Set-Cookie texts of one
// answer: a cookie set with Max-Age=0 or an empty value is removed.
func applySetCookies(t *testing.T, jar map[string]string, set map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range jar {
		out[k] = v
	}
	for name, text := range set {
		c, err := http.ParseSetCookie(text)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", text, err)
		}
		if c.MaxAge < 0 || c.Value == "" {
			delete(out, name)
			continue
		}
		out[name] = c.Value
	}
	return out
}

// applyDjango is applySetCookies for the op's cookies (nil: deleted).
func applyDjango(jar map[string]string, cookies map[string]*string) map[string]string {
	out := map[string]string{}
	for k, v := range jar {
		out[k] = v
	}
	for name, v := range cookies {
		if v == nil {
			delete(out, name)
		} else {
			out[name] = *v
		}
	}
	return out
}

// cookieShape is a Set-Cookie text with its value abstracted (signed with
// the current time); the attributes stay, in order and spelling.
func cookieShape(text string) string {
	nv, attrs, _ := strings.Cut(text, ";")
	name, _, _ := strings.Cut(nv, "=")
	return name + "=<value>;" + attrs
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// CheckMessagesNotConfigured: without middleware.Options.Messages the
// adapter's Messages accessor returns middleware.ErrNoMessages, and the
// handler handing it to the framework's error handling gets a 500, as for
// any programming error.
func CheckMessagesNotConfigured(t *testing.T, app MessagesApp) {
	st := NewSiteWith(t, nil, func(o *middleware.Options) { o.Messages = nil })
	resp := app(t, st.MW)(httptest.NewRequest("GET", "/add", nil))
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "Internal server error.") {
		t.Errorf("Messages without Options.Messages answered %d %s, want 500 with the reason", resp.StatusCode, body)
	}
}
