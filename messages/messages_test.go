package messages_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
)

func framework(t testing.TB, rel string, o messages.Options) *messages.Framework {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	f, err := messages.New(&s, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Add, show and store round trip through the cookie, over net/http.
func TestCookieRoundTrip(t *testing.T) {
	f := framework(t, "5.2", messages.Options{Storage: messages.CookieStorage})
	w := httptest.NewRecorder()
	r := f.FromRequest(httptest.NewRequest("GET", "/", nil), nil)
	r.Success("Saved.")
	r.Add(messages.Warning, "Look", "a b")
	if _, err := r.Write(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	res := w.Result()
	req := httptest.NewRequest("GET", "/", nil)
	for _, c := range res.Cookies() {
		req.AddCookie(c)
	}
	r2 := f.FromRequest(req, nil)
	got := r2.Messages()
	if len(got) != 2 || got[0].Message != "Saved." || f.Tags(got[1]) != "a b warning" {
		t.Fatalf("got %+v", got)
	}
	w2 := httptest.NewRecorder()
	r2.Write(context.Background(), w2)
	if c := w2.Result().Cookies(); len(c) != 1 || c[0].MaxAge >= 0 {
		t.Errorf("shown messages: cookie not deleted: %v", c)
	}
}

// A tampered or garbage cookie reads as no messages and is deleted.
func TestBadCookie(t *testing.T) {
	f := framework(t, "6.1", messages.Options{})
	for _, v := range []string{"garbage", "a:b:c", strings.Repeat("x", 5000)} {
		r := f.Open(v, nil)
		if n := r.Len(); n != 0 {
			t.Errorf("%q: %d messages", v, n)
		}
		if !djangosession.IsDataError(r.Err()) {
			t.Errorf("%q: Err %v", v, r.Err())
		}
		c, _, err := r.Update(context.Background())
		if err != nil || c == nil || c.MaxAge >= 0 {
			t.Errorf("%q: bad cookie not deleted: %v %v", v, c, err)
		}
	}
}

// The session storage needs a session.
func TestSessionStorageNeedsSession(t *testing.T) {
	f := framework(t, "4.2", messages.Options{Storage: messages.SessionStorage})
	r := f.Open("", nil)
	r.Info("x")
	if _, _, err := r.Update(context.Background()); !errors.Is(err, messages.ErrNoSession) {
		t.Errorf("got %v", err)
	}
}

func TestLevelsAndTags(t *testing.T) {
	f := framework(t, "3.2", messages.Options{Level: messages.Warning, Tags: map[messages.Level]string{messages.Error: "danger"}})
	r := f.Open("", nil)
	r.Info("below")
	r.Error("kept")
	r.Add(messages.Error, "", "")
	m := r.Messages()
	if len(m) != 1 || f.Tags(m[0]) != "danger" || f.LevelTag(messages.Success) != "success" {
		t.Errorf("got %+v", m)
	}
	_ = http.StatusOK
}

// FuzzDecodeList: no stored list panics the decoder.
func FuzzDecodeList(f *testing.F) {
	f.Add(`[["__json_message", 0, 20, "hi"], ["__json_message", 1, 25, "ok", ""], "__messagesnotfinished__"]`)
	f.Add(`[["__json_message", 0, 20, "hi", null]]`)
	f.Add(`[]`)
	f.Add(`[["__json_message", true, 99999999999, "x"]]`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := messages.DecodeListForTest(s, 1<<16)
		if err != nil && !djangosession.IsDataError(err) {
			t.Fatalf("non-data error %v", err)
		}
		if err == nil && n < 0 {
			t.Fatal("negative")
		}
	})
}

// A message added after the storage was updated (the response started) is
// not stored; the Framework says so in a Warn line that names the fix.
func TestAddAfterUpdateIsLogged(t *testing.T) {
	var logs strings.Builder
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	f, err := messages.New(&s, messages.Options{Storage: messages.CookieStorage})
	if err != nil {
		t.Fatal(err)
	}
	r := f.FromRequest(httptest.NewRequest("GET", "/", nil), nil)
	r.Success("in time")
	if _, _, err := r.Update(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logs.Len() != 0 {
		t.Fatalf("logged before a late Add: %s", logs.String())
	}
	r.Error("too late")
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "before writing the response") {
		t.Errorf("a late Add was not logged with the fix: %q", logs.String())
	}
}
