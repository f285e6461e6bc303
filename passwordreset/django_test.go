package passwordreset

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// djUser reads the user row from Django into a djangouser.User.
func djUser(t *testing.T, dj *djangotest.Django, username string, loc *time.Location) *djangouser.User {
	t.Helper()
	var row map[string]any
	dj.Do(t, "auth_user_row", map[string]any{"username": username}, &row)
	id, err := strconv.ParseInt(row["id"].(string), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	u := &djangouser.User{ID: id, Username: username, Password: row["password"].(string), Email: row["email"].(string), IsActive: true}
	if ll, ok := row["last_login"].(string); ok {
		var tm time.Time
		if strings.Contains(ll[10:], "+") {
			tm, err = time.Parse("2006-01-02T15:04:05.999999999-07:00", ll)
		} else {
			tm, err = time.ParseInLocation("2006-01-02T15:04:05.999999999", ll, loc)
		}
		if err != nil {
			t.Fatal(err)
		}
		u.LastLogin = &tm
	}
	return u
}

type tokenCase struct {
	name string
	cfg  djangotest.Config
	set  func(*djangobridge.Settings)
}

func tokenCases(release string) []tokenCase {
	cs := []tokenCase{
		{"tz-utc", djangotest.Config{UseTZ: true, TimeZone: "UTC"}, func(s *djangobridge.Settings) { s.UseTZ, s.TimeZone = true, "UTC" }},
		{"naive-chicago", djangotest.Config{TimeZone: "America/Chicago"}, func(s *djangobridge.Settings) { s.UseTZ, s.TimeZone = false, "America/Chicago" }},
		{"tz-tokyo", djangotest.Config{UseTZ: true, TimeZone: "Asia/Tokyo"}, func(s *djangobridge.Settings) { s.UseTZ, s.TimeZone = true, "Asia/Tokyo" }},
	}
	if release == "3.2" {
		cs = append(cs, tokenCase{"sha1", djangotest.Config{UseTZ: true, DefaultHashingAlgorithm: "sha1"},
			func(s *djangobridge.Settings) { s.UseTZ, s.TimeZone, s.DefaultHashingAlgorithm = true, "UTC", "sha1" }})
	}
	return cs
}

// TestTokensBothWays: on every release and under several USE_TZ /
// TIME_ZONE settings, the token Go makes for a user at a given time is
// byte for byte the token Django makes; Django's check_token (through
// PasswordResetConfirmView.get_user) accepts Go's uidb64 and token and Go
// accepts Django's; a login, a new password and a changed email invalidate
// a token in both; the timeout is PASSWORD_RESET_TIMEOUT in both.
func TestTokensBothWays(t *testing.T) {
	for _, release := range djangotest.Releases {
		for _, c := range tokenCases(release) {
			t.Run(release+"/"+c.name, func(t *testing.T) {
				cfg := c.cfg
				cfg.Extra = map[string]any{"PASSWORD_RESET_TIMEOUT": 3600}
				cfg.PasswordHashers = fastHashers
				dj := djangotest.Start(t, release, cfg)
				s := djangobridge.Defaults()
				s.DjangoVersion = djangobridge.MustParseVersion(release)
				s.SecretKey = "test-secret-key"
				c.set(&s)
				loc, _ := time.LoadLocation(s.TimeZone)
				var clock time.Time
				g, err := NewTokenGenerator(&s, Options{Timeout: time.Hour, Now: func() time.Time { return clock }})
				if err != nil {
					t.Fatal(err)
				}
				username := fmt.Sprintf("reset-%s-%d", c.name, time.Now().UnixNano())
				dj.Do(t, "auth_create_user", map[string]any{"username": username, "email": "Reset@Example.com", "password": "old pass 123"}, nil)
				at := func(tm time.Time) string { return tm.In(loc).Format("2006-01-02T15:04:05") }

				check := func(step string, u *djangouser.User, uid, tok string, when time.Time, want bool) {
					t.Helper()
					clock = when
					var r struct {
						User  *string `json:"user"`
						Valid bool    `json:"valid"`
					}
					dj.Do(t, "reset_check", map[string]any{"uidb64": uid, "token": tok, "at": at(when)}, &r)
					if r.Valid != want || r.User == nil || *r.User != username {
						t.Errorf("%s: Django check_token %v (user %v), want %v", step, r.Valid, r.User, want)
					}
					if got := g.CheckToken(u, tok); got != want {
						t.Errorf("%s: Go CheckToken %v, want %v", step, got, want)
					}
				}

				base := time.Date(2026, 3, 29, 1, 30, 15, 0, loc) // near a DST change in Europe, not here
				for _, when := range []time.Time{base, base.Add(17 * time.Hour), time.Date(2069, 1, 1, 0, 0, 0, 0, loc)} {
					u := djUser(t, dj, username, loc)
					var dt struct{ UIDB64, Token string }
					dj.Do(t, "reset_make", map[string]any{"username": username, "at": at(when)}, &dt)
					gt, err := g.MakeTokenAt(u, when)
					if err != nil {
						t.Fatal(err)
					}
					if gt != dt.Token || UIDB64(u) != dt.UIDB64 {
						t.Fatalf("at %s: Go %s/%s, Django %s/%s", at(when), UIDB64(u), gt, dt.UIDB64, dt.Token)
					}
					check("Go's token", u, UIDB64(u), gt, when.Add(59*time.Minute), true)
					check("expired", u, UIDB64(u), gt, when.Add(61*time.Minute), false)
				}

				// Invalidation: login (last_login), email, password.
				when := base
				u := djUser(t, dj, username, loc)
				tok, _ := g.MakeTokenAt(u, when)
				dj.Do(t, "auth_login", map[string]any{"username": username, "password": "old pass 123"}, nil)
				u = djUser(t, dj, username, loc)
				if u.LastLogin == nil {
					t.Fatal("login set no last_login")
				}
				check("after login", u, UIDB64(u), tok, when, false)
				tok, _ = g.MakeTokenAt(u, when)
				check("with last_login", u, UIDB64(u), tok, when, true)
				dj.Do(t, "auth_update_user", map[string]any{"username": username, "fields": map[string]any{"email": "new@example.com"}}, nil)
				u = djUser(t, dj, username, loc)
				check("after email change", u, UIDB64(u), tok, when, false)
				tok, _ = g.MakeTokenAt(u, when)
				dj.Do(t, "auth_set_password", map[string]any{"username": username, "password": "new pass 456"}, nil)
				u = djUser(t, dj, username, loc)
				check("after new password", u, UIDB64(u), tok, when, false)

				// Tampering.
				tok, _ = g.MakeTokenAt(u, when)
				ts, h, _ := strings.Cut(tok, "-")
				for _, bad := range []string{
					ts + "-" + strings.Repeat("0", len(h)),
					strconv.FormatInt(mustB36(ts)+1, 36) + "-" + h,
					tok + "0", tok[:len(tok)-1], "-" + h, ts + "-", ts, "x" + tok, tok + "-",
				} {
					check("tampered "+bad, u, UIDB64(u), bad, when, false)
				}
			})
		}
	}
}

func mustB36(s string) int64 {
	n, ok := base36ToInt(s)
	if !ok {
		panic(s)
	}
	return n
}

// TestFallbackKeys: on 4.1+ a token made with a key now listed in
// SECRET_KEY_FALLBACKS passes in Django and in Go; on 3.2 (no such setting)
// it fails in both.
func TestFallbackKeys(t *testing.T) {
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			old := djangotest.Start(t, release, djangotest.Config{SecretKey: "old-key", UseTZ: true, PasswordHashers: fastHashers})
			cur := djangotest.Start(t, release, djangotest.Config{SecretKey: "new-key", SecretKeyFallbacks: []string{"old-key"}, UseTZ: true, PasswordHashers: fastHashers})
			username := fmt.Sprintf("fb-%d", time.Now().UnixNano())
			old.Do(t, "auth_create_user", map[string]any{"username": username, "password": "pw pw pw 1"}, nil)
			u := djUser(t, old, username, time.UTC)
			var dt struct{ UIDB64, Token string }
			old.Do(t, "reset_make", map[string]any{"username": username}, &dt)
			// The second process has its own in-memory database: give it the same row.
			cur.Do(t, "auth_create_user", map[string]any{"username": username, "password": nil}, nil)
			cur.Do(t, "auth_update_user", map[string]any{"username": username, "fields": map[string]any{"password": u.Password}}, nil)
			u2 := djUser(t, cur, username, time.UTC)
			var r struct{ Valid bool }
			cur.Do(t, "reset_check", map[string]any{"uidb64": UIDB64(u2), "token": dt.Token}, &r)
			s := djangobridge.Defaults()
			s.DjangoVersion = djangobridge.MustParseVersion(release)
			s.SecretKey, s.SecretKeyFallbacks, s.UseTZ, s.TimeZone = "new-key", []string{"old-key"}, true, "UTC"
			g, err := NewTokenGenerator(&s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			want := release != "3.2"
			if u2.PK() != u.PK() {
				t.Skipf("ids differ between the two databases (%s, %s)", u.PK(), u2.PK())
			}
			if r.Valid != want || g.CheckToken(u2, dt.Token) != want {
				t.Errorf("fallback token: Django %v, Go %v, want %v", r.Valid, g.CheckToken(u2, dt.Token), want)
			}
		})
	}
}

