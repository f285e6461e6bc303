package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

// The known answer of django-formats.md §11, made by real Django.
const djangoSession = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOpOTEpWqgUAjnEncw:1r31eq:0gBguih2OrpFxX-_yZtfKcUuflrmSR2-mjr1wB7u820"

func TestSessionDecode(t *testing.T) {
	env := map[string]string{"SECRET_KEY": "test-secret-key"}
	r := runCLI(t, env, "", "session", "decode", djangoSession)
	want := `{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"abc"}` + "\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("%+v", r)
	}
	// Flags override the environment; a wrong key is a refusal with a reason.
	r = runCLI(t, env, "", "session", "decode", "--secret-key", "other", djangoSession)
	if r.code != exitRefused || !strings.Contains(r.stderr, "bad signature") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("%+v", r)
	}
	for _, bad := range []string{"", "garbage", djangoSession[:40], strings.Repeat("A", 100000)} {
		if r := runCLI(t, env, "", "session", "decode", bad); r.code != exitRefused {
			t.Errorf("%q: %+v", bad, r)
		}
	}
	if r := runCLI(t, nil, "", "session", "decode", djangoSession); r.code != exitConfig || !strings.Contains(r.stderr, "SECRET_KEY") {
		t.Fatalf("no key: %+v", r)
	}
}

func TestSessionEncodeDecodeBothEngines(t *testing.T) {
	env := map[string]string{"SECRET_KEY": "k", "SECRET_KEY_FALLBACKS": "old"}
	in := `{"z":1,"big":123456789012345678901234567890,"f":1.0,"u":"ä😀","n":{"l":[null,true]}}`
	want := `{"z":1,"big":123456789012345678901234567890,"f":1.0,"u":"\u00e4\ud83d\ude00","n":{"l":[null,true]}}` + "\n"
	for _, engine := range []string{"db", "signed_cookies", "django.contrib.sessions.backends.signed_cookies"} {
		enc := runCLI(t, env, "", "session", "encode", "--engine", engine, in)
		if enc.code != 0 {
			t.Fatalf("%s: %+v", engine, enc)
		}
		dec := runCLI(t, env, "", "session", "decode", strings.TrimSpace(enc.stdout), "--engine", engine)
		if dec.code != 0 || dec.stdout != want {
			t.Fatalf("%s: %+v", engine, dec)
		}
	}
	if r := runCLI(t, env, "", "session", "encode", `{"a":`); r.code != exitRefused {
		t.Fatalf("bad JSON: %+v", r)
	}
	if r := runCLI(t, env, "", "session", "encode", "--engine", "cache", `{}`); r.code != exitUsage {
		t.Fatalf("cache engine: %+v", r)
	}
}

func TestHelpEverywhere(t *testing.T) {
	for name := range commands {
		args := append(strings.Fields(name), "--help")
		if r := runCLI(t, nil, "", args...); r.code != 0 || !strings.Contains(r.stderr, "usage: djangobridge "+name) {
			t.Errorf("%s --help: %+v", name, r)
		}
	}
	if r := runCLI(t, nil, "", "nonsense"); r.code != exitUsage {
		t.Error(r)
	}
}

func TestPasswordHashAndCheck(t *testing.T) {
	r := runCLI(t, nil, "pässword\n", "password", "hash", "--iterations", "1000", "-")
	enc := strings.TrimSpace(r.stdout)
	if r.code != 0 || !strings.HasPrefix(enc, "pbkdf2_sha256$1000$") {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, nil, "", "password", "check", "pässword", enc); r.code != 0 || !strings.Contains(r.stderr, "must update") {
		t.Fatalf("1000 iterations under 5.2 must update: %+v", r)
	}
	if r := runCLI(t, nil, "", "password", "check", "wrong", enc); r.code != exitRefused {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, nil, "", "password", "check", "x", "pbkdf2_sha256$999999999999$s$h"); r.code != exitUsage {
		t.Fatalf("over-limit hash: %+v", r)
	}
	// The known answer of django-formats.md §11, under 3.2 rules: current.
	kat := "pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ="
	if r := runCLI(t, map[string]string{"DJANGO_VERSION": "3.2"}, "", "password", "check", "pässword", kat); r.code != 0 || r.stderr != "" {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, nil, "", "password", "hash", "--hasher", "md5", "x"); r.code != 0 || !strings.HasPrefix(r.stdout, "md5$") {
		t.Fatalf("%+v", r)
	}
}

