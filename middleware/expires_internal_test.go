package middleware

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// set_expiry(3600.5): SessionMiddleware writes Max-Age=int(3600.5) and
// expires=http_date(time.time() + 3600.5), the fraction included (the
// date's seconds floored, as time.gmtime does). Django's own cookie is
// compared in TestExpiryMatchesDjango within a clock tolerance; this pins
// the second exactly with a fixed clock (the expected texts are what
// django.utils.http.http_date gives for these epochs on 3.2 and 6.1).
func TestSessionCookieExpiresKeepsFloatFraction(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 3, 13, 29, 700_000_000, time.UTC)
	m.now = func() time.Time { return now }
	for age, want := range map[float64]string{
		3600.5: "expires=Sun, 22 Nov 2026 04:13:30 GMT; HttpOnly; Max-Age=3600;", // 29.7 + 0.5: the next second
		3600.2: "expires=Sun, 22 Nov 2026 04:13:29 GMT; HttpOnly; Max-Age=3600;",
		-10.5:  "expires=Sun, 22 Nov 2026 03:13:19 GMT; HttpOnly; Max-Age=-10;",
	} {
		h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sess := Session(r)
			_ = sess.Set("a", 1)
			_ = sess.Set(djangosession.KeyExpiry, age)
		}))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if got := rec.Header().Get("Set-Cookie"); !strings.Contains(got, want) {
			t.Errorf("set_expiry(%v): %s; want %s", age, got, want)
		}
	}
}
