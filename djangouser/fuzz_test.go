package djangouser_test

import (
	"context"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// FuzzParsePK: any text read from a session as _auth_user_id parses or
// fails, never panics, and what parses is canonical (parses to itself).
func FuzzParsePK(f *testing.F) {
	for _, s := range []string{"1", " 42 ", "-7", "2147483648", "9223372036854775808", "x", "",
		"8a8d6e5c-3f1b-4c2a-9e7d-1b2c3d4e5f60", "urn:uuid:{8A8D6E5C3F1B4C2A9E7D1B2C3D4E5F60}", "8a8d6e5c-3f1b", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, typ := range []string{"int", "bigint", "uuid", "text"} {
			v, err := djangouser.ParsePK(typ, s)
			if err != nil {
				continue
			}
			u := &djangouser.User{ID: v}
			again, err := djangouser.ParsePK(typ, u.PK())
			if err != nil || again != v {
				t.Fatalf("%s: %q → %v → %q → %v, %v", typ, s, v, u.PK(), again, err)
			}
		}
	})
}

// FuzzGetUser: whatever a session holds under the auth keys, GetUser
// answers anonymous (or the real user for the real values) without error
// or panic.
func FuzzGetUser(f *testing.F) {
	e := newEnv(f, "sqlite", "5.2", nil)
	real := e.createUser(f, "fuzz", "pw")
	key := e.login(f, "fuzz", "pw")
	sess := e.sessions.Open(context.Background(), key)
	h, _ := sess.GetString(djangosession.KeyAuthHash)
	f.Add(real.PK(), djangouser.ModelBackendPath, h)
	f.Add("1", djangouser.ModelBackendPath, "")
	f.Add("99999999999999999999", "x", "y")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, id, backend, hash string) {
		ctx := context.Background()
		s := e.sessions.Open(ctx, "")
		_ = s.Set(djangosession.KeyAuthUserID, id)
		_ = s.Set(djangosession.KeyAuthBackend, backend)
		_ = s.Set(djangosession.KeyAuthHash, hash)
		u, err := e.auth.GetUser(ctx, s)
		if err != nil {
			t.Fatalf("GetUser(%q, %q, %q): %v", id, backend, hash, err)
		}
		if u.IsAuthenticated() && (u.PK() != real.PK() || hash != h) {
			t.Fatalf("GetUser(%q, %q, %q) = %v", id, backend, hash, u)
		}
	})
}
