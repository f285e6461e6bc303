// Package nethttpbench measures the net/http flow (Middleware.Handler) the
// way the other adapters' benchmarks measure theirs, with the same names,
// for bench/adapters.sh.
package nethttpbench_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

type nopWriter struct{ h http.Header }

func (w *nopWriter) Header() http.Header         { return w.h }
func (w *nopWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *nopWriter) WriteHeader(int)             {}

func serve(b *testing.B, h http.Handler, cookie string) {
	r := httptest.NewRequest("GET", "/", nil)
	if cookie != "" {
		r.Header.Set("Cookie", cookie)
	}
	w := &nopWriter{h: http.Header{}}
	adaptertest.Loop(b, func() {
		clear(w.h)
		h.ServeHTTP(w, r)
	})
}

func benchmark(b *testing.B, cookie func(st *adaptertest.Site) string, readUser bool) {
	st := adaptertest.NewSite(b, nil)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if readUser {
			if _, err := middleware.User(r); err != nil {
				middleware.Fail(w, r, err)
				return
			}
		}
		w.WriteHeader(200)
	})
	c := ""
	if cookie != nil {
		c = cookie(st)
	}
	serve(b, st.MW.Handler(mux), c)
}

func BenchmarkNoCookie(b *testing.B) { benchmark(b, nil, false) }

func BenchmarkSessionCookieUntouched(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.Session(b, "a", "b") }, false)
}

func BenchmarkLoggedInUserRead(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.LoginSession(b) }, true)
}

// The framework alone (http.ServeMux), for comparison.
func BenchmarkBareNetHTTP(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) })
	serve(b, mux, "")
}
