package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/passwords"
)

var fastHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}

func goSettings(t testing.TB, release string) *djangobridge.Settings {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey = "test-secret-key"
	s.UseTZ, s.TimeZone = true, "UTC"
	s.PasswordHashers = fastHashers
	return &s
}

func djConfig() djangotest.Config {
	return djangotest.Config{UseTZ: true, PasswordHashers: fastHashers, Extra: map[string]any{"ACCOUNT_ACTIVATION_DAYS": 7}}
}

type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fixedClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type activation struct {
	Username string `json:"username"`
	IsActive bool   `json:"is_active"`
	Error    *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestActivationKeysBothWays: on every release, a key made by Go equals
// the key django-registration makes for the same username at the same
// second; django-registration's ActivationView activates the account of a
// Go key and Go activates the account of a Django key; expired, tampered,
// replayed and unknown-user keys get django-registration's codes and
// messages from both.
func TestActivationKeysBothWays(t *testing.T) {
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djConfig())
			clock := &fixedClock{t: time.Now()}
			keys, err := NewKeys(goSettings(t, release), KeyOptions{ActivationDays: 7, Now: clock.now})
			if err != nil {
				t.Fatal(err)
			}
			at := func() int64 { return clock.now().Unix() }
			for _, name := range []string{"alice", "Σίσυφος", "o'brien+x@y.z", strings.Repeat("n", 150)} {
				var dk string
				dj.Do(t, "reg_make_key", map[string]any{"username": name, "at": at()}, &dk)
				gk, _ := keys.Make(name)
				if gk != dk {
					t.Errorf("%q: Go key %s, Django %s", name, gk, dk)
				}
				if got, err := keys.Username(dk); err != nil || got != name {
					t.Errorf("%q: Go reads Django's key as %q, %v", name, got, err)
				}
			}

			activate := func(step, key string, want activation) {
				t.Helper()
				var d activation
				dj.Do(t, "reg_activate", map[string]any{"key": key, "at": at()}, &d)
				if d.Error != nil || want.Error != nil {
					if d.Error == nil || want.Error == nil || *d.Error != *want.Error {
						t.Errorf("%s: Django %+v, want %+v", step, d.Error, want.Error)
					}
				} else if d.Username != want.Username || !d.IsActive {
					t.Errorf("%s: Django %+v", step, d)
				}
			}
			errOf := func(code, msg string) activation {
				a := activation{}
				a.Error = &struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				}{code, msg}
				return a
			}
			goErr := func(step, key, code string) {
				t.Helper()
				_, err := keys.Username(key)
				var ae *ActivationError
				if code == "" {
					if err != nil {
						t.Errorf("%s: Go: %v", step, err)
					}
					return
				}
				if !errors.As(err, &ae) || ae.Code != code || !errors.Is(err, ErrActivation) {
					t.Errorf("%s: Go %v, want code %s", step, err, code)
				}
			}

			// A Go key activates in Django, once.
			u1 := fmt.Sprintf("goreg%d", time.Now().UnixNano())
			dj.Do(t, "auth_create_user", map[string]any{"username": u1, "password": "pw pw pw pw", "is_active": false}, nil)
			k1, _ := keys.Make(u1)
			activate("Go key in Django", k1, activation{Username: u1, IsActive: true})
			activate("replayed", k1, errOf(CodeAlreadyActivated, MsgAlreadyActivated))

			// Tampered, foreign and malformed keys.
			dot := strings.LastIndexByte(k1, ':')
			flip := func(s string, i int) string {
				b := []byte(s)
				if b[i] == 'A' {
					b[i] = 'B'
				} else {
					b[i] = 'A'
				}
				return string(b)
			}
			for _, bad := range []string{flip(k1, 1), flip(k1, dot+3), k1[:len(k1)-1], "", "x", ":", "::", k1 + ":", "a" + k1,
				strings.Repeat("A", 5000)} {
				activate("tampered "+bad[:min(len(bad), 20)], bad, errOf(CodeInvalidKey, MsgInvalidKey))
				goErr("tampered", bad, CodeInvalidKey)
			}
			other, _ := NewKeys(goSettings(t, release), KeyOptions{ActivationDays: 7, Salt: "other", Now: clock.now})
			ko, _ := other.Make(u1)
			activate("other salt", ko, errOf(CodeInvalidKey, MsgInvalidKey))
			goErr("other salt", ko, CodeInvalidKey)

			// Unknown user.
			kn, _ := keys.Make("nobody-" + u1)
			activate("unknown user", kn, errOf(CodeBadUsername, MsgBadUsername))

			// Expiry: 7 days = 604800 s; older is expired in both.
			u2 := fmt.Sprintf("djreg%d", time.Now().UnixNano())
			dj.Do(t, "auth_create_user", map[string]any{"username": u2, "password": "pw pw pw pw", "is_active": false}, nil)
			start := clock.now()
			var k2 string
			dj.Do(t, "reg_make_key", map[string]any{"username": u2, "at": at()}, &k2)
			clock.set(start.Add(7*24*time.Hour + time.Second))
			activate("expired", k2, errOf(CodeExpired, MsgExpired))
			goErr("expired", k2, CodeExpired)
			clock.set(start.Add(7*24*time.Hour - time.Second))
			goErr("not yet expired", k2, "")
			// A Django key activates in Go (over a store holding the row).
			users := NewMemoryUsers()
			_ = users.CreateUser(context.Background(), &djangouser.User{Username: u2, IsActive: false})
			w := newHMAC(t, release, users, clock, &bytes.Buffer{})
			u, err := w.Activate(context.Background(), k2)
			if err != nil || !u.IsActive {
				t.Fatalf("Django key in Go: %v", err)
			}
			if _, err := w.Activate(context.Background(), k2); !errors.Is(err, ErrActivation) || err.Error() != MsgAlreadyActivated {
				t.Errorf("Go replay: %v", err)
			}
		})
	}
}

