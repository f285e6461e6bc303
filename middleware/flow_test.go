package middleware_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

func ok(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") }

// A request that never touches the session costs no store call, sets no
// cookie and adds no Vary, with or without a session cookie.
func TestUntouchedSessionDoesNoIO(t *testing.T) {
	st := newSite(t, nil, nil)
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	base := st.store.calls()
	for _, cookies := range []map[string]string{nil, {"sessionid": key}} {
		rec := st.do(ok, "GET", "/", cookies, "")
		if rec.Code != 200 || rec.Body.String() != "ok" {
			t.Fatalf("answer %d %q", rec.Code, rec.Body)
		}
		if got := rec.Result().Header.Values("Set-Cookie"); len(got) != 0 {
			t.Errorf("cookies %v: Set-Cookie %q, want none", cookies, got)
		}
		if v := rec.Header().Get("Vary"); v != "" {
			t.Errorf("cookies %v: Vary %q, want none", cookies, v)
		}
	}
	if n := st.store.calls() - base; n != 0 {
		t.Fatalf("store calls = %d, want 0", n)
	}
}

// Reading the session loads it once and adds Vary: Cookie, but saves
// nothing and sets no cookie.
func TestReadOnlySession(t *testing.T) {
	st := newSite(t, nil, nil)
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	st.store.loads.Store(0)
	st.store.saves.Store(0)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		s := middleware.Session(r)
		v, _ := s.GetInt("a")
		_, _ = s.GetInt("a")
		fmt.Fprint(w, v)
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Body.String() != "1" {
		t.Fatalf("body %q", rec.Body)
	}
	if st.store.loads.Load() != 1 || st.store.saves.Load() != 0 {
		t.Fatalf("loads %d saves %d, want 1 and 0", st.store.loads.Load(), st.store.saves.Load())
	}
	if _, ok := cookieNamed(rec, "sessionid"); ok {
		t.Fatal("a read-only request set the session cookie")
	}
	if rec.Header().Get("Vary") != "Cookie" {
		t.Fatalf("Vary %q, want Cookie", rec.Header().Get("Vary"))
	}
}

// A modified session is saved once and its cookie set with Django's
// attributes; the new value is there on the next request.
func TestModifiedSessionSavedWithCookie(t *testing.T) {
	st := newSite(t, nil, nil)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		if err := middleware.Session(r).Set("count", 1); err != nil {
			t.Error(err)
		}
		w.Header().Set("Vary", "Accept-Encoding")
		fmt.Fprint(w, "set")
	}, "POST", "/", nil, "")
	// POST without a CSRF cookie is refused: this checks the refusal, then
	// the same with the check off.
	if rec.Code != http.StatusForbidden {
		t.Fatalf("POST without CSRF: %d, want 403", rec.Code)
	}
	st = newSite(t, nil, &middleware.Options{DisableCSRFCheck: true})
	rec = st.do(func(w http.ResponseWriter, r *http.Request) {
		if err := middleware.Session(r).Set("count", 1); err != nil {
			t.Error(err)
		}
		w.Header().Set("Vary", "Accept-Encoding")
		fmt.Fprint(w, "set")
	}, "POST", "/", nil, "")
	c, found := cookieNamed(rec, "sessionid")
	if !found {
		t.Fatalf("no session cookie; headers %v", rec.Header())
	}
	nv, attrs := parseSetCookie(c)
	key := strings.TrimPrefix(nv, "sessionid=")
	if !djangosession.ValidKey(key) || len(key) != 32 {
		t.Fatalf("cookie value %q is not a session key", key)
	}
	want := map[string]string{"expires": attrs["expires"], "httponly": "", "max-age": "1209600", "path": "/", "samesite": "Lax"}
	if fmt.Sprint(attrs) != fmt.Sprint(want) || attrs["expires"] == "" {
		t.Fatalf("attributes %v, want %v", attrs, want)
	}
	if got := rec.Result().Header.Values("Vary"); strings.Join(got, ", ") != "Accept-Encoding, Cookie" {
		t.Fatalf("Vary %q", got)
	}
	if st.store.saves.Load() != 1 {
		t.Fatalf("saves %d, want 1", st.store.saves.Load())
	}
	rec = st.do(func(w http.ResponseWriter, r *http.Request) {
		n, _ := middleware.Session(r).GetInt("count")
		fmt.Fprint(w, n)
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Body.String() != "1" {
		t.Fatalf("next request reads %q", rec.Body)
	}
}

// An invalid or unknown cookie for an empty session is deleted with
// Django's deletion attributes; flushing does the same.
func TestEmptiedSessionCookieDeleted(t *testing.T) {
	st := newSite(t, func(s *djangobridge.Settings) { s.SessionCookieDomain = ".example.com" }, &middleware.Options{DisableCSRFCheck: true})
	want := `sessionid=""; Domain=.example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax`
	rec := st.do(ok, "GET", "/", map[string]string{"sessionid": "bad!"}, "")
	if c, _ := cookieNamed(rec, "sessionid"); c != want {
		t.Fatalf("invalid cookie: Set-Cookie %q, want %q", c, want)
	}
	if rec.Header().Get("Vary") != "Cookie" {
		t.Fatalf("Vary %q", rec.Header().Get("Vary"))
	}
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	rec = st.do(func(w http.ResponseWriter, r *http.Request) {
		if err := middleware.Session(r).Flush(r.Context()); err != nil {
			t.Error(err)
		}
	}, "POST", "/", map[string]string{"sessionid": key}, "")
	if c, _ := cookieNamed(rec, "sessionid"); c != want {
		t.Fatalf("flush: Set-Cookie %q, want %q", c, want)
	}
	if ok, _ := st.store.Exists(t.Context(), key); ok {
		t.Fatal("flushed session still stored")
	}
}

// 5xx answers skip the save (Django 4.0+: any 5xx; 3.2: only 500).
func TestServerErrorSkipsSave(t *testing.T) {
	for _, tc := range []struct {
		version string
		status  int
		saved   bool
	}{
		{"5.2", 500, false}, {"5.2", 503, false}, {"4.2", 502, false}, {"5.2", 404, true},
		{"3.2", 500, false}, {"3.2", 503, true},
	} {
		st := newSite(t, func(s *djangobridge.Settings) { s.DjangoVersion = djangobridge.MustParseVersion(tc.version) }, nil)
		rec := st.do(func(w http.ResponseWriter, r *http.Request) {
			_ = middleware.Session(r).Set("x", 1)
			w.WriteHeader(tc.status)
		}, "GET", "/", nil, "")
		_, cookie := cookieNamed(rec, "sessionid")
		if saved := st.store.saves.Load() == 1; saved != tc.saved || cookie != tc.saved {
			t.Errorf("Django %s, status %d: saved %v cookie %v, want %v", tc.version, tc.status, saved, cookie, tc.saved)
		}
		if rec.Code != tc.status {
			t.Errorf("status %d, want %d", rec.Code, tc.status)
		}
	}
}

// A session deleted by a concurrent request cannot be updated: 400, as
// Django's SessionInterrupted.
func TestVanishedSessionIs400(t *testing.T) {
	st := newSite(t, nil, nil)
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		s := middleware.Session(r)
		_ = s.Set("a", 2)
		_ = st.store.mem.Delete(r.Context(), key) // the concurrent logout
		fmt.Fprint(w, "handler body")
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "handler body") {
		t.Fatalf("answer %d %q, want 400 without the handler's body", rec.Code, rec.Body)
	}
}

