package passwordreset

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

func gen(t testing.TB, release string, mutate func(*djangobridge.Settings)) *TokenGenerator {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey = "k"
	if mutate != nil {
		mutate(&s)
	}
	g, err := NewTokenGenerator(&s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestLegacySHA1On32: 3.2 accepts a token whose HMAC is SHA-1 even when
// DEFAULT_HASHING_ALGORITHM is sha256 (RemovedInDjango40Warning); 4.0+
// does not.
func TestLegacySHA1On32(t *testing.T) {
	u := &djangouser.User{ID: int64(7), Password: "pbkdf2_sha256$x", Email: "a@b.c"}
	sha1Gen := gen(t, "3.2", func(s *djangobridge.Settings) { s.DefaultHashingAlgorithm = "sha1" })
	tok, err := sha1Gen.MakeToken(u)
	if err != nil {
		t.Fatal(err)
	}
	if !gen(t, "3.2", nil).CheckToken(u, tok) {
		t.Error("3.2 refuses a SHA-1 token")
	}
	tok42, _ := gen(t, "4.2", nil).MakeToken(u)
	if gen(t, "4.2", nil).CheckToken(u, tok) || !gen(t, "4.2", nil).CheckToken(u, tok42) {
		t.Error("4.2: SHA-1 token accepted or its own refused")
	}
}

func TestUIDB64(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{{"NDI", "42", true}, {"NDI=", "42", true}, {"", "", false}, {"N", "", false}, {"!!", "", false}, {"_w", "", false},
		{strings.Repeat("A", 300), "", false}} {
		got, err := ParseUIDB64(c.in)
		if (err == nil) != c.ok || got != c.want || (err != nil && !errors.Is(err, ErrInvalidLink)) {
			t.Errorf("%q: %q, %v", c.in, got, err)
		}
	}
	if UIDB64(&djangouser.User{ID: int64(42)}) != "NDI" {
		t.Error("uidb64 of 42")
	}
	if _, err := PKFromText("4x", djangouser.PKInt); !errors.Is(err, ErrInvalidLink) {
		t.Error(err)
	}
}

func TestConfigMistakes(t *testing.T) {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	if _, err := NewTokenGenerator(&s, Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("empty SECRET_KEY: %v", err)
	}
	s.SecretKey = "k"
	if _, err := NewTokenGenerator(&s, Options{Timeout: -time.Second}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative timeout: %v", err)
	}
	if _, err := NewTokenGenerator(nil, Options{}); !errors.Is(err, ErrConfig) {
		t.Errorf("nil settings: %v", err)
	}
	g := gen(t, "5.2", nil)
	if _, err := g.MakeToken(djangouser.Anonymous()); err == nil {
		t.Error("token for the anonymous user")
	}
}

// FuzzCheckToken: no token or uidb64 panics; only the real token passes.
func FuzzCheckToken(f *testing.F) {
	g := gen(f, "5.2", nil)
	u := &djangouser.User{ID: int64(1), Password: "p", Email: "e@x.y"}
	good, _ := g.MakeToken(u)
	for _, s := range []string{good, "", "-", "abc-", "-abc", "zzzzzzzzzzzzzzzz-0", good + "-", strings.ToUpper(good)} {
		f.Add(s, "MQ")
	}
	f.Fuzz(func(t *testing.T, tok, uid string) {
		if g.CheckToken(u, tok) && tok != good {
			t.Fatalf("forged token %q accepted", tok)
		}
		if pk, err := ParseUIDB64(uid); err == nil {
			_, _ = PKFromText(pk, djangouser.PKInt)
		} else if !errors.Is(err, ErrInvalidLink) {
			t.Fatalf("untyped %v", err)
		}
	})
}