// TestPasswordArgon2HashLength: --argon2-hash-length (or
// $ARGON2_HASH_LENGTH) sets the length of new argon2 hashes and what
// "must update" wants; default 32, argon2-cffi 23.1+'s.
func TestPasswordArgon2HashLength(t *testing.T) {
	hashLen := func(enc string) int {
		i := strings.LastIndexByte(enc, '$')
		b, err := base64.RawStdEncoding.DecodeString(enc[i+1:])
		if err != nil {
			t.Fatalf("%q: %v", enc, err)
		}
		return len(b)
	}
	hash := func(env map[string]string, args ...string) string {
		r := runCLI(t, env, "", append([]string{"password", "hash", "--hasher", "argon2"}, append(args, "pw")...)...)
		if r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
		return strings.TrimSpace(r.stdout)
	}
	e32, e16 := hash(nil), hash(nil, "--argon2-hash-length", "16")
	if hashLen(e32) != 32 || hashLen(e16) != 16 || hashLen(hash(map[string]string{"ARGON2_HASH_LENGTH": "16"})) != 16 {
		t.Fatalf("hash lengths: %s, %s", e32, e16)
	}
	for _, c := range []struct {
		enc    string
		args   []string
		update bool
	}{
		{e32, nil, false}, {e16, nil, true},
		{e16, []string{"--argon2-hash-length", "16"}, false}, {e32, []string{"--argon2-hash-length", "16"}, true},
	} {
		r := runCLI(t, nil, "", append([]string{"password", "check", "--hasher", "argon2"}, append(c.args, "pw", c.enc)...)...)
		if r.code != 0 || strings.Contains(r.stderr, "must update") != c.update {
			t.Errorf("check %v %s: %+v; want must update %v", c.args, c.enc, r, c.update)
		}
	}
	if r := runCLI(t, nil, "", "password", "hash", "--argon2-hash-length", "2", "pw"); r.code != exitConfig || !strings.Contains(r.stderr, "ARGON2_HASH_LENGTH") {
		t.Errorf("hash length 2: %+v", r)
	}
}

// TestDatabaseCommands: session get, clearsessions and the user commands on
// a SQLite database with Django's schema.
func TestDatabaseCommands(t *testing.T) {
	djdb := djangotest.NewDatabase(t, "sqlite")
	env := map[string]string{"SECRET_KEY": "k", "DATABASE_URL": djdb.URL}
	ctx := context.Background()
	db := djdb.Open(t)
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	st, err := sqlstore.New(db, sqlstore.SQLite, &s)
	if err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "s3cret\n", "user", "create", "alice", "--email", "a@example.com", "--password", "-"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "x\n", "user", "create", "alice", "--password", "-"); r.code != exitRefused || !strings.Contains(r.stderr, "exist") {
		t.Fatalf("duplicate user: %+v", r)
	}
	if r := runCLI(t, env, "s3cret\n", "user", "check-password", "alice"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "nope\n", "user", "check-password", "alice"); r.code != exitRefused {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "n3w\n", "user", "set-password", "alice"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "n3w\n", "user", "check-password", "alice"); r.code != 0 {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "", "user", "create", "bob", "--password", "plain"); r.code != exitUsage {
		t.Fatalf("password on the command line: %+v", r)
	}

	mgr := newManager(t, &s, st)
	sess := mgr.Open(ctx, "")
	sess.Set("k", "v")
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "session", "get", sess.Key()); r.code != 0 || r.stdout != `{"k":"v"}`+"\n" {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, env, "", "session", "get", "abcdefghabcdefghabcdefghabcdefgh"); r.code != exitRefused {
		t.Fatalf("missing: %+v", r)
	}
	if r := runCLI(t, env, "", "session", "get", "../etc/passwd"); r.code != exitRefused {
		t.Fatalf("bad key: %+v", r)
	}
	if _, err := db.Exec("UPDATE django_session SET expire_date = '2000-01-01 00:00:00'"); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, env, "", "clearsessions"); r.code != 0 || r.stdout != "deleted 1 expired sessions\n" {
		t.Fatalf("%+v", r)
	}
	if r := runCLI(t, map[string]string{"SECRET_KEY": "k", "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"}, "", "clearsessions"); r.code != exitConfig {
		t.Fatalf("unreachable database: %+v", r)
	}
}

// TestCLIAgainstDjango: what `session encode` prints, real Django reads;
// what Django encodes, `session decode` prints; on every release.
func TestCLIAgainstDjango(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "cli-key"})
			env := map[string]string{"SECRET_KEY": "cli-key", "DJANGO_VERSION": rel}
			js := `{"\u00e4":[1,1.0,12345678901234567890123],"x":{"y":null}}`
			enc := runCLI(t, env, "", "session", "encode", js)
			var dec struct{ Data json.RawMessage }
			d.Do(t, "session_decode", map[string]any{"value": strings.TrimSpace(enc.stdout)}, &dec)
			if strings.ReplaceAll(string(dec.Data), " ", "") != js {
				t.Fatalf("Django read %s", dec.Data)
			}
			var out struct{ Value string }
			d.Do(t, "session_encode", map[string]any{"data": json.RawMessage(js)}, &out)
			if r := runCLI(t, env, "", "session", "decode", out.Value); r.stdout != js+"\n" {
				t.Fatalf("%+v", r)
			}
		})
	}
}
