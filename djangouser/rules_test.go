package djangouser_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// TestAuthHashRulesPerRelease covers the releases between the tested ones:
// which stored _auth_user_hash keeps a user logged in, by DjangoVersion.
func TestAuthHashRulesPerRelease(t *testing.T) {
	const oldKey = "the-old-secret"
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	u := e.createUser(t, "rules", "pw")
	hmac := func(secret, alg string) string {
		m, err := djangosession.SaltedHMAC(djangouser.SessionAuthHashSalt, u.Password, secret, alg)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%x", m)
	}
	type verdict struct{ in, cycled bool }
	for _, c := range []struct {
		version string
		hash    string
		want    verdict
	}{
		{"3.2", hmac(testSecret, "sha1"), verdict{true, false}},
		{"4.0", hmac(testSecret, "sha1"), verdict{false, false}},
		{"4.0", hmac(oldKey, "sha256"), verdict{false, false}},
		{"4.1.7", hmac(oldKey, "sha256"), verdict{false, false}},
		{"4.1.8", hmac(oldKey, "sha256"), verdict{true, true}},
		{"4.2", hmac(oldKey, "sha256"), verdict{true, true}},
		{"5.2", hmac(oldKey, "sha256"), verdict{true, true}},
		{"5.2", hmac(oldKey, "sha1"), verdict{false, false}},
		{"5.2", hmac(testSecret, "sha256"), verdict{true, false}},
	} {
		ce := e.with(t, func(s *djangobridge.Settings) {
			s.DjangoVersion = djangobridge.MustParseVersion(c.version)
			s.SecretKeyFallbacks = []string{oldKey}
		})
		sess := ce.sessions.Open(ctx, "")
		for k, v := range map[string]string{
			djangosession.KeyAuthUserID: u.PK(), djangosession.KeyAuthBackend: djangouser.ModelBackendPath, djangosession.KeyAuthHash: c.hash,
		} {
			if err := sess.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		key := sess.Key()
		got, after := ce.whoami(t, key)
		v := verdict{got.IsAuthenticated(), after != "" && after != key}
		if v != c.want {
			t.Errorf("Django %s, hash %.8s…: in=%v cycled=%v, want %+v", c.version, c.hash, v.in, v.cycled, c.want)
		}
	}
}

// countingPasswords wraps the real hashers to count dummy runs.
type countingPasswords struct {
	djangouser.Passwords
	dummies atomic.Int64
}

func (c *countingPasswords) RunDummy(ctx context.Context) error {
	c.dummies.Add(1)
	return c.Passwords.RunDummy(ctx)
}

func TestUnknownUserRunsTheHasherOnce(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	e.createUser(t, "known", "pw")
	pw := &countingPasswords{Passwords: passwordsOf(t, &e.s)}
	a, err := djangouser.New(&e.s, e.users, pw)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, map[string]string{"username": "unknown", "password": "pw"}); !errors.Is(err, djangouser.ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, map[string]string{"username": "known", "password": "bad"}); !errors.Is(err, djangouser.ErrInvalidCredentials) {
		t.Fatal(err)
	}
	if n := pw.dummies.Load(); n != 1 {
		t.Errorf("dummy hasher runs = %d, want 1 (for the unknown user only)", n)
	}
}

func TestBackendsFromSettings(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	u := e.createUser(t, "sleepy", "pw")
	u.IsActive = false
	if err := e.auth.Save(ctx, u); err != nil {
		t.Fatal(err)
	}
	all := e.with(t, func(s *djangobridge.Settings) {
		s.AuthenticationBackends = []string{djangouser.AllowAllUsersModelBackendPath}
	})
	got, err := all.auth.Authenticate(ctx, map[string]string{"username": "sleepy", "password": "pw"})
	if err != nil || got.Backend != djangouser.AllowAllUsersModelBackendPath {
		t.Fatalf("AllowAllUsersModelBackend: %v, %v", got, err)
	}
	key := all.login(t, "sleepy", "pw")
	if back, _ := all.whoami(t, key); back.Username != "sleepy" {
		t.Errorf("AllowAllUsersModelBackend GetUser = %v", back)
	}
	// ModelBackend (the default) refuses the same session: the backend
	// path stored is not configured there, and the user is inactive.
	if back, _ := e.whoami(t, key); !back.IsAnonymous() {
		t.Errorf("ModelBackend GetUser = %v", back)
	}
	s := e.s
	s.AuthenticationBackends = []string{"myapp.backends.LDAPBackend"}
	if _, err := djangouser.New(&s, e.users, passwordsOf(t, &s)); !errors.Is(err, djangouser.ErrConfig) {
		t.Errorf("unknown backend path: %v, want ErrConfig", err)
	}
	s.AuthenticationBackends = []string{djangouser.ModelBackendPath, djangouser.AllowAllUsersModelBackendPath}
	two, err := djangouser.New(&s, e.users, passwordsOf(t, &s))
	if err != nil {
		t.Fatal(err)
	}
	bare, err := e.users.UserByUsername(ctx, "sleepy")
	if err != nil {
		t.Fatal(err)
	}
	if err := two.Login(ctx, e.sessions.Open(ctx, ""), bare); !errors.Is(err, djangouser.ErrNoBackend) {
		t.Errorf("Login with two backends and no User.Backend: %v, want ErrNoBackend", err)
	}
}

// TestWrongSecretKeyLogsTheFix: a readable session (the cache engine's
// are not signed) whose _auth_user_hash was made under another SECRET_KEY
// is flushed as Django does, and the log says what to fix, at most once a
// minute with the count.
func TestWrongSecretKeyLogsTheFix(t *testing.T) {
	var logs strings.Builder
	e := newEnv(t, "sqlite", "4.2", func(s *djangobridge.Settings) {
		s.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	ctx := context.Background()
	u := e.createUser(t, "wrongkey", "pw")
	session := func(hash string) string {
		sess := e.sessions.Open(ctx, "")
		for k, v := range map[string]string{
			djangosession.KeyAuthUserID: u.PK(), djangosession.KeyAuthBackend: djangouser.ModelBackendPath, djangosession.KeyAuthHash: hash,
		} {
			if err := sess.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		return sess.Key()
	}
	m, err := djangosession.SaltedHMAC(djangouser.SessionAuthHashSalt, u.Password, "the-django-sites-key", "sha256")
	if err != nil {
		t.Fatal(err)
	}
	djangoHash := fmt.Sprintf("%x", m)

	for range 3 {
		if got, _ := e.whoami(t, session(djangoHash)); got.IsAuthenticated() {
			t.Fatal("a session hash made under another SECRET_KEY kept the user logged in")
		}
	}
	out := logs.String()
	for _, want := range []string{"_auth_user_hash", "set SECRET_KEY", "settings.py", "count=1"} {
		if !strings.Contains(out, want) {
			t.Errorf("log %q lacks %q", out, want)
		}
	}
	if n := strings.Count(out, "_auth_user_hash"); n != 1 {
		t.Errorf("%d lines for 3 flushed sessions within a minute, want 1:\n%s", n, out)
	}

	// The right key logs nothing.
	logs.Reset()
	if got, _ := e.whoami(t, session(e.auth.SessionAuthHash(u.Password))); !got.IsAuthenticated() {
		t.Fatal("the right SECRET_KEY: anonymous")
	}
	if logs.Len() != 0 {
		t.Errorf("the right SECRET_KEY logged: %s", logs.String())
	}
}