// TestConfirmViewTakesGoLinks: Django's own PasswordResetConfirmView, run
// through its URL, accepts a uidb64 and token made by Go and sets the new
// password; the same link is then dead (used) in Django and in Go.
func TestConfirmViewTakesGoLinks(t *testing.T) {
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djangotest.Config{UseTZ: true, PasswordHashers: fastHashers})
			s := djangobridge.Defaults()
			s.DjangoVersion = djangobridge.MustParseVersion(release)
			s.SecretKey, s.UseTZ, s.TimeZone = "test-secret-key", true, "UTC"
			g, err := NewTokenGenerator(&s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			username := fmt.Sprintf("view-%d", time.Now().UnixNano())
			dj.Do(t, "auth_create_user", map[string]any{"username": username, "email": "v@example.com", "password": "old pass 123"}, nil)
			u := djUser(t, dj, username, time.UTC)
			tok, _ := g.MakeToken(u)
			var r struct {
				LinkValid bool   `json:"link_valid"`
				Status    int    `json:"status"`
				Location  string `json:"location"`
			}
			dj.Do(t, "reset_confirm_view", map[string]any{"uidb64": UIDB64(u), "token": tok,
				"new_password1": "brand new pass 789", "new_password2": "brand new pass 789"}, &r)
			if !r.LinkValid || r.Status != 302 || !strings.HasSuffix(r.Location, "/reset/done/") {
				t.Fatalf("Django's view on Go's link: %+v", r)
			}
			var ok struct{ Key *string }
			dj.Do(t, "auth_login", map[string]any{"username": username, "password": "brand new pass 789"}, &ok)
			if ok.Key == nil {
				t.Error("the new password does not log in")
			}
			u = djUser(t, dj, username, time.UTC)
			if g.CheckToken(u, tok) {
				t.Error("Go accepts a used token")
			}
			dj.Do(t, "reset_confirm_view", map[string]any{"uidb64": UIDB64(u), "token": tok,
				"new_password1": "x", "new_password2": "x"}, &r)
			if r.LinkValid {
				t.Error("Django accepts a used token")
			}
		})
	}
}

// fastHashers keeps Django's user creation and login cheap in tests.
var fastHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}
