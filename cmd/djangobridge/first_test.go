package main

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func journalMode(t *testing.T, db *sql.DB) string {
	t.Helper()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return mode
}

// The CLI leaves a Django SQLite database's journal mode (and its files)
// as it found them, whatever the command.
func TestJournalModeUnchanged(t *testing.T) {
	for _, start := range []string{"delete", "wal"} {
		t.Run(start, func(t *testing.T) {
			djdb := djangotest.NewDatabase(t, "sqlite") // the tables Django's migrate made
			raw := djdb.Open(t)
			if start == "wal" {
				if _, err := raw.Exec("PRAGMA journal_mode=WAL"); err != nil {
					t.Fatal(err)
				}
			}
			if got := journalMode(t, raw); got != start {
				t.Fatalf("test database starts in %s", got)
			}
			raw.Close()
			env := map[string]string{"SECRET_KEY": "k", "DATABASE_URL": djdb.URL}
			for _, args := range [][]string{
				{"clearsessions"},
				{"check"},
				{"session", "get", "abcdefghabcdefghabcdefghabcdefgh"},
				{"user", "create", "alice"},
			} {
				r := runCLI(t, env, "", args...)
				if r.code > exitRefused {
					t.Fatalf("%v: %+v", args, r)
				}
			}
			if start == "delete" {
				for _, suffix := range []string{"-wal", "-shm"} {
					if _, err := os.Stat(djdb.Name + suffix); err == nil {
						t.Errorf("%s appeared beside the database", djdb.Name+suffix)
					}
				}
			}
			raw2, err := sql.Open("sqlite", "file:"+djdb.Name)
			if err != nil {
				t.Fatal(err)
			}
			defer raw2.Close()
			if got := journalMode(t, raw2); got != start {
				t.Errorf("journal_mode after the CLI: %s, was %s", got, start)
			}
		})
	}
}

// Commands that sign and verify nothing do not ask for SECRET_KEY.
func TestNoSecretKeyNeeded(t *testing.T) {
	djdb := djangotest.NewDatabase(t, "sqlite")
	env := map[string]string{"DATABASE_URL": djdb.URL}
	for _, c := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"password", "hash", "--iterations", "1000", "x"}},
		{"", []string{"password", "check", "x", "md5$salt$a30b4a4ae3ec4cf7e2c3d3e1b3c5ff8a"}},
		{"pw\n", []string{"user", "create", "bob", "--password", "-"}},
		{"pw2\n", []string{"user", "set-password", "bob"}},
		{"pw2\n", []string{"user", "check-password", "bob"}},
		{"", []string{"clearsessions"}},
	} {
		r := runCLI(t, env, c.stdin, c.args...)
		if len(c.args) > 1 && c.args[1] == "check" && r.code == exitRefused {
			continue // a wrong md5, fine: it was not asked for a key
		}
		if r.code != 0 || strings.Contains(r.stderr, "SECRET_KEY") {
			t.Errorf("%v without SECRET_KEY: %+v", c.args, r)
		}
	}
	// The ones that sign or verify do, in words that name the fix.
	for _, args := range [][]string{{"session", "decode", "x:y"}, {"session", "get", "abcdefghabcdefghabcdefghabcdefgh"}, {"check"}} {
		r := runCLI(t, env, "", args...)
		if r.code != exitConfig || !strings.Contains(r.stderr, "set SECRET_KEY") {
			t.Errorf("%v without SECRET_KEY: %+v", args, r)
		}
	}
	// clearsessions on the file engine reads sessions: it asks.
	env["SESSION_ENGINE"] = "file"
	if r := runCLI(t, env, "", "clearsessions"); r.code != exitConfig || !strings.Contains(r.stderr, "SECRET_KEY") {
		t.Errorf("clearsessions on file without SECRET_KEY: %+v", r)
	}
}

// Every error line starts with "djangobridge: " once.
func TestPrefixOnce(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"SECRET_KEY": "k", "SESSION_ENGINE": "bogus"}, []string{"session", "decode", "x"}},
		{map[string]string{"SECRET_KEY": "k", "DJANGO_VERSION": "2.2"}, []string{"session", "decode", "x"}},
		{map[string]string{"SECRET_KEY": "k"}, []string{"session", "decode", "x:y"}},
		{map[string]string{"SECRET_KEY": "k", "DATABASE_URL": "oracle://x"}, []string{"check"}},
		{map[string]string{"SECRET_KEY": "k", "DATABASE_URL": "sqlite:////nonexistent/dir/db.sqlite3"}, []string{"check"}},
		{map[string]string{}, []string{"password", "check", "x", "nonsense$"}},
	} {
		r := runCLI(t, c.env, "", c.args...)
		if r.code == 0 || r.stderr == "" {
			t.Errorf("%v: %+v", c.args, r)
			continue
		}
		for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
			if !strings.HasPrefix(line, "djangobridge: ") || strings.Count(line, "djangobridge:") != 1 || strings.Contains(line, "bridge: ") && strings.Count(line, "bridge: ") > 1 {
				t.Errorf("%v: line %q", c.args, line)
			}
		}
	}
}

