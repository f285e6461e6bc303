package middleware_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
)

// discardWriter is a ResponseWriter that keeps nothing, so that the
// benchmarks measure the middleware rather than httptest's recorder.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func benchHandler(b *testing.B, mw *middleware.Middleware, h http.HandlerFunc, req *http.Request) {
	wrapped := mw.Handler(h)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		clear(w.h)
		wrapped.ServeHTTP(w, req)
	}
}

// The bare handler, for reference: what the middleware adds is the
// difference.
func BenchmarkBaseline(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	req := httptest.NewRequest("GET", "/", nil)
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// Per-request overhead with no session cookie at all.
func BenchmarkNoCookie(b *testing.B) {
	st := newSite(b, nil, nil)
	req := httptest.NewRequest("GET", "/", nil)
	benchHandler(b, st.mw, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, req)
	if st.store.calls() != 0 {
		b.Fatal("store touched")
	}
}

// Per-request overhead with a session (and CSRF) cookie that the handler
// never touches: no store call.
func BenchmarkCookieUntouched(b *testing.B) {
	st := newSite(b, nil, nil)
	key := st.session(b, djangosession.Item{Key: "a", Value: 1})
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	req.AddCookie(&http.Cookie{Name: "csrftoken", Value: "abcdefghijklmnopqrstuvwxyzABCDEF"})
	base := st.store.calls()
	benchHandler(b, st.mw, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, req)
	if st.store.calls() != base {
		b.Fatal("store touched")
	}
}

// A logged-in request that reads the user, on the in-memory store: the
// cost of the session decode, the auth hash check and the flow.
func BenchmarkUserInMemory(b *testing.B) {
	st := newSite(b, nil, nil)
	u := st.users.add(newUser("alice"))
	key := st.loginSession(b, u)
	req := httptest.NewRequest("GET", "/", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	benchHandler(b, st.mw, func(w http.ResponseWriter, r *http.Request) {
		if u, err := middleware.User(r); err != nil || !u.IsAuthenticated() {
			b.Fatal("not logged in", err)
		}
		w.WriteHeader(204)
	}, req)
}

// A POST passing the CSRF check (header token).
func BenchmarkCSRFCheckedPOST(b *testing.B) {
	st := newSite(b, nil, nil)
	secret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	req := httptest.NewRequest("POST", "/", nil)
	req.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
	req.Header.Set("X-CSRFToken", middleware.MaskCSRFSecret(secret))
	req.Header.Set("Origin", "http://example.com")
	req.Host = "example.com"
	benchHandler(b, st.mw, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }, req)
}

var _ = context.Background
var _ = (*sql.DB)(nil)
var _ = djangobridge.Defaults