func newHMAC(t testing.TB, release string, users Users, clock *fixedClock, out *bytes.Buffer, opts ...func(*Config)) *HMAC {
	t.Helper()
	s := goSettings(t, release)
	pw, err := hashers.New(s)
	if err != nil {
		t.Fatal(err)
	}
	vs, err := passwords.New(s, passwords.DjangoDefaults())
	if err != nil {
		t.Fatal(err)
	}
	c := Config{Settings: s, Users: users, Passwords: pw, Validators: vs, Now: clock.now}
	for _, o := range opts {
		o(&c)
	}
	w, err := NewHMAC(c, HMACConfig{Keys: KeyOptions{ActivationDays: 7}, Sender: &accountmail.Console{W: out}, SiteURL: "http://testserver"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestFormErrorsAsDjango: the registration form's errors equal those of
// django-registration's RegistrationForm (with its confusables checks, Go
// using the confusable_homoglyphs version installed beside that release)
// on a corpus of usernames, emails and passwords, with some usernames
// already taken, on every release.
func TestFormErrorsAsDjango(t *testing.T) {
	taken := []string{"taken", "Mixed.Case"}
	var forms []Form
	usernames := []string{"", " ", "bob", " bob ", "taken", "TAKEN", "mixed.case", "Mixed.Case", "with space", "a/b", "ok_name-1.2@x+y",
		"admin", "root", ".well-known-x", "Ｆｕｌｌ", "ﬁx", "Σίσυφος", "e\u0301", strings.Repeat("u", 150), strings.Repeat("u", 151),
		strings.Repeat("é", 151), "tab\tname", "\x1cpad\x1f", "nul\x00l", "admin\x00"}
	emails := []string{"", "a@example.com", " b@example.com ", "no-at", "a@b", "a@localhost", "x@-bad.com", "quoted\"x@example.com",
		"üser@example.com", "a@exämple.com", "a..b@example.com", strings.Repeat("a", 250) + "@x.com", "a@example.c", "a@example.co-", "a\x00@example.com"}
	pws := [][2]string{{"", ""}, {"correct horse battery", "correct horse battery"}, {"correct horse battery", "different one here"},
		{"password", "password"}, {"12345678", "12345678"}, {"short", "short"}, {" spaced pw 123 ", " spaced pw 123 "}, {"x", ""}, {"", "x"}}
	for i, u := range usernames {
		for j, e := range emails {
			if (i+j)%3 != 0 && j != 1 {
				continue
			}
			p := pws[(i*7+j)%len(pws)]
			forms = append(forms, Form{u, e, p[0], p[1]})
		}
		forms = append(forms, Form{u, "user@example.com", u + "123", u + "123"}, Form{u, "u@example.com", "u@example.com", "u@example.com"})
	}
	forms = append(forms, Form{"nulpw", "n@example.com", "pw\x00pw pw pw", "pw\x00pw pw pw"},
		Form{"nulpw", "n@example.com", "pw\x00pw pw pw", "other pass 123"}, Form{"nulpw", "n@example.com", "good pass 123", "x\x00"},
		Form{"nul\x00", "n\x00@example.com", "\x00", ""})
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djConfig())
			users := NewMemoryUsers()
			for _, name := range taken {
				var row map[string]any
				dj.Do(t, "auth_user_row", map[string]any{"username": name}, &row)
				if row["exists"] != true {
					dj.Do(t, "auth_create_user", map[string]any{"username": name, "password": "pw pw pw pw"}, nil)
				}
				_ = users.CreateUser(context.Background(), &djangouser.User{Username: name})
			}
			w := newHMAC(t, release, users, &fixedClock{t: time.Now()}, &bytes.Buffer{}, withConfusablesOf(t, dj))
			cfg := []map[string]any{}
			for _, c := range passwords.DjangoDefaults() {
				cfg = append(cfg, map[string]any{"NAME": c.Name, "OPTIONS": map[string]any{}})
			}
			bad := 0
			for _, f := range forms {
				var want map[string][]string
				dj.Do(t, "reg_form_errors", map[string]any{"validators": cfg, "data": map[string]string{
					"username": f.Username, "email": f.Email, "password1": f.Password1, "password2": f.Password2}}, &want)
				err := w.Validate(context.Background(), f)
				got := map[string][]string{}
				var fe FormErrors
				if errors.As(err, &fe) {
					got = fe
				} else if err != nil {
					t.Fatal(err)
				}
				if !maps.EqualFunc(got, want, slices.Equal[[]string]) {
					if bad++; bad < 15 {
						t.Errorf("%+q:\n Go     %q\n Django %q", f, got, want)
					}
				}
			}
			t.Logf("%d forms, %d differ", len(forms), bad)
		})
	}
}