// A store that fails goes to the error handler (503 by default), whether
// the handler looked at the error or not; nothing panics and the request
// never goes on as anonymous.
func TestStoreFailureGoesToErrorHandler(t *testing.T) {
	var handled []error
	var mu sync.Mutex
	opts := &middleware.Options{ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
		mu.Lock()
		handled = append(handled, err)
		mu.Unlock()
		http.Error(w, "down", http.StatusServiceUnavailable)
	}}
	st := newSite(t, nil, opts)
	u := st.users.add(&djangouser.User{Username: "alice", Password: "md5$x$y", IsActive: true})
	key := st.loginSession(t, u)
	st.store.fail.Store(true)

	handlers := map[string]http.HandlerFunc{
		"ignores User's error": func(w http.ResponseWriter, r *http.Request) {
			u, _ := middleware.User(r)
			fmt.Fprint(w, "hello ", u)
		},
		"reads the session silently": func(w http.ResponseWriter, r *http.Request) {
			v, _ := middleware.Session(r).GetString("_auth_user_id")
			fmt.Fprint(w, "user id ", v)
		},
		"writes the session": func(w http.ResponseWriter, r *http.Request) {
			_ = middleware.Session(r).Set("k", "v")
		},
		"uses LoginRequired": middleware.LoginRequired(http.HandlerFunc(ok)).ServeHTTP,
	}
	for name, h := range handlers {
		handled = nil
		rec := st.do(h, "GET", "/", map[string]string{"sessionid": key}, "")
		if rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "down\n" {
			t.Errorf("%s: answer %d %q, want the error handler's 503", name, rec.Code, rec.Body)
		}
		if len(handled) != 1 || !errors.Is(handled[0], middleware.ErrStore) || !errors.Is(handled[0], errDown) {
			t.Errorf("%s: error handler got %v, want one error wrapping ErrStore and the store's error", name, handled)
		}
	}

	// The user store failing is the same.
	st.store.fail.Store(false)
	st.users.fail.Store(true)
	handled = nil
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.User(r)
		fmt.Fprint(w, "hello ", u)
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Code != http.StatusServiceUnavailable || len(handled) != 1 {
		t.Fatalf("user store down: %d %q, handled %v", rec.Code, rec.Body, handled)
	}
}

