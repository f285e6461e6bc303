package middleware_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/pgxstore"
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
	cpu0 := processCPU()
	for b.Loop() {
		clear(w.h)
		wrapped.ServeHTTP(w, req)
	}
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
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

// pgSite is a site on a fresh PostgreSQL database (pgxstore) with one
// logged-in session.
func pgSite(b *testing.B) (*middleware.Middleware, *pgxpool.Pool, string) {
	ctx := context.Background()
	db := djangotest.NewDatabase(b, "postgres")
	pool, err := pgxpool.New(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s := djangobridge.Defaults()
	s.SecretKey = "bench-secret-key"
	sessions, err := pgxstore.New(pool, &s)
	if err != nil {
		b.Fatal(err)
	}
	users, err := pgxstore.NewUsers(pool, &s)
	if err != nil {
		b.Fatal(err)
	}
	mgr, _ := djangosession.NewManager(&s, sessions)
	pw, _ := hashers.New(&s)
	auth, err := djangouser.New(&s, users, pw)
	if err != nil {
		b.Fatal(err)
	}
	u := &djangouser.User{Username: "bench", Password: "pbkdf2_sha256$1000000$salt$hash", IsActive: true, DateJoined: time.Now()}
	if err := users.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	u.Backend = djangobridge.DefaultModelBackend
	sess := mgr.Open(ctx, "")
	if err := auth.Login(ctx, sess, u); err != nil {
		b.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		b.Fatal(err)
	}
	mw, err := middleware.New(middleware.Options{Sessions: mgr, Auth: auth})
	if err != nil {
		b.Fatal(err)
	}
	return mw, pool, sess.Key()
}

// whoami on PostgreSQL through the middleware: one session query, one
// user query, the auth hash check. BenchmarkPostgresFloor is the same two
// queries by hand, in the same run.
func BenchmarkPostgresWhoami(b *testing.B) {
	mw, _, key := pgSite(b)
	req := httptest.NewRequest("GET", "/api/whoami", nil)
	req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	benchHandler(b, mw, func(w http.ResponseWriter, r *http.Request) {
		u, err := middleware.User(r)
		if err != nil || !u.IsAuthenticated() {
			b.Fatal("not logged in", err)
		}
		w.WriteHeader(200)
	}, req)
}

// The no-cookie request on the PostgreSQL site: no query at all.
func BenchmarkPostgresNoCookie(b *testing.B) {
	mw, _, _ := pgSite(b)
	req := httptest.NewRequest("GET", "/api/whoami", nil)
	benchHandler(b, mw, func(w http.ResponseWriter, r *http.Request) {
		u, err := middleware.User(r)
		if err != nil || u.IsAuthenticated() {
			b.Fatal("logged in?", err)
		}
		w.WriteHeader(200)
	}, req)
}

// The floor: the two queries a whoami needs (the live session row, the
// user row), hand-written with the same pool, nothing else.
func BenchmarkPostgresFloor(b *testing.B) {
	mw, pool, key := pgSite(b)
	_ = mw
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	defer func() {
		if cpu := processCPU() - cpu0; cpu > 0 {
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		}
	}()
	for b.Loop() {
		var data string
		if err := pool.QueryRow(ctx, "SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > $2",
			key, time.Now()).Scan(&data); err != nil {
			b.Fatal(err)
		}
		var id int64
		var username string
		if err := pool.QueryRow(ctx, "SELECT id, username FROM auth_user WHERE id = $1", 1).Scan(&id, &username); err != nil {
			b.Fatal(err)
		}
	}
}

// A form POST passing the CSRF check with the csrfmiddlewaretoken field,
// whose handler reads another field: the body is read once, within
// DATA_UPLOAD_MAX_MEMORY_SIZE.
func BenchmarkCSRFCheckedFormPOST(b *testing.B) {
	st := newSite(b, nil, nil)
	secret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	form := "csrfmiddlewaretoken=" + middleware.MaskCSRFSecret(secret)
	for i := 0; i < 20; i++ {
		form += "&field" + string(rune('a'+i)) + "=some+value"
	}
	wrapped := st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("fielda") != "some value" {
			b.Fatal("form not read")
		}
		w.WriteHeader(204)
	}))
	w := &discardWriter{h: http.Header{}}
	body := strings.NewReader(form)
	req := httptest.NewRequest("POST", "/", body)
	req.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://example.com")
	req.Host = "example.com"
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		body.Reset(form)
		r := *req
		r.Body = io.NopCloser(body)
		r.ContentLength = int64(len(form))
		wrapped.ServeHTTP(w, &r)
	}
}
