package djangouser_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestDjangoInterop runs the matrix against real Django 3.2, 4.2
// and 5.2 on SQLite, PostgreSQL and MariaDB: each release on a database
// with the schema its own migrate made, shared by Go and Django.
func TestDjangoInterop(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql", "pgx"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				t.Parallel()
				djangotest.DjangoDir(t)
				e := newEnv(t, kind, rel, nil)
				dj := djangotest.Start(t, rel, djangoConfig(e.db))
				interopMatrix(t, e, dj)
			})
		}
	}
}

func interopMatrix(t *testing.T, e *env, dj *djangotest.Django) {
	ctx := context.Background()
	rel := e.release

	t.Run("Django logs in, Go sees the user", func(t *testing.T) {
		id := djCreateUser(t, dj, "dj_alice", "pw-a", nil)
		key := djLogin(t, dj, "dj_alice", map[string]any{"password": "pw-a"})
		u, after := e.whoami(t, key)
		if u.Username != "dj_alice" || u.PK() != id || after != key {
			t.Fatalf("Go GetUser = %v (pk %q, key %q→%q), want dj_alice (%s), key kept", u, u.PK(), key, after, id)
		}
	})

	t.Run("Go logs in, Django sees the user", func(t *testing.T) {
		u := e.createUser(t, "go_bob", "pw-b")
		key := e.login(t, "go_bob", "pw-b")
		w := djWhoami(t, dj, key)
		if !w.User.Authenticated || w.User.ID != u.PK() || w.Key == nil || *w.Key != key {
			t.Fatalf("Django get_user = %+v, want go_bob", w)
		}
		if w.User.Password != u.Password {
			t.Errorf("Django reads password %q, Go wrote %q", w.User.Password, u.Password)
		}
		var row map[string]any
		dj.Do(t, "auth_user_row", map[string]any{"username": "go_bob"}, &row)
		if row["last_login"] == nil || row["email"] != "go_bob@example.com" || row["is_active"] != true {
			t.Errorf("Django reads the Go-made row as %v", row)
		}
		var ok struct{ OK bool }
		dj.Do(t, "auth_check_password", map[string]any{"username": "go_bob", "password": "pw-b"}, &ok)
		if !ok.OK {
			t.Error("Django's check_password refuses the password Go set")
		}
	})

	t.Run("Go logs out, Django sees anonymous", func(t *testing.T) {
		djCreateUser(t, dj, "dj_carol", "pw", nil)
		key := djLogin(t, dj, "dj_carol", nil)
		sess := e.sessions.Open(ctx, key)
		if err := e.auth.Logout(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if w := djWhoami(t, dj, key); w.User.Authenticated {
			t.Fatalf("Django still sees %+v after a Go logout", w.User)
		}
	})

	t.Run("Django logs out, Go sees anonymous", func(t *testing.T) {
		e.createUser(t, "go_dan", "pw")
		key := e.login(t, "go_dan", "pw")
		var out struct{ Key *string }
		dj.Do(t, "auth_logout", map[string]any{"session_key": key}, &out)
		if u, _ := e.whoami(t, key); !u.IsAnonymous() {
			t.Fatalf("Go GetUser after Django's logout = %v", u)
		}
	})

	t.Run("password changed in Django ends the Go session", func(t *testing.T) {
		e.createUser(t, "go_erin", "old")
		key := e.login(t, "go_erin", "old")
		dj.Do(t, "auth_set_password", map[string]any{"username": "go_erin", "password": "new"}, nil)
		sess := e.sessions.Open(ctx, key)
		u, err := e.auth.GetUser(ctx, sess)
		if err != nil || !u.IsAnonymous() || sess.Key() != "" {
			t.Fatalf("GetUser = %v, %v (key %q); want anonymous and flushed", u, err, sess.Key())
		}
		if ok, _ := e.sessions.Store().Exists(ctx, key); ok {
			t.Error("the flushed session's row still exists")
		}
		if w := djWhoami(t, dj, key); w.User.Authenticated {
			t.Error("Django still sees the user")
		}
	})

	t.Run("password changed in Go ends Django's other sessions", func(t *testing.T) {
		djCreateUser(t, dj, "dj_fay", "old", nil)
		k1 := djLogin(t, dj, "dj_fay", nil)
		k2 := djLogin(t, dj, "dj_fay", nil)
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
		if w := djWhoami(t, dj, sess.Key()); !w.User.Authenticated || w.User.Username != "dj_fay" {
			t.Errorf("Django on the changing session: %+v, want dj_fay", w.User)
		}
		if w := djWhoami(t, dj, k2); w.User.Authenticated || !w.Flushed {
			t.Errorf("Django on the other session: %+v flushed=%v, want anonymous and flushed", w.User, w.Flushed)
		}
		if w := djWhoami(t, dj, k1); w.User.Authenticated {
			t.Errorf("the old key of the changing session still works in Django")
		}
	})

	t.Run("Django's change_password keeps its session, Go agrees", func(t *testing.T) {
		djCreateUser(t, dj, "dj_gus", "old", nil)
		key := djLogin(t, dj, "dj_gus", nil)
		var out struct{ Key string }
		dj.Do(t, "auth_change_password", map[string]any{"session_key": key, "username": "dj_gus", "password": "new"}, &out)
		if u, _ := e.whoami(t, out.Key); u.Username != "dj_gus" {
			t.Errorf("Go on Django's updated session: %v", u)
		}
		if u, _ := e.whoami(t, key); !u.IsAnonymous() {
			t.Errorf("Go on the old key: %v", u)
		}
	})

	t.Run("inactive, deleted, unknown backend, tampered hash: anonymous in both", func(t *testing.T) {
		for _, name := range []string{"x_inactive", "x_deleted", "x_backend", "x_hash"} {
			e.createUser(t, name, "pw")
		}
		kInactive := e.login(t, "x_inactive", "pw")
		kDeleted := e.login(t, "x_deleted", "pw")
		dj.Do(t, "auth_update_user", map[string]any{"username": "x_inactive", "fields": map[string]any{"is_active": false}}, nil)
		dj.Do(t, "auth_delete_user", map[string]any{"username": "x_deleted"}, nil)

		forge := func(name string, kv map[string]any) string {
			key := e.login(t, name, "pw")
			s := e.sessions.Open(ctx, key)
			for k, v := range kv {
				if err := s.Set(k, v); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Save(ctx); err != nil {
				t.Fatal(err)
			}
			return key
		}
		kBackend := forge("x_backend", map[string]any{djangosession.KeyAuthBackend: "myapp.backends.Gone"})
		kHash := forge("x_hash", map[string]any{djangosession.KeyAuthHash: strings.Repeat("ab", 32)})

		for name, c := range map[string]struct {
			key     string
			flushed bool
		}{
			"inactive": {kInactive, false}, "deleted": {kDeleted, false},
			"unknown backend": {kBackend, false}, "tampered hash": {kHash, true},
		} {
			sess := e.sessions.Open(ctx, c.key)
			u, err := e.auth.GetUser(ctx, sess)
			if err != nil || !u.IsAnonymous() {
				t.Errorf("%s: Go GetUser = %v, %v; want anonymous", name, u, err)
			}
			if (sess.Key() == "") != c.flushed {
				t.Errorf("%s: Go flushed = %v, want %v", name, sess.Key() == "", c.flushed)
			}
		}
		// Django's answers on the same kinds of sessions (fresh ones: Go
		// flushed the tampered one).
		kHash2 := forge("x_hash", map[string]any{djangosession.KeyAuthHash: strings.Repeat("ab", 32)})
		for name, c := range map[string]struct {
			key     string
			flushed bool
		}{
			"inactive": {kInactive, false}, "deleted": {kDeleted, false},
			"unknown backend": {kBackend, false}, "tampered hash": {kHash2, true},
		} {
			w := djWhoami(t, dj, c.key)
			if w.User.Authenticated || w.Flushed != c.flushed {
				t.Errorf("%s: Django get_user = %+v, flushed %v; want anonymous, flushed %v", name, w.User, w.Flushed, c.flushed)
			}
		}
	})

	t.Run("another site's key: anonymous", func(t *testing.T) {
		djCreateUser(t, dj, "dj_other", "pw", nil)
		cfg := djangoConfig(e.db)
		cfg.SecretKey = "another-site-entirely"
		other := djangotest.Start(t, rel, cfg)
		key := djLogin(t, other, "dj_other", nil)
		sess := e.sessions.Open(ctx, key)
		u, err := e.auth.GetUser(ctx, sess)
		if err != nil || !u.IsAnonymous() {
			t.Fatalf("GetUser = %v, %v; want anonymous", u, err)
		}
	})

	t.Run("session signed under a key now in SECRET_KEY_FALLBACKS", func(t *testing.T) {
		djCreateUser(t, dj, "dj_rotate", "pw", nil)
		key := djLogin(t, dj, "dj_rotate", nil) // signed and hashed with testSecret
		rotated := e.with(t, func(s *djangobridge.Settings) {
			s.SecretKey = "the-new-secret"
			s.SecretKeyFallbacks = []string{testSecret}
		})
		cfg := djangoConfig(e.db)
		cfg.SecretKey = "the-new-secret"
		cfg.SecretKeyFallbacks = []string{testSecret}
		djRotated := djangotest.Start(t, rel, cfg)

		u, after := rotated.whoami(t, key)
		if rel == "3.2" {
			// No SECRET_KEY_FALLBACKS before 4.1: the session is unreadable.
			if !u.IsAnonymous() {
				t.Fatalf("3.2: Go GetUser = %v, want anonymous", u)
			}
			if w := djWhoami(t, djRotated, key); w.User.Authenticated {
				t.Fatalf("3.2: Django get_user = %+v, want anonymous (Go agrees)", w.User)
			}
			return
		}
		if u.Username != "dj_rotate" || after == key || after == "" {
			t.Fatalf("Go GetUser = %v, key %q→%q; want dj_rotate and a new key", u, key, after)
		}
		w := djWhoami(t, djRotated, after)
		if !w.User.Authenticated || w.User.Username != "dj_rotate" || *w.Key != after {
			t.Fatalf("Django on the re-keyed session: %+v", w)
		}
		var h struct{ Hash string }
		djRotated.Do(t, "auth_session_auth_hash", map[string]any{"username": "dj_rotate"}, &h)
		if got := w.Data[djangosession.KeyAuthHash]; got != h.Hash {
			t.Errorf("stored hash %v, want the new key's %s", got, h.Hash)
		}
		// And Django does the same to its own sessions.
		key2 := djLogin(t, dj, "dj_rotate", nil)
		w2 := djWhoami(t, djRotated, key2)
		if !w2.User.Authenticated || w2.Key == nil || *w2.Key == key2 {
			t.Errorf("Django itself: %+v (Go's rule was taken from it)", w2)
		}
	})

	t.Run("permissions and groups from Django's ORM", func(t *testing.T) {
		dj.Do(t, "auth_create_permission", map[string]any{"app_label": "shop", "model": "order", "codename": "refund_order", "name": "Can refund"}, nil)
		dj.Do(t, "auth_create_permission", map[string]any{"app_label": "shop", "model": "order", "codename": "ship_order"}, nil)
		dj.Do(t, "auth_create_group", map[string]any{"name": "clerks", "perms": []string{"shop.ship_order", "auth.view_user"}}, nil)
		dj.Do(t, "auth_create_group", map[string]any{"name": "empty"}, nil)
		djCreateUser(t, dj, "p_clerk", "pw", nil)
		djCreateUser(t, dj, "p_plain", "pw", nil)
		djCreateUser(t, dj, "p_super", "pw", map[string]any{"superuser": true})
		djCreateUser(t, dj, "p_gone", "pw", map[string]any{"is_active": false})
		dj.Do(t, "auth_grant", map[string]any{"username": "p_clerk", "groups": []string{"clerks", "empty"}, "perms": []string{"shop.refund_order", "shop.ship_order"}}, nil)
		dj.Do(t, "auth_grant", map[string]any{"username": "p_gone", "groups": []string{"clerks"}, "perms": []string{"shop.refund_order"}}, nil)

		check := []string{"shop.refund_order", "shop.ship_order", "auth.view_user", "auth.add_user", "shop.nothing", "nodot"}
		apps := []string{"shop", "auth", "sessions", "nope"}
		for _, name := range []string{"p_clerk", "p_plain", "p_super", "p_gone"} {
			var want struct {
				All            []string        `json:"all"`
				Groups         []string        `json:"groups"`
				HasPerm        map[string]bool `json:"has_perm"`
				HasModulePerms map[string]bool `json:"has_module_perms"`
			}
			dj.Do(t, "auth_perms", map[string]any{"username": name, "check": check, "apps": apps}, &want)
			u, err := e.users.UserByUsername(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			all, err := e.auth.AllPermissions(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(all, want.All) {
				t.Errorf("%s: AllPermissions = %v, Django %v", name, all, want.All)
			}
			groups, err := e.auth.Groups(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(groups, want.Groups) {
				t.Errorf("%s: Groups = %v, Django %v", name, groups, want.Groups)
			}
			for _, p := range check {
				if got, _ := e.auth.HasPerm(ctx, u, p); got != want.HasPerm[p] {
					t.Errorf("%s: HasPerm(%q) = %v, Django %v", name, p, got, want.HasPerm[p])
				}
			}
			for _, a := range apps {
				if got, _ := e.auth.HasModulePerms(ctx, u, a); got != want.HasModulePerms[a] {
					t.Errorf("%s: HasModulePerms(%q) = %v, Django %v", name, a, got, want.HasModulePerms[a])
				}
			}
			if ok, _ := e.auth.HasPerms(ctx, u, "shop.refund_order", "shop.ship_order"); ok != (want.HasPerm["shop.refund_order"] && want.HasPerm["shop.ship_order"]) {
				t.Errorf("%s: HasPerms = %v", name, ok)
			}
		}
	})

	t.Run("login on a Django session: fixation rules agree", func(t *testing.T) {
		// An anonymous Django session with data, logged in by Go: new key,
		// data kept; Django reads the user.
		djCreateUser(t, dj, "fx_user", "pw", nil)
		djCreateUser(t, dj, "fx_other", "pw", nil)
		otherKey := djLogin(t, dj, "fx_other", nil)
		sess := e.sessions.Open(ctx, otherKey)
		u, err := e.users.UserByUsername(ctx, "fx_user")
		if err != nil {
			t.Fatal(err)
		}
		u.Backend = djangouser.ModelBackendPath
		if err := e.auth.Login(ctx, sess, u); err != nil {
			t.Fatal(err)
		}
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
		if sess.Key() == otherKey {
			t.Fatal("login over another user's session kept its key")
		}
		if w := djWhoami(t, dj, sess.Key()); w.User.Username != "fx_user" {
			t.Errorf("Django: %+v", w.User)
		}
		if w := djWhoami(t, dj, otherKey); w.User.Authenticated {
			t.Errorf("the other user's session survived: %+v", w.User)
		}
	})
}

// TestUpgradeOnLoginFrom32 is the real case: a password hashed by Django
// 3.2 (PBKDF2-SHA256, 260000 iterations) logs in through Go configured as
// Django 5.2; the stored hash becomes 5.2's (1,000,000 iterations) and
// Django 5.2 accepts it.
func TestUpgradeOnLoginFrom32(t *testing.T) {
	djangotest.DjangoDir(t)
	db := djangotest.NewDatabaseRelease(t, "sqlite", "5.2")
	cfg := djangoConfig(db)
	cfg.PasswordHashers = nil // each release's defaults
	dj32 := djangotest.Start(t, "3.2", cfg)
	dj52 := djangotest.Start(t, "5.2", cfg)
	djCreateUser(t, dj32, "legacy", "correct horse", nil)
	var row map[string]any
	dj32.Do(t, "auth_user_row", map[string]any{"username": "legacy"}, &row)
	old := row["password"].(string)
	if !strings.HasPrefix(old, "pbkdf2_sha256$260000$") {
		t.Fatalf("Django 3.2 stored %q", old)
	}
	oldKey := djLogin(t, dj52, "legacy", nil)

	e := newEnvOn(t, db, "5.2", func(s *djangobridge.Settings) { s.PasswordHashers = nil })
	ctx := context.Background()
	u, err := e.auth.Authenticate(ctx, map[string]string{"username": "legacy", "password": "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u.Password, "pbkdf2_sha256$1000000$") {
		t.Fatalf("after login the hash is %q, want Django 5.2's pbkdf2_sha256$1000000$", u.Password)
	}
	dj52.Do(t, "auth_user_row", map[string]any{"username": "legacy"}, &row)
	if row["password"] != u.Password {
		t.Fatalf("stored %v, Go has %q", row["password"], u.Password)
	}
	var ok struct{ OK bool }
	dj52.Do(t, "auth_check_password", map[string]any{"username": "legacy", "password": "correct horse"}, &ok)
	if !ok.OK {
		t.Fatal("Django 5.2 refuses the upgraded hash")
	}
	// As in Django, the re-hash changes the session auth hash: sessions
	// made before the upgrade end.
	if w := djWhoami(t, dj52, oldKey); w.User.Authenticated {
		t.Error("a session from before the upgrade is still valid in Django")
	}
	// A second login does not re-hash.
	before := u.Password
	u2, err := e.auth.Authenticate(ctx, map[string]string{"username": "legacy", "password": "correct horse"})
	if err != nil || u2.Password != before {
		t.Errorf("second login re-hashed: %v, %v", u2, err)
	}
}

// TestUpgradeOnLoginOtherAlgorithm: a hash of a hasher that is configured
// but not preferred is replaced by the preferred one, on every release.
func TestUpgradeOnLoginOtherAlgorithm(t *testing.T) {
	djangotest.DjangoDir(t)
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			list := []string{"django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher", "django.contrib.auth.hashers.MD5PasswordHasher"}
			e := newEnv(t, "sqlite", rel, func(s *djangobridge.Settings) { s.PasswordHashers = list })
			cfg := djangoConfig(e.db)
			cfg.PasswordHashers = list
			dj := djangotest.Start(t, rel, cfg)
			ctx := context.Background()
			u := e.createUser(t, "md5user", "pw")
			set := passwordsOf(t, &e.s)
			md5, err := set.MakeWith(ctx, "pw", "md5", hashers.Params{})
			if err != nil {
				t.Fatal(err)
			}
			u.Password = md5
			if err := e.auth.Save(ctx, u, djangouser.ColPassword); err != nil {
				t.Fatal(err)
			}
			got, err := e.auth.Authenticate(ctx, map[string]string{"username": "md5user", "password": "pw"})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(got.Password, "pbkdf2_sha1$") {
				t.Fatalf("hash after login %q, want pbkdf2_sha1", got.Password)
			}
			var ok struct{ OK bool }
			dj.Do(t, "auth_check_password", map[string]any{"username": "md5user", "password": "pw"}, &ok)
			if !ok.OK {
				t.Errorf("Django %s refuses the upgraded hash", rel)
			}
		})
	}
}

// TestLegacySHA1AuthHash32: Django 3.2 accepts a session whose auth hash
// is the pre-3.1 SHA-1 HMAC (and does not rewrite it); 4.2 and 5.2 flush it.
func TestLegacySHA1AuthHash32(t *testing.T) {
	djangotest.DjangoDir(t)
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			e := newEnv(t, "sqlite", rel, nil)
			dj := djangotest.Start(t, rel, djangoConfig(e.db))
			ctx := context.Background()
			u := e.createUser(t, "sha1", "pw")
			key := e.login(t, "sha1", "pw")
			mac, err := djangosession.SaltedHMAC(djangouser.SessionAuthHashSalt, u.Password, testSecret, "sha1")
			if err != nil {
				t.Fatal(err)
			}
			sess := e.sessions.Open(ctx, key)
			if err := sess.Set(djangosession.KeyAuthHash, fmt.Sprintf("%x", mac)); err != nil {
				t.Fatal(err)
			}
			if err := sess.Save(ctx); err != nil {
				t.Fatal(err)
			}
			w := djWhoami(t, dj, key) // Django first: Go may flush
			got, _ := e.whoami(t, key)
			wantIn := rel == "3.2"
			if w.User.Authenticated != wantIn {
				t.Fatalf("Django %s: authenticated = %v, want %v", rel, w.User.Authenticated, wantIn)
			}
			if got.IsAuthenticated() != wantIn {
				t.Errorf("Go as %s: authenticated = %v, Django says %v", rel, got.IsAuthenticated(), wantIn)
			}
		})
	}
}

