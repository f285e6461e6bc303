package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

func TestMain(m *testing.M) {
	code := djangotest.RunMain(m)
	djangotest.StopAll()
	os.Exit(code)
}

// The example, built and run as a newcomer would deploy it (PostgreSQL that
// real Django migrated, sessions in Redis with SESSION_ENGINE=cache), on
// every release: the page refuses a POST without its CSRF token, shows
// RegistrationForm's message for a bad form, and registers a user whom
// Django then knows: the session it logged in is Django's request.user,
// the password checks in Django, and Django's messages framework shows the flash
// message (as does the next Go page, once).
func TestRegisterExampleAgainstDjango(t *testing.T) {
	djangotest.DjangoDir(t)
	redisURL := djangotest.RedisURL(t)
	bin := filepath.Join(t.TempDir(), "register")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const key, password = "register-example-key", "correct-horse-42"
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			db := djangotest.NewEmptyDatabase(t, "postgres")
			prefix := djangotest.NewRedisPrefix(t)
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: key, DatabaseURL: db.URL, UseTZ: true,
				SessionEngine: "cache", CacheURL: redisURL, CacheKeyPrefix: prefix})
			d.Do(t, "migrate", map[string]any{}, nil)

			addr := freeAddr(t)
			cmd := exec.Command(bin)
			cmd.Env = []string{"DATABASE_URL=" + db.URL, "SECRET_KEY=" + key, "DJANGO_VERSION=" + rel,
				"SESSION_ENGINE=django.contrib.sessions.backends.cache", "CACHE_URL=" + redisURL,
				"CACHE_KEY_PREFIX=" + prefix, "ADDR=" + addr}
			var logs strings.Builder
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})

			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar, Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			base := "http://" + addr
			do := func(method, path string, form url.Values) (*http.Response, string) {
				t.Helper()
				req, _ := http.NewRequestWithContext(context.Background(), method, base+path, strings.NewReader(form.Encode()))
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				res, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v\n%s", method, path, err, logs.String())
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res, string(b)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case err := <-exited:
					t.Fatalf("the example exited: %v\n%s", err, logs.String())
				default:
				}
				if c, err := net.Dial("tcp", addr); err == nil {
					c.Close()
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the example never answered\n%s", logs.String())
				}
				time.Sleep(50 * time.Millisecond)
			}

			_, page := do("GET", "/accounts/register/", nil)
			m := regexp.MustCompile(`name="csrfmiddlewaretoken" value="([^"]+)"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no CSRF token in the page:\n%s", page)
			}
			form := url.Values{"username": {"alice"}, "email": {"alice@example.com"},
				"password1": {password}, "password2": {password + "x"}}
			if res, _ := do("POST", "/accounts/register/", form); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST without csrfmiddlewaretoken: %d, want 403", res.StatusCode)
			}
			form.Set("csrfmiddlewaretoken", m[1])
			if res, page := do("POST", "/accounts/register/", form); res.StatusCode != 200 ||
				!strings.Contains(page, "password2: The two password fields didn’t match.") {
				t.Errorf("mismatched passwords: %d\n%s", res.StatusCode, page)
			}
			form.Set("password2", password)
			res, _ := do("POST", "/accounts/register/", form)
			if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/" {
				t.Fatalf("registration: %d to %q, want 302 to /\n%s", res.StatusCode, res.Header.Get("Location"), logs.String())
			}
			cookies := map[string]string{}
			for _, c := range jar.Cookies(&url.URL{Scheme: "http", Host: addr, Path: "/"}) {
				cookies[c.Name] = c.Value
			}
			if cookies["sessionid"] == "" || cookies["messages"] == "" {
				t.Fatalf("registration set cookies %v, want sessionid and messages", cookies)
			}

			// Django: the session is alice's, her password checks, and a
			// Django page shows the message.
			var who struct{ User struct{ Username string } }
			d.Do(t, "auth_whoami", map[string]any{"session_key": cookies["sessionid"]}, &who)
			if who.User.Username != "alice" {
				t.Errorf("Django's request.user for Go's session: %+v, want alice", who.User)
			}
			var ok struct{ OK bool }
			d.Do(t, "auth_check_password", map[string]any{"username": "alice", "password": password}, &ok)
			if !ok.OK {
				t.Error("Django's check_password refused the password Go hashed")
			}
			var shown struct {
				Shown []struct{ Message, Tags string }
			}
			d.Do(t, "messages_request", map[string]any{"cookie": cookies["messages"], "session_key": cookies["sessionid"],
				"iterate": true}, &shown)
			if len(shown.Shown) != 1 || shown.Shown[0].Message != "Welcome, alice." || shown.Shown[0].Tags != "success" {
				t.Errorf("Django showed %+v, want [Welcome, alice. (success)]", shown.Shown)
			}

			// Go: the next page shows it once, logged in; the one after, not.
			if _, page := do("GET", "/", nil); !strings.Contains(page, `<p class="success">Welcome, alice.</p>`) ||
				!strings.Contains(page, "Logged in as alice.") {
				t.Errorf("the page after registering:\n%s", page)
			}
			if _, page := do("GET", "/", nil); strings.Contains(page, "Welcome") || !strings.Contains(page, "Logged in as alice.") {
				t.Errorf("the message showed twice:\n%s", page)
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
