package djangouser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// authVectors is testdata/django/<release>/auth.json, made by
// testdata/gen/gen_auth.py with real Django.
type authVectors struct {
	Django    string `json:"django"`
	SecretKey string `json:"secret_key"`
	User      struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
		Password string `json:"password"`
	} `json:"user"`
	Hashes      map[string]string `json:"hashes"`
	CurrentHash string            `json:"current_hash"`
	Cases       []struct {
		Name          string         `json:"name"`
		Session       map[string]any `json:"session"`
		Fallbacks     []string       `json:"fallbacks"`
		IsActive      bool           `json:"is_active"`
		Authenticated bool           `json:"authenticated"`
		Flushed       bool           `json:"flushed"`
		Cycled        bool           `json:"cycled"`
		HashAfter     *string        `json:"hash_after"`
	} `json:"cases"`
}

// TestGetUserVectors replays, with no Python, get_user's verdicts recorded
// from each real Django release: same user row, same session, same
// SECRET_KEY_FALLBACKS → same answer, same flush or re-key, same hash after.
func TestGetUserVectors(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(djangotest.TestdataDir(), "django", rel, "auth.json"))
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.UseNumber()
			var v authVectors
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, "sqlite", rel, func(s *djangobridge.Settings) { s.SecretKey = v.SecretKey })
			ctx := context.Background()
			if got := e.auth.SessionAuthHash(v.User.Password); got != v.CurrentHash {
				t.Errorf("SessionAuthHash = %s, Django %s %s", got, v.Django, v.CurrentHash)
			}
			u := &djangouser.User{ID: v.User.ID, Username: v.User.Username, Password: v.User.Password, IsActive: true}
			if err := e.users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			for _, c := range v.Cases {
				u.IsActive = c.IsActive
				if err := e.auth.Save(ctx, u, djangouser.ColIsActive); err != nil {
					t.Fatal(err)
				}
				ce := e.with(t, func(s *djangobridge.Settings) { s.SecretKeyFallbacks = c.Fallbacks })
				sess := ce.sessions.Open(ctx, "")
				for k, val := range c.Session {
					if n, ok := val.(json.Number); ok {
						val = djangosession.Number(n)
					}
					if err := sess.Set(k, val); err != nil {
						t.Fatal(err)
					}
				}
				if err := sess.Save(ctx); err != nil {
					t.Fatal(err)
				}
				key := sess.Key()
				sess = ce.sessions.Open(ctx, key)
				got, err := ce.auth.GetUser(ctx, sess)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				after := sess.Key()
				if got.IsAuthenticated() != c.Authenticated || (after == "") != c.Flushed || (after != "" && after != key) != c.Cycled {
					t.Errorf("%s: Go authenticated=%v flushed=%v cycled=%v; Django %s: %v %v %v", c.Name,
						got.IsAuthenticated(), after == "", after != "" && after != key, v.Django, c.Authenticated, c.Flushed, c.Cycled)
				}
				h, ok := sess.GetString(djangosession.KeyAuthHash)
				if (c.HashAfter == nil) != !ok || (ok && c.HashAfter != nil && h != *c.HashAfter) {
					t.Errorf("%s: hash after %q (%v), Django %v", c.Name, h, ok, c.HashAfter)
				}
			}
		})
	}
}