func TestSessionDecodeGivenAKey(t *testing.T) {
	r := runCLI(t, map[string]string{"SECRET_KEY": "k"}, "", "session", "decode", "abcdefghabcdefghabcdefghabcdefgh")
	if r.code != exitRefused || !strings.Contains(r.stderr, "is a session key") || !strings.Contains(r.stderr, "djangobridge session get abcdefghabcdefghabcdefghabcdefgh") {
		t.Errorf("%+v", r)
	}
}

// password check and user check-password say the same things.
func TestPasswordChecksReportAlike(t *testing.T) {
	djdb := djangotest.NewDatabase(t, "sqlite")
	env := map[string]string{"DATABASE_URL": djdb.URL}
	if r := runCLI(t, env, "s3cret\n", "user", "create", "carol", "--password", "-"); r.code != 0 {
		t.Fatal(r)
	}
	var enc string
	if err := djdb.Open(t).QueryRow("SELECT password FROM auth_user WHERE username = 'carol'").Scan(&enc); err != nil {
		t.Fatal(err)
	}
	okA := runCLI(t, env, "", "password", "check", "s3cret", enc)
	okB := runCLI(t, env, "s3cret\n", "user", "check-password", "carol")
	badA := runCLI(t, env, "", "password", "check", "nope", enc)
	badB := runCLI(t, env, "nope\n", "user", "check-password", "carol")
	if okA != okB || okA.code != 0 || okA.stdout != "password ok\n" {
		t.Errorf("match: password check %+v, user check-password %+v", okA, okB)
	}
	if badA != badB || badA.code != exitRefused || badA.stderr != "djangobridge: password does not match\n" {
		t.Errorf("mismatch: password check %+v, user check-password %+v", badA, badB)
	}
}

// Each command's help lists its own flags only, and the exit codes.
func TestHelpListsOwnFlags(t *testing.T) {
	r := runCLI(t, nil, "", "password", "hash", "--help")
	for _, want := range []string{"-hasher", "-iterations", "-django-version", "exit status", "3  configuration or connection error"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("password hash --help lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, not := range []string{"-database-url", "-secret-key", "-cache-url", "-engine"} {
		if strings.Contains(r.stderr, not) {
			t.Errorf("password hash --help lists %s", not)
		}
	}
	r = runCLI(t, nil, "", "user", "create", "--help")
	if strings.Contains(r.stderr, "-secret-key") || !strings.Contains(r.stderr, "-database-url") {
		t.Errorf("user create --help:\n%s", r.stderr)
	}
	r = runCLI(t, nil, "", "--help")
	if r.code != 0 || !strings.Contains(r.stderr, "check") || !strings.Contains(r.stderr, "3  configuration or connection error") {
		t.Errorf("--help: %+v", r)
	}
}

// djangobridge check: 0 when everything matches, 1 for what it finds, 3
// for configuration and connection errors, each with its fix.
func TestCheckCommand(t *testing.T) {
	ctx := context.Background()
	djdb := djangotest.NewDatabase(t, "sqlite")
	env := map[string]string{"SECRET_KEY": "django-key", "DATABASE_URL": djdb.URL}
	if r := runCLI(t, env, "", "check"); r.code != 0 || !strings.HasPrefix(r.stdout, "ok: ") {
		t.Fatalf("%+v", r)
	}
	s := djangobridge.Defaults()
	s.SecretKey = "django-key"
	raw := djdb.Open(t)
	st, err := sqlstore.New(raw, sqlstore.SQLite, &s)
	if err != nil {
		t.Fatal(err)
	}
	sess := newManager(t, &s, st).Open(ctx, "")
	sess.Set("_auth_user_id", "1")
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "check"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	wrong := map[string]string{"SECRET_KEY": "not-django-key", "DATABASE_URL": djdb.URL}
	if r := runCLI(t, wrong, "", "check"); r.code != exitRefused || !strings.Contains(r.stderr, "does not match the one Django signed them with") {
		t.Errorf("wrong key: %+v", r)
	}
	if r := runCLI(t, map[string]string{"SECRET_KEY": "k", "DATABASE_URL": "postgres://u:pw@127.0.0.1:1/db?connect_timeout=2"}, "", "check"); r.code != exitConfig || !strings.Contains(r.stderr, "does not answer") {
		t.Errorf("unreachable: %+v", r)
	}
	if r := runCLI(t, map[string]string{"SECRET_KEY": "k"}, "", "check"); r.code != exitConfig || !strings.Contains(r.stderr, "DATABASE_URL is empty") {
		t.Errorf("no DATABASE_URL: %+v", r)
	}
	if _, err := raw.Exec("DROP TABLE django_session"); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "check"); r.code != exitRefused || !strings.Contains(r.stderr, "no table django_session") || !strings.Contains(r.stderr, "manage.py migrate") {
		t.Errorf("no django_session: %+v", r)
	}
}