// The default error handler answers 503 with a short text.
func TestDefaultErrorHandler(t *testing.T) {
	st := newSite(t, nil, nil)
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	st.store.fail.Store(true)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		_, _ = middleware.Session(r).Get("a")
		fmt.Fprint(w, "secret data")
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Code != 503 || strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "down") {
		t.Fatalf("answer %d %q", rec.Code, rec.Body)
	}
}

// Reading the user costs exactly one session load and one user query,
// however often it is read.
func TestUserCostsOneSessionLoadAndOneUserQuery(t *testing.T) {
	st := newSite(t, nil, nil)
	u := st.users.add(&djangouser.User{Username: "alice", Password: "md5$x$y", IsActive: true})
	key := st.loginSession(t, u)
	st.store.loads.Store(0)
	st.store.saves.Store(0)
	st.users.queries.Store(0)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if u, err := middleware.User(r); err != nil || u.Username != "alice" {
					t.Errorf("User = %v, %v", u, err)
				}
			}()
		}
		wg.Wait()
		u, _ := middleware.User(r)
		fmt.Fprint(w, u.Username)
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Body.String() != "alice" {
		t.Fatalf("body %q", rec.Body)
	}
	if l, q := st.store.loads.Load(), st.users.queries.Load(); l != 1 || q != 1 {
		t.Fatalf("session loads %d, user queries %d; want 1 and 1", l, q)
	}
	if st.store.saves.Load() != 0 {
		t.Fatal("reading the user saved the session")
	}
}