// TestDefaultHashingAlgorithmSHA1 (3.2 only): with DEFAULT_HASHING_ALGORITHM
// "sha1" Django 3.2 writes SHA-1 auth hashes; Go configured alike writes
// and reads the same.
func TestDefaultHashingAlgorithmSHA1(t *testing.T) {
	djangotest.DjangoDir(t)
	e := newEnv(t, "sqlite", "3.2", func(s *djangobridge.Settings) { s.DefaultHashingAlgorithm = "sha1" })
	cfg := djangoConfig(e.db)
	cfg.DefaultHashingAlgorithm = "sha1"
	dj := djangotest.Start(t, "3.2", cfg)
	djCreateUser(t, dj, "old31", "pw", nil)
	key := djLogin(t, dj, "old31", nil)
	if u, _ := e.whoami(t, key); u.Username != "old31" {
		t.Fatalf("Go: %v", u)
	}
	e.createUser(t, "go31", "pw")
	gk := e.login(t, "go31", "pw")
	w := djWhoami(t, dj, gk)
	if !w.User.Authenticated {
		t.Fatalf("Django: %+v", w)
	}
	if h, _ := w.Data[djangosession.KeyAuthHash].(string); len(h) != 40 {
		t.Errorf("auth hash %q, want 40 hex digits (SHA-1)", h)
	}
}

