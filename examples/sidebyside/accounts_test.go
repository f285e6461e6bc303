package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is the demo's standard output in tests.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// startDemoMail is startDemo with the console emails captured.
func startDemoMail(t *testing.T) ([3]string, *lockedBuffer) {
	t.Helper()
	urls, out, _ := startDemoMailEnv(t, nil)
	return urls, out
}

// startDemoMailEnv is startDemoMail with env as the environment (a fresh
// SQLite file and a test SECRET_KEY unless set); it also returns the
// database URL.
func startDemoMailEnv(t *testing.T, env map[string]string) ([3]string, *lockedBuffer, string) {
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
	cfg.Settings.Logger = log
	ctx, cancel := context.WithCancel(context.Background())
	d, err := openDemo(ctx, cfg, true, log)
	if err != nil {
		t.Fatal(err)
	}
	out := &lockedBuffer{}
	d.acct.mail.w = out
	var urls [3]string
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
		<-done
		d.Close()
	})
	for _, u := range urls {
		waitUp(t, u)
	}
	return urls, out, cfg.DatabaseURL
}

// TestRegisterActivateResetOnTheGoApps: POST /api/register on one Go app
// answers 201 and prints an activation link; /api/activate on another
// activates once, then answers django-registration's message; bad forms
// get Django's messages in the form's field order; /api/password-reset
// answers {} for known and unknown addresses alike and prints one link,
// which /api/password-reset/confirm on the third app uses once.
func TestRegisterActivateResetOnTheGoApps(t *testing.T) {
	urls, out := startDemoMail(t)
	b := newBrowser(t)
	status, body := b.post(urls[0], "/api/register", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"},
		"password1": {"a fine pass 123"}, "password2": {"a fine pass 123"}})
	if status != http.StatusCreated || string(body) != `{"username": "newbie", "is_active": false}` {
		t.Fatalf("register: %d %s", status, body)
	}
	m := regexp.MustCompile(`/activate/([^/\s]+)/`).FindStringSubmatch(softBreaksOut(out.String()))
	if m == nil {
		t.Fatalf("no activation link in\n%s", out)
	}
	status, body = b.post(urls[1], "/api/activate", url.Values{"activation_key": {m[1]}})
	if status != http.StatusOK || string(body) != `{"username": "newbie", "is_active": true}` {
		t.Fatalf("activate: %d %s", status, body)
	}
	status, body = b.post(urls[2], "/api/activate", url.Values{"activation_key": {m[1]}})
	if status != http.StatusBadRequest || string(body) != `{"errors": {"activation_key": ["The account you tried to activate has already been activated."]}}` {
		t.Errorf("replay: %d %s", status, body)
	}
	status, body = b.post(urls[2], "/api/register", url.Values{"username": {"newbie"}, "email": {"x"},
		"password1": {"123"}, "password2": {"124"}})
	if status != http.StatusBadRequest || string(body) != `{"errors": {"username": ["A user with that username already exists."], "email": ["Enter a valid email address.", "Enter a valid email address."], "password2": ["The two password fields didn\u2019t match."]}}` {
		t.Errorf("bad form: %d %s", status, body)
	}
	big := strings.Repeat("x", 10<<20)
	if status, _ = b.post(urls[0], "/api/register", url.Values{"username": {big}}); status < 400 {
		t.Errorf("10 MB field: %d", status)
	}

	before := softBreaksOut(out.String())
	for _, email := range []string{"nobody@example.com", "NEWBIE@example.com"} {
		status, body = b.post(urls[0], "/api/password-reset", url.Values{"email": {email}})
		if status != http.StatusOK || string(body) != `{}` {
			t.Errorf("reset %s: %d %s", email, status, body)
		}
	}
	links := regexp.MustCompile(`/reset/([^/\s]+)/([^/\s]+)/`).FindAllStringSubmatch(strings.TrimPrefix(softBreaksOut(out.String()), before), -1)
	if len(links) != 1 {
		t.Fatalf("want one reset mail, got %d", len(links))
	}
	form := url.Values{"uidb64": {links[0][1]}, "token": {links[0][2]}, "new_password1": {"another pass 456"}, "new_password2": {"another pass 456"}}
	if status, body = b.post(urls[2], "/api/password-reset/confirm", form); status != http.StatusOK {
		t.Fatalf("confirm: %d %s", status, body)
	}
	if status, _ = b.post(urls[1], "/api/password-reset/confirm", form); status != http.StatusBadRequest {
		t.Errorf("replayed reset link: %d", status)
	}
	b.login(urls[0], "newbie", "another pass 456")
}