// Login through the middleware cycles the key, stores the user, rotates
// the CSRF cookie, and the next request sees the user; Logout ends it.
func TestLoginLogout(t *testing.T) {
	st := newSite(t, nil, &middleware.Options{DisableCSRFCheck: true})
	u := st.users.add(&djangouser.User{Username: "bob", Password: "md5$x$y", IsActive: true})
	u.Backend = djangobridge.DefaultModelBackend
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		if err := middleware.Login(r, u); err != nil {
			t.Fatal(err)
		}
		got, _ := middleware.User(r)
		fmt.Fprint(w, got.Username)
	}, "POST", "/login", map[string]string{"csrftoken": "abcdefghijabcdefghijabcdefghijab"}, "")
	c, found := cookieNamed(rec, "sessionid")
	if !found || rec.Body.String() != "bob" {
		t.Fatalf("login: %q cookie %q", rec.Body, c)
	}
	csrf, found := cookieNamed(rec, "csrftoken")
	if !found || strings.Contains(csrf, "abcdefghijabcdefghijabcdefghijab") {
		t.Fatalf("login did not rotate the CSRF cookie: %q", csrf)
	}
	nv, _ := parseSetCookie(c)
	key := strings.TrimPrefix(nv, "sessionid=")
	rec = st.do(func(w http.ResponseWriter, r *http.Request) {
		got, err := middleware.User(r)
		if err != nil {
			t.Fatal(err)
		}
		before := fmt.Sprint(got.Username, got.IsAuthenticated())
		if err := middleware.Logout(r); err != nil {
			t.Fatal(err)
		}
		got, _ = middleware.User(r)
		fmt.Fprint(w, before, got.IsAuthenticated())
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if rec.Body.String() != "bobtruefalse" {
		t.Fatalf("body %q", rec.Body)
	}
	if c, _ := cookieNamed(rec, "sessionid"); !strings.HasPrefix(c, `sessionid=""`) {
		t.Fatalf("logout did not delete the cookie: %q %v", c, rec.Result().Header)
	}
}

// Changes made after the first byte are saved at return (they cannot
// change the cookie any more).
func TestSessionChangesAfterFirstByteAreSaved(t *testing.T) {
	st := newSite(t, nil, nil)
	key := st.session(t, djangosession.Item{Key: "n", Value: 1})
	st.store.saves.Store(0)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		s := middleware.Session(r)
		_ = s.Set("n", 2)
		fmt.Fprint(w, "streaming...")
		w.(http.Flusher).Flush()
		_ = s.Set("n", 3)
		_ = s.Set("late", true)
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if _, ok := cookieNamed(rec, "sessionid"); !ok {
		t.Fatal("no cookie for the change before the first byte")
	}
	if st.store.saves.Load() != 2 {
		t.Fatalf("saves %d, want 2 (at the first byte, then the later change)", st.store.saves.Load())
	}
	m, err := st.store.mem.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := m.Get("n"); fmt.Sprint(v) != "3" {
		t.Fatalf("stored n = %v, want 3", v)
	}
	if _, ok := m.Get("late"); !ok {
		t.Fatal("late key not saved")
	}

	// No change after the first byte: no second save.
	st.store.saves.Store(0)
	st.do(func(w http.ResponseWriter, r *http.Request) {
		_ = middleware.Session(r).Set("n", 4)
		fmt.Fprint(w, "done")
	}, "GET", "/", map[string]string{"sessionid": key}, "")
	if st.store.saves.Load() != 1 {
		t.Fatalf("saves %d, want 1", st.store.saves.Load())
	}
}

// Many concurrent requests, each with its own session, under -race.
func TestConcurrentRequests(t *testing.T) {
	st := newSite(t, nil, nil)
	u := st.users.add(&djangouser.User{Username: "carol", Password: "md5$x$y", IsActive: true})
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = st.loginSession(t, u)
	}
	h := st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := middleware.Session(r)
		n, _ := s.GetInt("n")
		_ = s.Set("n", n+1)
		u, err := middleware.User(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		tok, _ := middleware.CSRFToken(r)
		fmt.Fprint(w, u.Username, len(tok))
	}))
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest("GET", "/", nil)
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: keys[i%len(keys)]})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Body.String() != "carol64" {
				t.Errorf("body %q", rec.Body)
			}
		}()
	}
	wg.Wait()
}

// Requests that did not go through the middleware get ErrNoState, not a panic.
func TestWithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if middleware.Session(r) != nil {
		t.Fatal("Session without middleware")
	}
	if _, err := middleware.User(r); !errors.Is(err, middleware.ErrNoState) {
		t.Fatalf("User: %v", err)
	}
	if _, err := middleware.UserFromContext(r.Context()); !errors.Is(err, middleware.ErrNoState) {
		t.Fatalf("UserFromContext: %v", err)
	}
	if middleware.SessionFromContext(r.Context()) != nil {
		t.Fatal("SessionFromContext without middleware")
	}
	if err := middleware.Login(r, djangouser.Anonymous()); !errors.Is(err, middleware.ErrNoState) {
		t.Fatalf("Login: %v", err)
	}
}

