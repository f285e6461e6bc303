package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/dburl"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// appNames are the three Go apps, in the order serve starts them.
var appNames = [3]string{"net/http", "echo", "fiber"}

// startDemo runs the demo's three apps on 127.0.0.1:0 over a fresh SQLite
// file (created with Django's schema and the demo user), with env as the
// environment, and returns their base URLs and the database URL.
func startDemo(t *testing.T, env map[string]string) (urls [3]string, databaseURL string) {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	if env["DATABASE_URL"] == "" {
		env["DATABASE_URL"] = "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite3")
	}
	if env["SECRET_KEY"] == "" {
		env["SECRET_KEY"] = "sidebyside-test-secret"
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	cfg.Settings.Logger = log
	ctx, cancel := context.WithCancel(context.Background())
	d, err := openDemo(ctx, cfg, true, log)
	if err != nil {
		t.Fatal(err)
	}
	var lns [3]net.Listener
	for i := range lns {
		if lns[i], err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		urls[i] = "http://" + lns[i].Addr().String()
	}
	done := make(chan error, 1)
	go func() { done <- serve(ctx, d, lns, log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		d.Close()
	})
	for _, u := range urls {
		waitUp(t, u)
	}
	return urls, cfg.DatabaseURL
}

// waitUp polls base's /api/whoami until it answers.
func waitUp(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(base + "/api/whoami")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not come up: %v", base, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// browser is one user agent: a cookie jar shared by every port of
// 127.0.0.1, as a browser's is (cookies ignore ports).
type browser struct {
	t      *testing.T
	client *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// csrfToken is the csrftoken cookie the jar holds for base ("" if none).
func (b *browser) csrfToken(base string) string {
	u, _ := url.Parse(base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "csrftoken" {
			return c.Value
		}
	}
	return ""
}

// do sends a request and returns the status and body.
func (b *browser) do(method, target string, form url.Values, header http.Header) (int, []byte) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, out
}

// get is a GET that must answer 200.
func (b *browser) get(base, path string) []byte {
	b.t.Helper()
	status, body := b.do(http.MethodGet, base+path, nil, nil)
	if status != http.StatusOK {
		b.t.Fatalf("GET %s%s: %d %s", base, path, status, body)
	}
	return body
}

// post is a POST with the CSRF token of the jar in X-CSRFToken, fetching
// the cookie first (GET /api/whoami) when the jar has none.
func (b *browser) post(base, path string, form url.Values) (int, []byte) {
	b.t.Helper()
	if b.csrfToken(base) == "" {
		b.get(base, "/api/whoami")
	}
	h := http.Header{"X-Csrftoken": {b.csrfToken(base)}}
	return b.do(http.MethodPost, base+path, form, h)
}

type whoami struct {
	Authenticated bool   `json:"authenticated"`
	ID            int64  `json:"id"`
	Username      string `json:"username"`
	IsStaff       bool   `json:"is_staff"`
	IsSuperuser   bool   `json:"is_superuser"`
}

func (b *browser) whoami(base string) whoami {
	b.t.Helper()
	var w whoami
	body := b.get(base, "/api/whoami")
	if err := json.Unmarshal(body, &w); err != nil {
		b.t.Fatalf("%s/api/whoami: %v: %s", base, err, body)
	}
	return w
}

func (b *browser) login(base, username, password string) {
	b.t.Helper()
	status, body := b.post(base, "/api/login", url.Values{"username": {username}, "password": {password}})
	if status != http.StatusOK {
		b.t.Fatalf("login on %s: %d %s", base, status, body)
	}
}

func (b *browser) logout(base string) {
	b.t.Helper()
	if status, body := b.post(base, "/api/logout", url.Values{}); status != http.StatusOK {
		b.t.Fatalf("logout on %s: %d %s", base, status, body)
	}
}

// mustBe fails unless base says the browser is username ("" = anonymous).
func (b *browser) mustBe(base, name, username string) {
	b.t.Helper()
	w := b.whoami(base)
	switch {
	case username == "" && w.Authenticated:
		b.t.Errorf("%s (%s) sees %q, want anonymous", name, base, w.Username)
	case username != "" && (!w.Authenticated || w.Username != username):
		b.t.Errorf("%s (%s) sees %+v, want %q", name, base, w, username)
	}
}

func TestALoginOnOneGoAppIsSeenByTheOtherTwo(t *testing.T) {
	urls, _ := startDemo(t, nil)
	for i, loginApp := range urls {
		t.Run("login on "+appNames[i], func(t *testing.T) {
			b := newBrowser(t)
			for j, u := range urls {
				b.mustBe(u, appNames[j], "")
			}
			b.login(loginApp, "demo", "demo")
			for j, u := range urls {
				b.mustBe(u, appNames[j], "demo")
			}
			// Logging out on the next app ends the session on all three.
			b.logout(urls[(i+1)%3])
			for j, u := range urls {
				b.mustBe(u, appNames[j], "")
			}
		})
	}
}

func TestWhoamiAnswersAsDjangosJsonResponse(t *testing.T) {
	urls, _ := startDemo(t, nil)
	for i, u := range urls {
		b := newBrowser(t)
		if got := string(b.get(u, "/api/whoami")); got != `{"authenticated": false}` {
			t.Errorf("%s anonymous: %s", appNames[i], got)
		}
		if b.csrfToken(u) == "" {
			t.Errorf("%s: GET /api/whoami did not set the csrftoken cookie", appNames[i])
		}
		b.login(u, "demo", "demo")
		want := `{"authenticated": true, "id": 1, "username": "demo", "is_staff": false, "is_superuser": false}`
		if got := string(b.get(u, "/api/whoami")); got != want {
			t.Errorf("%s logged in:\n got %s\nwant %s", appNames[i], got, want)
		}
	}
}

func TestEveryPostNeedsDjangosCSRFToken(t *testing.T) {
	urls, _ := startDemo(t, nil)
	posts := []struct {
		path string
		form url.Values
	}{
		{"/api/login", url.Values{"username": {"demo"}, "password": {"demo"}}},
		{"/api/logout", url.Values{}},
		{"/api/session", url.Values{"key": {"k"}, "value": {"1"}}},
		{"/api/password", url.Values{"password": {"x"}}},
	}
	for i, u := range urls {
		b := newBrowser(t)
		b.get(u, "/api/whoami") // the csrftoken cookie, but no header below
		for _, p := range posts {
			if status, body := b.do(http.MethodPost, u+p.path, p.form, nil); status != http.StatusForbidden {
				t.Errorf("%s POST %s without X-CSRFToken: %d %s, want 403", appNames[i], p.path, status, body)
			}
			bad := http.Header{"X-Csrftoken": {strings.Repeat("a", 32)}}
			if status, _ := b.do(http.MethodPost, u+p.path, p.form, bad); status != http.StatusForbidden {
				t.Errorf("%s POST %s with a wrong token: %d, want 403", appNames[i], p.path, status)
			}
		}
		b.mustBe(u, appNames[i], "") // the refused login did not happen
		if status, _ := b.post(u, "/api/login", posts[0].form); status != http.StatusOK {
			t.Errorf("%s POST /api/login with the token: %d, want 200", appNames[i], status)
		}
	}
}

func TestLoginFailsWith401(t *testing.T) {
	urls, _ := startDemo(t, nil)
	for i, u := range urls {
		b := newBrowser(t)
		status, body := b.post(u, "/api/login", url.Values{"username": {"demo"}, "password": {"wrong"}})
		if status != http.StatusUnauthorized || string(body) != `{"error": "invalid username or password"}` {
			t.Errorf("%s: %d %s", appNames[i], status, body)
		}
	}
}

func TestSessionDataIsSharedInKeyOrder(t *testing.T) {
	urls, _ := startDemo(t, nil)
	b := newBrowser(t)
	// Each app writes one key; every app reads all three in write order.
	for i, u := range urls {
		v := fmt.Sprintf(`{"by": %q, "n": [%d, 1.0, null]}`, appNames[i], i)
		if status, body := b.post(u, "/api/session", url.Values{"key": {fmt.Sprintf("k%d", i)}, "value": {v}}); status != http.StatusOK {
			t.Fatalf("%s POST /api/session: %d %s", appNames[i], status, body)
		}
	}
	want := `{"k0": {"by": "net/http", "n": [0, 1.0, null]}, "k1": {"by": "echo", "n": [1, 1.0, null]}, "k2": {"by": "fiber", "n": [2, 1.0, null]}}`
	for i, u := range urls {
		if got := string(b.get(u, "/api/session")); got != want {
			t.Errorf("%s GET /api/session:\n got %s\nwant %s", appNames[i], got, want)
		}
	}
	for _, key := range []string{"_auth_user_id", ""} {
		if status, _ := b.post(urls[0], "/api/session", url.Values{"key": {key}, "value": {`"1"`}}); status != http.StatusBadRequest {
			t.Errorf("POST /api/session key %q: %d, want 400", key, status)
		}
	}
	if status, _ := b.post(urls[0], "/api/session", url.Values{"key": {"x"}, "value": {"{nope"}}); status != http.StatusBadRequest {
		t.Errorf("POST /api/session with bad JSON: %d, want 400", status)
	}
}

func TestAPasswordChangeKeepsThisSessionAndEndsTheOthers(t *testing.T) {
	urls, _ := startDemo(t, nil)
	alice, other := newBrowser(t), newBrowser(t)
	alice.login(urls[0], "demo", "demo")
	other.login(urls[2], "demo", "demo")
	if status, body := alice.post(urls[1], "/api/password", url.Values{"password": {"new-password"}}); status != http.StatusOK {
		t.Fatalf("POST /api/password: %d %s", status, body)
	}
	for i, u := range urls {
		alice.mustBe(u, appNames[i], "demo")
		other.mustBe(u, appNames[i], "")
	}
	// The new password works, the old one no longer does.
	third := newBrowser(t)
	if status, _ := third.post(urls[2], "/api/login", url.Values{"username": {"demo"}, "password": {"demo"}}); status != http.StatusUnauthorized {
		t.Errorf("old password: %d, want 401", status)
	}
	third.login(urls[0], "demo", "new-password")
	anon := newBrowser(t)
	if status, _ := anon.post(urls[0], "/api/password", url.Values{"password": {"x"}}); status != http.StatusUnauthorized {
		t.Errorf("anonymous POST /api/password: %d, want 401", status)
	}
}

func TestPerm(t *testing.T) {
	urls, _ := startDemo(t, nil)
	b := newBrowser(t)
	for i, u := range urls {
		if got := string(b.get(u, "/api/perm?name=auth.add_user")); got != `{"has_perm": false}` {
			t.Errorf("%s anonymous: %s", appNames[i], got)
		}
	}
	b.login(urls[0], "demo", "demo")
	for i, u := range urls {
		if got := string(b.get(u, "/api/perm?name=auth.add_user")); got != `{"has_perm": false}` {
			t.Errorf("%s demo: %s", appNames[i], got)
		}
	}
}

func TestThePageCountsVisitsInTheSharedSession(t *testing.T) {
	urls, _ := startDemo(t, nil)
	b := newBrowser(t)
	for i, u := range urls {
		page := string(b.get(u, "/"))
		if !strings.Contains(page, "served by <span id=\"app\">"+appNames[i]) {
			t.Errorf("%s: the page does not name its app", appNames[i])
		}
	}
	if got := string(b.get(urls[0], "/api/session")); got != `{"counter": 3}` {
		t.Errorf("after three visits on three apps: %s", got)
	}
}

// TestWithRealDjango runs examples/django_app (manage.py runserver) beside
// the Go demo on one SQLite database, for each Django release: a login in
// Django is seen by each Go app, a logout in Go makes Django anonymous, and
// the reverse.
func TestWithRealDjango(t *testing.T) {
	dir := djangotest.DjangoDir(t)
	for _, release := range djangotest.Releases {
		t.Run("Django "+release, func(t *testing.T) {
			env := map[string]string{"DJANGO_VERSION": release, "SECRET_KEY": "shared-secret-" + release}
			urls, dbURL := startDemo(t, env)
			env["DATABASE_URL"] = dbURL
			django := startDjango(t, dir, release, env)

			b := newBrowser(t)
			b.mustBe(django, "Django", "")
			b.login(django, "demo", "demo")
			for i, u := range urls {
				b.mustBe(u, appNames[i], "demo")
			}
			// A value Django stored is read by Go, in Django's key order.
			if status, body := b.post(django, "/api/session", url.Values{"key": {"from_django"}, "value": {`{"z": 1, "a": [true, 2.5]}`}}); status != http.StatusOK {
				t.Fatalf("Django POST /api/session: %d %s", status, body)
			}
			sess, err := djangosession.ParseJSON(b.get(urls[2], "/api/session"), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			m := sess.(*djangosession.Map)
			if keys := strings.Join(m.Keys(), ","); keys != "_auth_user_id,_auth_user_backend,_auth_user_hash,from_django" {
				t.Errorf("fiber reads the keys %s", keys)
			}
			v, _ := m.Get("from_django")
			if got, _ := djangosession.AppendJSON(nil, v); string(got) != `{"z":1,"a":[true,2.5]}` {
				t.Errorf("fiber reads from_django = %s", got)
			}
			// And the four apps answer GET /api/session byte for byte alike.
			if status, body := b.post(urls[0], "/api/session", url.Values{"key": {"from_go"}, "value": {`{"é": "\"x\"", "n": [1e3, -0.5]}`}}); status != http.StatusOK {
				t.Fatalf("net/http POST /api/session: %d %s", status, body)
			}
			djangoBody := string(b.get(django, "/api/session"))
			for i, u := range urls {
				if got := string(b.get(u, "/api/session")); got != djangoBody {
					t.Errorf("GET /api/session:\n%s: %s\nDjango:   %s", appNames[i], got, djangoBody)
				}
			}

			b.logout(urls[1]) // on echo
			b.mustBe(django, "Django", "")
			for i, u := range urls {
				b.mustBe(u, appNames[i], "")
			}

			// The reverse: a login on a Go app is seen by Django.
			b2 := newBrowser(t)
			b2.login(urls[2], "demo", "demo")
			b2.mustBe(django, "Django", "demo")
			b2.logout(django)
			for i, u := range urls {
				b2.mustBe(u, appNames[i], "")
			}
			b3 := newBrowser(t)
			b3.login(urls[0], "demo", "demo")
			b3.mustBe(django, "Django", "demo")
		})
	}
}

// startDjango runs examples/django_app under release with runserver on a
// free port and returns its base URL.
func startDjango(t *testing.T, dir, release string, env map[string]string) string {
	t.Helper()
	base, _ := startDjangoOutput(t, dir, release, env)
	return base
}

// startDjangoOutput is startDjango that also returns runserver's output
// (standard output and error), where Django's console EMAIL_BACKEND
// writes.
func startDjangoOutput(t *testing.T, dir, release string, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(djangotest.Launcher(dir, release), "../django_app/manage.py", "runserver", "--noreload", addr)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("Django %s runserver output:\n%s", release, out.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			t.Fatalf("Django %s runserver exited:\n%s", release, out.String())
		default:
		}
		if resp, err := http.Get(base + "/api/whoami"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base, out
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Django %s did not come up:\n%s", release, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEnginesWithDjango shares logins with Django 5.2 under each
// SESSION_ENGINE and database, both sides configured by the same
// environment (DATABASE_URL, SESSION_ENGINE, CACHE_URL, CACHE_KEY_PREFIX,
// DJANGO_CACHES with memcached or the DatabaseCache, SESSION_FILE_PATH).
func TestEnginesWithDjango(t *testing.T) {
	dir := djangotest.DjangoDir(t)
	cases := []struct {
		engine, db string
		redis      bool
		naiveTZ    bool   // USE_TZ=false, TIME_ZONE=America/Chicago
		caches     string // DJANGO_CACHES: "memcached" (PyMemcacheCache) or "database" (DatabaseCache)
	}{
		{"db", "postgres", false, false, ""},
		{"db", "mysql", false, false, ""},
		{"db", "sqlite", false, true, ""},
		{"db", "mysql", false, true, ""},
		{"cached_db", "postgres", true, false, ""},
		{"cache", "sqlite", true, false, ""},
		{"cache", "sqlite", false, false, "memcached"},
		{"cached_db", "mysql", false, false, "database"},
		{"cache", "postgres", false, false, "database"},
		{"file", "sqlite", false, false, ""},
		{"signed_cookies", "sqlite", false, false, ""},
	}
	for _, tc := range cases {
		name := tc.engine + " on " + tc.db
		if tc.naiveTZ {
			name += ", USE_TZ=false"
		}
		if tc.caches != "" {
			name += ", " + tc.caches + " DJANGO_CACHES"
		}
		t.Run(name, func(t *testing.T) {
			env := map[string]string{
				"SESSION_ENGINE": tc.engine,
				"SECRET_KEY":     "engines-secret",
				"DATABASE_URL":   djangotest.NewDatabase(t, tc.db).URL,
			}
			if tc.naiveTZ {
				env["USE_TZ"], env["TIME_ZONE"] = "false", "America/Chicago"
			}
			if tc.redis {
				env["CACHE_URL"] = djangotest.RedisURL(t)
				env["CACHE_KEY_PREFIX"] = djangotest.NewRedisPrefix(t)
			}
			switch tc.caches {
			case "memcached":
				env["DJANGO_CACHES"] = fmt.Sprintf(`{"default": {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache", "LOCATION": %q, "KEY_PREFIX": "djbt-demo-%d"}}`,
					djangotest.MemcachedAddr(t), time.Now().UnixNano())
			case "database":
				env["DJANGO_CACHES"] = `{"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "demo_cache"}}`
			}
			if tc.engine == "file" {
				env["SESSION_FILE_PATH"] = t.TempDir()
			}
			urls, _ := startDemo(t, env)
			django := startDjango(t, dir, "5.2", env)

			b := newBrowser(t)
			b.login(django, "demo", "demo")
			for i, u := range urls {
				b.mustBe(u, appNames[i], "demo")
			}
			b.logout(urls[2])
			b.mustBe(django, "Django", "")

			b2 := newBrowser(t)
			b2.login(urls[1], "demo", "demo")
			b2.mustBe(django, "Django", "demo")
			b2.mustBe(urls[0], appNames[0], "demo")
		})
	}
}

// syncBuffer is a strings.Builder safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The README's command: with nothing configured, the demo creates its
// SQLite file with Django's schema and the demo user, warns about the demo
// key, and prints the three addresses and the demo login.
func TestRunWithNothingConfigured(t *testing.T) {
	tmp := t.TempDir()
	getenv := func(k string) string {
		if k == "TMPDIR" {
			return tmp
		}
		return ""
	}
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-http", "127.0.0.1:0", "-echo", "127.0.0.1:0", "-fiber", "127.0.0.1:0"}, getenv, &stdout, &stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stdout.String(), "Django:") {
		select {
		case err := <-done:
			t.Fatalf("run ended: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	dbPath := filepath.Join(tmp, "djangobridge-demo", "db.sqlite3")
	if !strings.Contains(out, "database:   "+dburl.SQLiteURL(dbPath)+"\n") || !strings.Contains(out, "database:   sqlite:////") {
		t.Errorf("banner does not show the database as sqlite:////abs/path (%s):\n%s", dburl.SQLiteURL(dbPath), out)
	}
	for _, want := range []string{"demo login: demo / demo", "net/http:   http://127.0.0.1:", "echo:       http://127.0.0.1:", "fiber:      http://127.0.0.1:"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "SECRET_KEY is not set") {
		t.Errorf("no warning about the demo key:\n%s", stderr.String())
	}
	// The printed net/http address serves, and demo/demo logs in.
	i := strings.Index(out, "net/http:   ")
	base := strings.TrimSuffix(strings.Fields(out[i+len("net/http:   "):])[0], "/")
	newBrowser(t).login(base, "demo", "demo")
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Error(err)
	}
}
