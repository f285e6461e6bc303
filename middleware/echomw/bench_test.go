package echomw_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge/middleware/echomw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// nopWriter is a ResponseWriter that keeps nothing.
type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

// benchmark serves GET / through echo with the middleware, with cookie as
// the Cookie header, and a handler that reads the user or not.
func benchmark(b *testing.B, cookie func(st *adaptertest.Site) string, readUser bool) {
	st := adaptertest.NewSite(b, nil)
	e := echo.New()
	e.Use(echomw.New(st.MW))
	e.GET("/", func(c echo.Context) error {
		if readUser {
			if _, err := echomw.User(c); err != nil {
				return err
			}
		}
		return c.NoContent(200)
	})
	r := httptest.NewRequest("GET", "/", nil)
	if cookie != nil {
		r.Header.Set("Cookie", cookie(st))
	}
	w := &nopWriter{h: http.Header{}}
	adaptertest.Loop(b, func() {
		clear(w.h)
		e.ServeHTTP(w, r)
	})
}

func BenchmarkNoCookie(b *testing.B) { benchmark(b, nil, false) }

func BenchmarkSessionCookieUntouched(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.Session(b, "a", "b") }, false)
}

// The user read with an in-memory store: the middleware's own cost.
func BenchmarkLoggedInUserRead(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.LoginSession(b) }, true)
}

// The framework alone, for comparison.
func BenchmarkBareEcho(b *testing.B) {
	e := echo.New()
	e.GET("/", func(c echo.Context) error { return c.NoContent(200) })
	r := httptest.NewRequest("GET", "/", nil)
	w := &nopWriter{h: http.Header{}}
	adaptertest.Loop(b, func() {
		clear(w.h)
		e.ServeHTTP(w, r)
	})
}
