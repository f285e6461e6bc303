// Package examples_test builds and runs every example against a SQLite
// database that real Django migrated, with a session made by a real Django
// login, and checks each one's GET /api/whoami.
package examples_test

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// The examples: a directory each; echo5, fiber3 and gin are modules of
// their own (their frameworks' dependencies stay out of the root module).
var examples = []string{"nethttp", "chi", "echo", "echo5", "fiber", "fiber3", "gin"}

func TestExamplesAnswerWhoamiForADjangoLogin(t *testing.T) {
	const release, key = "5.2", "examples-secret-key"
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	url := "sqlite:///" + path
	d := djangotest.Start(t, release, djangotest.Config{SecretKey: key, DatabaseURL: url})
	d.Do(t, "migrate", map[string]any{}, nil)
	d.Do(t, "auth_create_user", map[string]any{"username": "ada", "password": "s3cret-pass", "superuser": true}, nil)
	var login struct{ Key string }
	d.Do(t, "auth_login", map[string]any{"username": "ada", "password": "s3cret-pass"}, &login)
	if login.Key == "" {
		t.Fatal("Django refused the login")
	}
	bin := t.TempDir()
	for _, name := range examples {
		t.Run(name, func(t *testing.T) {
			exe := filepath.Join(bin, name)
			build := exec.Command("go", "build", "-o", exe, ".")
			build.Dir = name
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s", err, out)
			}
			addr := freeAddr(t)
			cmd := exec.Command(exe)
			cmd.Env = append(os.Environ(), "DATABASE_URL="+url, "SECRET_KEY="+key, "DJANGO_VERSION="+release, "ADDR="+addr)
			var logs strings.Builder
			cmd.Stdout, cmd.Stderr = &logs, &logs
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
			base := "http://" + addr + "/api/whoami"
			anon := whoami(t, base, "", &logs)
			if anon["authenticated"] != false || len(anon) != 1 {
				t.Errorf("no cookie: %v, want {\"authenticated\": false}", anon)
			}
			got := whoami(t, base, "sessionid="+login.Key, &logs)
			want := map[string]any{"authenticated": true, "id": float64(1), "username": "ada", "is_staff": true, "is_superuser": true}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Django login: %v, want %v", got, want)
			}
		})
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// whoami GETs url with cookie, waiting up to 30 s for the server to start.
func whoami(t *testing.T, url, cookie string, logs fmt.Stringer) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("GET", url, nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("the example did not answer: %v\n%s", err, logs)
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil {
			t.Fatalf("GET %s: %d %s\n%s", url, resp.StatusCode, body, logs)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type %q", cmp.Or(ct, "none"))
		}
		return out
	}
}