// LoginRequired redirects to LOGIN_URL with ?next=, LoginRequiredAPI
// answers 401, PermissionRequired 403, StaffOnly redirects non-staff.
func TestHelpers(t *testing.T) {
	st := newSite(t, func(s *djangobridge.Settings) { s.LoginURL = "/login/" }, nil)
	alice := st.users.add(&djangouser.User{Username: "alice", Password: "md5$x$y", IsActive: true}, "polls.add_choice")
	staff := st.users.add(&djangouser.User{Username: "sam", Password: "md5$x$y", IsActive: true, IsStaff: true})
	aliceKey, staffKey := st.loginSession(t, alice), st.loginSession(t, staff)
	okH := http.HandlerFunc(ok)
	cases := []struct {
		name    string
		h       http.Handler
		cookie  string
		code    int
		locates string
	}{
		{"login required, anonymous", middleware.LoginRequired(okH), "", 302, "/login/?next=/p/a%2520b%3Fx%3D1%26y%3D%25C3%25A9"},
		{"login required, user", middleware.LoginRequired(okH), aliceKey, 200, ""},
		{"api, anonymous", middleware.LoginRequiredAPI(okH), "", 401, ""},
		{"api, user", middleware.LoginRequiredAPI(okH), aliceKey, 200, ""},
		{"perm, has it", middleware.PermissionRequired("polls.add_choice")(okH), aliceKey, 200, ""},
		{"perm, lacks it", middleware.PermissionRequired("polls.delete_choice")(okH), aliceKey, 403, ""},
		{"perm, anonymous", middleware.PermissionRequired("polls.add_choice")(okH), "", 403, ""},
		{"staff, staff", middleware.StaffOnly(okH), staffKey, 200, ""},
		{"staff, not staff", middleware.StaffOnly(okH), aliceKey, 302, "/login/?next=/p/a%2520b%3Fx%3D1%26y%3D%25C3%25A9"},
	}
	for _, tc := range cases {
		cookies := map[string]string{}
		if tc.cookie != "" {
			cookies["sessionid"] = tc.cookie
		}
		rec := st.do(tc.h.ServeHTTP, "GET", "/p/a%20b?x=1&y=%C3%A9", cookies, "")
		if rec.Code != tc.code || rec.Header().Get("Location") != tc.locates {
			t.Errorf("%s: %d %q, want %d %q", tc.name, rec.Code, rec.Header().Get("Location"), tc.code, tc.locates)
		}
	}
}

// Behind a proxy, SECURE_PROXY_SSL_HEADER makes the request HTTPS, so an
// unsafe request without Origin needs a matching Referer, as in Django.
func TestSecureProxyHeaderRefererCheck(t *testing.T) {
	st := newSite(t, func(s *djangobridge.Settings) { s.SecureProxySSLHeader = [2]string{"X-Forwarded-Proto", "https"} }, nil)
	secret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	post := func(proto, referer string) *httptest.ResponseRecorder {
		req := httpRequest("POST", "http://example.com/", map[string]string{"csrftoken": secret})
		req.Header.Set("X-CSRFToken", middleware.MaskCSRFSecret(secret))
		if proto != "" {
			req.Header.Set("X-Forwarded-Proto", proto)
		}
		if referer != "" {
			req.Header.Set("Referer", referer)
		}
		return serve(st, req, ok200)
	}
	if rec := post("", ""); rec.Code != 200 {
		t.Fatalf("plain HTTP without Referer: %d", rec.Code)
	}
	if rec := post("https", ""); rec.Code != 403 {
		t.Fatalf("HTTPS without Referer: %d", rec.Code)
	}
	if rec := post("https", "https://example.com/form"); rec.Code != 200 {
		t.Fatalf("HTTPS with same-host Referer: %d %q", rec.Code, rec.Body)
	}
	if rec := post("https", "https://evil.com/"); rec.Code != 403 {
		t.Fatalf("HTTPS with foreign Referer: %d", rec.Code)
	}
}

// A 1xx informational answer (103 Early Hints) does not settle the
// session: the cookie goes with the final answer.
func TestEarlyHintsDoNotCommit(t *testing.T) {
	st := newSite(t, nil, nil)
	srv := httptest.NewServer(st.mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		_ = middleware.Session(r).Set("a", 1)
		w.WriteHeader(http.StatusCreated)
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
	found := false
	for _, c := range resp.Cookies() {
		found = found || c.Name == "sessionid"
	}
	if !found {
		t.Fatalf("session set after 103 has no cookie: %v", resp.Header)
	}
}

// The default error handler logs the error through the configured slog
// logger.
func TestErrorsAreLogged(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	st := newSite(t, nil, &middleware.Options{Logger: logger})
	key := st.session(t, djangosession.Item{Key: "a", Value: 1})
	st.store.fail.Store(true)
	rec := st.do(func(w http.ResponseWriter, r *http.Request) {
		_, _ = middleware.Session(r).Get("a")
	}, "GET", "/x", map[string]string{"sessionid": key}, "")
	if rec.Code != 503 || !strings.Contains(buf.String(), "database is down") || !strings.Contains(buf.String(), "path=/x") {
		t.Fatalf("%d, log %q", rec.Code, buf.String())
	}
}
