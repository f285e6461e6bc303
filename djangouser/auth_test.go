package djangouser_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// These tests need no Python: SQLite with the schema Django 5.2's migrate
// made. The same rules are checked against real Django in interop_test.go.

func TestLoginThenGetUser(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	alice := e.createUser(t, "alice", "s3cret")
	if alice.Email != "alice@example.com" {
		t.Errorf("email = %q, want the domain lower-cased as normalize_email does", alice.Email)
	}
	key := e.login(t, "alice", "s3cret")

	sess := e.sessions.Open(ctx, key)
	u, err := e.auth.GetUser(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if !u.IsAuthenticated() || u.Username != "alice" || u.PK() != alice.PK() {
		t.Fatalf("GetUser = %v (%v), want alice", u, u.ID)
	}
	if u.Backend != djangouser.ModelBackendPath {
		t.Errorf("Backend = %q", u.Backend)
	}
	if u.LastLogin == nil {
		t.Error("Login did not set last_login")
	}
	for k, want := range map[string]string{
		djangosession.KeyAuthUserID:  alice.PK(),
		djangosession.KeyAuthBackend: djangobridge.DefaultModelBackend,
		djangosession.KeyAuthHash:    e.auth.SessionAuthHash(u.Password),
	} {
		if got, _ := sess.GetString(k); got != want {
			t.Errorf("session[%s] = %q, want %q", k, got, want)
		}
	}
}

func TestAuthenticateRefusals(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	bob := e.createUser(t, "bob", "pw")
	for name, creds := range map[string]map[string]string{
		"wrong password": {"username": "bob", "password": "nope"},
		"unknown user":   {"username": "nobody", "password": "pw"},
		"no password":    {"username": "bob"},
		"no username":    {"password": "pw"},
	} {
		u, err := e.auth.Authenticate(ctx, creds)
		if u != nil || !errors.Is(err, djangouser.ErrInvalidCredentials) {
			t.Errorf("%s: Authenticate = %v, %v; want nil, ErrInvalidCredentials", name, u, err)
		}
	}
	bob.IsActive = false
	if err := e.auth.Save(ctx, bob, djangouser.ColIsActive); err != nil {
		t.Fatal(err)
	}
	if u, err := e.auth.Authenticate(ctx, map[string]string{"username": "bob", "password": "pw"}); u != nil || !errors.Is(err, djangouser.ErrInvalidCredentials) {
		t.Errorf("inactive: Authenticate = %v, %v; want refused", u, err)
	}
}

// denyAll is a backend that stops the chain for every credential.
type denyAll struct{}

func (denyAll) Path() string { return "example.DenyAll" }
func (denyAll) Authenticate(context.Context, map[string]string) (*djangouser.User, error) {
	return nil, djangouser.ErrPermissionDenied
}
func (denyAll) GetUser(context.Context, string) (*djangouser.User, error) { return nil, nil }

func TestPermissionDeniedStopsTheChain(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	e.createUser(t, "carol", "pw")
	pw, _ := e.auth.Backends()[0].(*djangouser.ModelBackend)
	a, err := djangouser.New(&e.s, e.users, passwordsOf(t, &e.s), denyAll{}, pw)
	if err != nil {
		t.Fatal(err)
	}
	u, err := a.Authenticate(ctx, map[string]string{"username": "carol", "password": "pw"})
	if u != nil || !errors.Is(err, djangouser.ErrPermissionDenied) || !errors.Is(err, djangouser.ErrInvalidCredentials) {
		t.Fatalf("Authenticate = %v, %v; want denied before ModelBackend is asked", u, err)
	}
	// The reverse order: ModelBackend answers first.
	b, err := djangouser.New(&e.s, e.users, passwordsOf(t, &e.s), pw, denyAll{})
	if err != nil {
		t.Fatal(err)
	}
	if u, err := b.Authenticate(ctx, map[string]string{"username": "carol", "password": "pw"}); err != nil || u.Username != "carol" {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}
}

func TestLoginSessionFixation(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	dan := e.createUser(t, "dan", "pw")
	eve := e.createUser(t, "eve", "pw")

	// An anonymous session with data: the key changes, the data stays.
	sess := e.sessions.Open(ctx, "")
	if err := sess.Set("cart", "3 apples"); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	anonKey := sess.Key()
	dan.Backend = djangouser.ModelBackendPath
	if err := e.auth.Login(ctx, sess, dan); err != nil {
		t.Fatal(err)
	}
	if sess.Key() == anonKey || sess.Key() == "" {
		t.Errorf("login kept the anonymous session key %q (session fixation)", anonKey)
	}
	if v, _ := sess.GetString("cart"); v != "3 apples" {
		t.Errorf("login lost the anonymous session's data: cart = %q", v)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	danKey := sess.Key()

	// The same user again: the session is kept as is.
	if err := e.auth.Login(ctx, sess, dan); err != nil {
		t.Fatal(err)
	}
	if sess.Key() != danKey {
		t.Errorf("re-login of the same user changed the key")
	}

	// Another user on dan's session: flushed (data gone), then eve's.
	if err := e.auth.Login(ctx, sess, eve); err != nil {
		t.Fatal(err)
	}
	if sess.Has("cart") {
		t.Error("login of another user kept the previous user's data")
	}
	if id, _ := sess.GetString(djangosession.KeyAuthUserID); id != eve.PK() {
		t.Errorf("_auth_user_id = %q, want %q", id, eve.PK())
	}
	if ok, err := e.sessions.Store().Exists(ctx, danKey); err != nil || ok {
		t.Errorf("dan's session record still exists after another login (%v)", err)
	}
}

func TestLoginCallsTheLoginHook(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	u := e.createUser(t, "hook", "pw")
	u.Backend = djangouser.ModelBackendPath
	called := 0
	ctx := djangouser.ContextWithLoginHook(context.Background(), func(context.Context) error { called++; return nil })
	if err := e.auth.Login(ctx, e.sessions.Open(ctx, ""), u); err != nil {
		t.Fatal(err)
	}
	if called != 1 {
		t.Errorf("hook called %d times, want 1 (rotate_token)", called)
	}
	boom := errors.New("boom")
	ctx = djangouser.ContextWithLoginHook(context.Background(), func(context.Context) error { return boom })
	if err := e.auth.Login(ctx, e.sessions.Open(ctx, ""), u); !errors.Is(err, boom) {
		t.Errorf("Login = %v, want the hook's error", err)
	}
}

func TestGetUserAnonymousCases(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	fred := e.createUser(t, "fred", "pw")
	key := e.login(t, "fred", "pw")

	set := func(t *testing.T, kv map[string]any, del ...string) string {
		t.Helper()
		// A copy of fred's session, changed.
		src := e.sessions.Open(ctx, key)
		if err := src.Load(ctx); err != nil {
			t.Fatal(err)
		}
		s := e.sessions.Open(ctx, "")
		for _, it := range src.Data().Items() {
			if err := s.Set(it.Key, it.Value); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range kv {
			if err := s.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
		for _, k := range del {
			s.Delete(k)
		}
		if err := s.Save(ctx); err != nil {
			t.Fatal(err)
		}
		return s.Key()
	}
	cases := []struct {
		name    string
		key     string
		flushed bool
	}{
		{"no session", "", false},
		{"unknown key (the session drops it, as Django does)", "abcdefgh12345678", true},
		{"no user id", set(t, nil, djangosession.KeyAuthUserID), false},
		{"no backend", set(t, nil, djangosession.KeyAuthBackend), false},
		{"backend not configured", set(t, map[string]any{djangosession.KeyAuthBackend: "example.Other"}), false},
		{"no such user", set(t, map[string]any{djangosession.KeyAuthUserID: "987654"}), false},
		{"id not an integer", set(t, map[string]any{djangosession.KeyAuthUserID: "x1"}), false},
		{"tampered hash", set(t, map[string]any{djangosession.KeyAuthHash: strings.Repeat("0", 64)}), true},
		{"no hash", set(t, nil, djangosession.KeyAuthHash), true},
		{"hash not a string", set(t, map[string]any{djangosession.KeyAuthHash: 7}), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sess := e.sessions.Open(ctx, c.key)
			u, err := e.auth.GetUser(ctx, sess)
			if err != nil || !u.IsAnonymous() {
				t.Fatalf("GetUser = %v, %v; want anonymous, no error", u, err)
			}
			if flushed := c.key != "" && sess.Key() == ""; flushed != c.flushed {
				t.Errorf("flushed = %v, want %v", flushed, c.flushed)
			}
		})
	}
	// The untouched session is fred's, and an integer _auth_user_id (not
	// what Django writes, but what pk.to_python accepts) is too.
	if u, _ := e.whoami(t, key); u.PK() != fred.PK() {
		t.Errorf("GetUser = %v, want fred", u)
	}
	if u, _ := e.whoami(t, set(t, map[string]any{djangosession.KeyAuthUserID: fred.ID})); u.PK() != fred.PK() {
		t.Errorf("integer _auth_user_id: GetUser = %v, want fred", u)
	}
	// Inactive: anonymous, session kept (Django does not flush).
	fred.IsActive = false
	if err := e.auth.Save(ctx, fred); err != nil {
		t.Fatal(err)
	}
	if u, k := e.whoami(t, key); !u.IsAnonymous() || k != key {
		t.Errorf("inactive: GetUser = %v, key %q; want anonymous, session kept", u, k)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	e.createUser(t, "gina", "old")
	k1 := e.login(t, "gina", "old")
	k2 := e.login(t, "gina", "old")

	sess := e.sessions.Open(ctx, k1)
	u, err := e.auth.GetUser(ctx, sess)
	if err != nil || u.IsAnonymous() {
		t.Fatal(u, err)
	}
	if err := e.auth.SetPassword(ctx, u, "new"); err != nil {
		t.Fatal(err)
	}
	if err := e.auth.UpdateSessionAuthHash(ctx, sess, u); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	if sess.Key() == k1 {
		t.Error("UpdateSessionAuthHash kept the key")
	}
	if u, _ := e.whoami(t, sess.Key()); u.Username != "gina" {
		t.Errorf("the changing session: GetUser = %v, want gina", u)
	}
	if u, k := e.whoami(t, k2); !u.IsAnonymous() || k != "" {
		t.Errorf("the other session: GetUser = %v (key %q), want anonymous and flushed", u, k)
	}
	if ok, err := e.auth.CheckPassword(ctx, u, "new"); !ok || err != nil {
		t.Errorf("CheckPassword(new) = %v, %v", ok, err)
	}
}

func TestLazyUserOneQuery(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	e.createUser(t, "hank", "pw")
	key := e.login(t, "hank", "pw")

	before := e.queries.Load()
	sess := e.sessions.Open(ctx, key)
	lazy := e.auth.Lazy(sess)
	if n := e.queries.Load() - before; n != 0 {
		t.Fatalf("opening the session and the lazy user ran %d queries, want 0", n)
	}
	var wg sync.WaitGroup
	users := make([]*djangouser.User, 16)
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := lazy.Get(ctx)
			if err != nil {
				t.Error(err)
			}
			users[i] = u
		}()
	}
	wg.Wait()
	if n := e.queries.Load() - before; n != 2 {
		t.Errorf("16 concurrent Gets ran %d queries, want 2 (the session row, then the user row)", n)
	}
	for _, u := range users {
		if u != users[0] || u.Username != "hank" {
			t.Fatalf("Gets returned different users: %v vs %v", u, users[0])
		}
	}
}

func TestLazyUserRetriesAfterFailure(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	e.createUser(t, "ivy", "pw")
	key := e.login(t, "ivy", "pw")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lazy := e.auth.Lazy(e.sessions.Open(context.Background(), key))
	if _, err := lazy.Get(ctx); err == nil {
		t.Fatal("Get with a cancelled context succeeded")
	}
	if u, err := lazy.Get(context.Background()); err != nil || u.Username != "ivy" {
		t.Fatalf("second Get = %v, %v; want ivy", u, err)
	}
}

func TestCreateUserExists(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql", "pgx"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind, "5.2", nil)
			ctx := context.Background()
			e.createUser(t, "jack", "pw")
			_, err := e.auth.CreateUser(ctx, "jack", "", "pw")
			if !errors.Is(err, djangouser.ErrUserExists) {
				t.Fatalf("second CreateUser = %v, want ErrUserExists", err)
			}
			su, err := e.auth.CreateSuperuser(ctx, "root", "root@x.org", "")
			if err != nil || !su.IsSuperuser || !su.IsStaff || !su.IsActive {
				t.Fatalf("CreateSuperuser = %+v, %v", su, err)
			}
			if ok, _ := e.auth.CheckPassword(ctx, su, ""); ok || su.Password[0] != '!' {
				t.Errorf("an empty password must make an unusable one, got %q", su.Password)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	a := djangouser.Anonymous()
	if a.IsAuthenticated() || !a.IsAnonymous() || a.PK() != "" || a.String() != "AnonymousUser" {
		t.Errorf("Anonymous() = %+v", a)
	}
	if ok, err := e.auth.HasPerm(ctx, a, "auth.add_user"); ok || err != nil {
		t.Errorf("anonymous HasPerm = %v, %v", ok, err)
	}
	if p, err := e.auth.AllPermissions(ctx, a); len(p) != 0 || err != nil {
		t.Errorf("anonymous AllPermissions = %v, %v", p, err)
	}
	if err := e.auth.Login(ctx, e.sessions.Open(ctx, ""), a); !errors.Is(err, djangouser.ErrAnonymous) {
		t.Errorf("Login(anonymous) = %v", err)
	}
}

func TestSuperuserAndInactivePermissions(t *testing.T) {
	e := newEnv(t, "sqlite", "5.2", nil)
	ctx := context.Background()
	su, err := e.auth.CreateSuperuser(ctx, "boss", "", "pw")
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.auth.AllPermissions(ctx, su)
	if err != nil {
		t.Fatal(err)
	}
	// Django 5.2's migrate creates 4 permissions for each of its 6 models
	// (permission, group, user, contenttype, session, logentry is not installed).
	if len(all) < 16 || !contains(all, "auth.change_user") || !contains(all, "sessions.delete_session") {
		t.Errorf("superuser AllPermissions = %v", all)
	}
	for _, p := range []string{"auth.add_user", "no.such_perm"} {
		if ok, _ := e.auth.HasPerm(ctx, su, p); !ok {
			t.Errorf("active superuser HasPerm(%q) = false", p)
		}
	}
	inactive := &djangouser.User{ID: su.ID, IsSuperuser: true, IsActive: false, Username: "boss"}
	if ok, _ := e.auth.HasPerm(ctx, inactive, "auth.add_user"); ok {
		t.Error("inactive superuser HasPerm = true")
	}
	if p, _ := e.auth.AllPermissions(ctx, inactive); len(p) != 0 {
		t.Errorf("inactive AllPermissions = %v", p)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