// TestDatetimesWithoutUSETZ: with USE_TZ False, datetimes are naive local
// times of TIME_ZONE in SQLite and MySQL; last_login written by Go and
// date_joined written by Django read back as the same instants on both
// sides.
func TestDatetimesWithoutUSETZ(t *testing.T) {
	djangotest.DjangoDir(t)
	const zone = "America/Chicago"
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			e := newEnv(t, kind, "4.2", func(s *djangobridge.Settings) { s.UseTZ = false; s.TimeZone = zone })
			cfg := djangoConfig(e.db)
			cfg.UseTZ = false
			cfg.TimeZone = zone
			dj := djangotest.Start(t, "4.2", cfg)
			ctx := context.Background()

			djCreateUser(t, dj, "tz_dj", "pw", nil)
			var row map[string]any
			dj.Do(t, "auth_user_row", map[string]any{"username": "tz_dj"}, &row)
			joined, err := time.ParseInLocation("2006-01-02T15:04:05.999999", row["date_joined"].(string), loc)
			if err != nil {
				t.Fatal(err)
			}
			u, err := e.users.UserByUsername(ctx, "tz_dj")
			if err != nil {
				t.Fatal(err)
			}
			if !u.DateJoined.Equal(joined) {
				t.Errorf("date_joined: Go %v, Django %v", u.DateJoined, joined)
			}

			e.createUser(t, "tz_go", "pw")
			e.login(t, "tz_go", "pw")
			gu, err := e.users.UserByUsername(ctx, "tz_go")
			if err != nil || gu.LastLogin == nil {
				t.Fatal(gu, err)
			}
			dj.Do(t, "auth_user_row", map[string]any{"username": "tz_go"}, &row)
			ll, err := time.ParseInLocation("2006-01-02T15:04:05.999999", row["last_login"].(string), loc)
			if err != nil {
				t.Fatal(err)
			}
			if !gu.LastLogin.Equal(ll) || time.Since(ll) > time.Minute || time.Since(ll) < 0 {
				t.Errorf("last_login: Go %v, Django %v (%s)", gu.LastLogin, ll, row["last_login"])
			}
		})
	}
}
