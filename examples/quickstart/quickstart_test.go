package main

import (
	"context"
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

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

// The README's Quick start is this program, character for character (from
// "package main" on), so that what CI compiles is what users copy.
func TestREADMEQuickStartIsThisFile(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "## Quick start")
	if !ok {
		t.Fatal("README has no Quick start section")
	}
	_, block, ok := strings.Cut(after, "```go\n")
	if !ok {
		t.Fatal("the Quick start has no ```go block")
	}
	block, _, _ = strings.Cut(block, "```\n")
	_, program, _ := strings.Cut(string(src), "package main\n")
	if block != "package main\n"+program {
		t.Errorf("the README's Quick start differs from examples/quickstart/main.go (from \"package main\" on): copy the file into the README")
	}
}

// The Quick start, built and run against a SQLite database real Django
// migrated, answers the user of a cookie from a real Django login, on
// every release.
func TestQuickStartAnswersDjangoLogin(t *testing.T) {
	djangotest.DjangoDir(t)
	bin := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dbURL := "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite3")
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "quickstart-key", DatabaseURL: dbURL, UseTZ: true})
			d.Do(t, "migrate", map[string]any{}, nil)
			d.Do(t, "auth_create_user", map[string]any{"username": "alice", "password": "pässword"}, nil)
			var login struct{ Key string }
			d.Do(t, "auth_login", map[string]any{"username": "alice", "password": "pässword"}, &login)
			if login.Key == "" {
				t.Fatal("Django refused the login")
			}

			addr := freeAddr(t)
			cmd := exec.Command(bin)
			cmd.Env = []string{"DATABASE_URL=" + dbURL, "SECRET_KEY=quickstart-key", "DJANGO_VERSION=" + rel, "ADDR=" + addr}
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

			whoami := func(cookie string) (int, string) {
				req, _ := http.NewRequest("GET", "http://"+addr+"/whoami", nil)
				if cookie != "" {
					req.Header.Set("Cookie", "sessionid="+cookie)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				res, err := http.DefaultClient.Do(req.WithContext(ctx))
				if err != nil {
					return 0, err.Error()
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, string(b)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				select {
				case err := <-exited:
					t.Fatalf("quickstart exited: %v\n%s", err, logs.String())
				default:
				}
				if code, _ := whoami(""); code != 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("quickstart never answered\n%s", logs.String())
				}
				time.Sleep(50 * time.Millisecond)
			}
			if code, body := whoami(login.Key); code != 200 || body != "hello alice\n" {
				t.Errorf("with Django's cookie: %d %q\n%s", code, body, logs.String())
			}
			if code, _ := whoami(""); code != http.StatusUnauthorized {
				t.Errorf("without a cookie: %d", code)
			}
		})
	}
}

// The Quick start refuses to start with an empty SECRET_KEY, saying so.
func TestQuickStartRefusesEmptyKey(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"DJANGO_VERSION=5.2", "DATABASE_URL=sqlite:///nonexistent.db"}, "SECRET_KEY is empty"},
		{[]string{"SECRET_KEY=k", "DATABASE_URL=sqlite:///nonexistent.db"}, "DJANGO_VERSION is not set"},
		{[]string{"SECRET_KEY=k", "DJANGO_VERSION=5.2", "DATABASE_URL=sqlite:///nonexistent.db"}, "no SQLite database at /nonexistent.db"},
	} {
		cmd := exec.Command(bin)
		cmd.Env = append(c.env, "ADDR=127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), c.want) {
			t.Errorf("%v: %v\n%s", c.env, err, out)
		}
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
