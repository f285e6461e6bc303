package passwordreset

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/passwords"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// TestFlowWithDjango: on every release and over a database shared with
// real Django (SQLite, PostgreSQL, MariaDB, with that release's tables),
// one Django process per release × database: a reset request for a known
// address mails one link (the inactive user and the one without a usable
// password get none) and for an unknown address mails nothing and says the
// same; Go's link works in Django's PasswordResetConfirmView (through its
// URL) and is then dead in Go and in Django; a Django link works in Go's
// Confirm, with SetPasswordForm's messages for bad new passwords (the
// view's own, for the same inputs), and is then dead in both; expired and
// tampered links are refused by both; ChangePassword keeps the current
// session and ends the other.
func TestFlowWithDjango(t *testing.T) {
	for _, release := range djangotest.Releases {
		for _, kind := range []string{"sqlite", "postgres", "mysql"} {
			t.Run(release+"/"+kind, func(t *testing.T) { flowWithDjango(t, release, kind) })
		}
	}
}

// confirmPage is what the reset_confirm_page op returns.
type confirmPage struct {
	LinkValid bool                `json:"link_valid"`
	Status    int                 `json:"status"`
	Location  string              `json:"location"`
	Errors    map[string][]string `json:"errors"`
}

func flowWithDjango(t *testing.T, release, kind string) {
	ctx := context.Background()
	db := djangotest.NewDatabaseRelease(t, kind, release)
	var vals []map[string]string
	for _, c := range passwords.DjangoDefaults() {
		vals = append(vals, map[string]string{"NAME": c.Name})
	}
	dj := djangotest.Start(t, release, djangotest.Config{DatabaseURL: db.URL, UseTZ: true, PasswordHashers: fastHashers,
		Extra: map[string]any{"AUTH_PASSWORD_VALIDATORS": vals}})
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey, s.UseTZ, s.TimeZone, s.PasswordHashers = "test-secret-key", true, "UTC", fastHashers
	h := db.Open(t)
	d, _ := sqlstore.ParseDialect(kind)
	users, err := sqlstore.NewUsers(h, d, &s)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := sqlstore.NewAccounts(h, d, &s)
	sessStore, _ := sqlstore.New(h, d, &s)
	mgr, _ := djangosession.NewManager(&s, sessStore)
	pw, _ := hashers.New(&s)
	auth, err := djangouser.New(&s, users, pw)
	if err != nil {
		t.Fatal(err)
	}
	tokens, _ := NewTokenGenerator(&s, Options{})
	vs, _ := passwords.New(&s, passwords.DjangoDefaults())
	out := &bytes.Buffer{}
	flow, err := NewFlow(FlowConfig{Tokens: tokens, Auth: auth, Finder: acc, Validators: vs,
		Sender: &accountmail.Console{W: out}, SiteURL: "http://testserver"})
	if err != nil {
		t.Fatal(err)
	}
	dj.Do(t, "auth_create_user", map[string]any{"username": "resetme", "email": "Reset.Me@Example.com", "password": "old pass 123"}, nil)
	dj.Do(t, "auth_create_user", map[string]any{"username": "sleeper", "email": "reset.me@example.com", "password": "x y z 1 2 3", "is_active": false}, nil)
	dj.Do(t, "auth_create_user", map[string]any{"username": "nopass", "email": "RESET.ME@example.com", "password": nil}, nil)

	if err := flow.RequestReset(ctx, "nobody@example.com"); err != nil || out.Len() != 0 {
		t.Fatalf("unknown address: %v, %q", err, out)
	}
	// The form's email field: Go's FormErrors equal PasswordResetForm's
	// errors on every address of the corpus, and an invalid one mails
	// nothing.
	if kind == "sqlite" {
		emails := append(resetEmailCorpus(), unicodeDomainCorpus()...)
		var want [][]string
		dj.Do(t, "reset_form_errors_many", map[string]any{"emails": emails}, &want)
		for i, e := range emails {
			err := flow.RequestReset(ctx, e)
			var got []string
			var fe FormErrors
			if errors.As(err, &fe) {
				got = fe["email"]
			} else if err != nil {
				t.Fatalf("%q: %v", e, err)
			}
			if strings.Join(got, "|") != strings.Join(want[i], "|") {
				t.Errorf("email %q: Go %q, Django %q", e, got, want[i])
			}
		}
		if out.Len() != 0 {
			t.Fatalf("the corpus mailed:\n%s", out)
		}
	}
	if err := flow.RequestReset(ctx, "reset.me@EXAMPLE.com"); err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`http://testserver/reset/([^/\s]+)/([^/\s]+)/`).FindAllStringSubmatch(out.String(), -1)
	if len(links) != 1 || !strings.Contains(out.String(), "To: Reset.Me@example.com\n") {
		t.Fatalf("want one mail to resetme:\n%s", out)
	}
	page := func(uid, tok, p1, p2 string) confirmPage {
		t.Helper()
		var r confirmPage
		dj.Do(t, "reset_confirm_page", map[string]any{"uidb64": uid, "token": tok, "new_password1": p1, "new_password2": p2}, &r)
		return r
	}
	if r := page(links[0][1], links[0][2], "django set this 1", "django set this 1"); !r.LinkValid || r.Status != 302 ||
		r.Location != "/reset/done/" {
		t.Fatalf("Django's view on Go's link: %+v", r)
	}
	var login struct{ Key *string }
	dj.Do(t, "auth_login", map[string]any{"username": "resetme", "password": "django set this 1"}, &login)
	if login.Key == nil {
		t.Fatal("the password Django's view set on Go's link does not log in")
	}
	if _, err := flow.UserFromLink(ctx, links[0][1], links[0][2]); !errors.Is(err, ErrInvalidLink) {
		t.Errorf("used link in Go: %v", err)
	}
	if r := page(links[0][1], links[0][2], "x y z 4 5 6", "x y z 4 5 6"); r.LinkValid {
		t.Errorf("used link in Django: %+v", r)
	}

	// Expired (made 3 days and a second ago: PASSWORD_RESET_TIMEOUT)
	// and tampered Go links: dead in both.
	u, err := auth.Store().UserByUsername(ctx, "resetme")
	if err != nil {
		t.Fatal(err)
	}
	old, _ := tokens.MakeTokenAt(u, time.Now().Add(-DefaultTimeout-2*time.Second))
	fresh, _ := tokens.MakeToken(u)
	ts, hash, _ := strings.Cut(fresh, "-")
	for _, bad := range [][2]string{{UIDB64(u), old}, {UIDB64(u), ts + "-" + strings.Repeat("0", len(hash))},
		{UIDB64(u), fresh[:len(fresh)-1]}, {"MTAwMDA", fresh}, {"!!", fresh}, {UIDB64(u), "1-2-3"}} {
		if r := page(bad[0], bad[1], "x y z 4 5 6", "x y z 4 5 6"); r.LinkValid {
			t.Errorf("bad link %q in Django: %+v", bad, r)
		}
		if _, err := flow.Confirm(ctx, bad[0], bad[1], "x y z 4 5 6", "x y z 4 5 6"); err == nil {
			t.Errorf("bad link %q in Go: accepted", bad)
		}
	}
	if r := page(UIDB64(u), fresh, "", ""); !r.LinkValid {
		t.Errorf("the fresh Go link is refused by Django: %+v", r)
	}

	// Django's link, Go's Confirm.
	var dl struct{ UIDB64, Token string }
	dj.Do(t, "reset_make", map[string]any{"username": "resetme"}, &dl)
	for _, c := range []struct {
		p1, p2 string
		want   FormErrors
	}{
		{"", "", FormErrors{"new_password1": {MsgRequired}, "new_password2": {MsgRequired}}},
		{"abc", "abd", FormErrors{"new_password2": {MsgPasswordMismatch}}},
		{"resetme1", "resetme1", FormErrors{"new_password2": {"The password is too similar to the username."}}},
		{"1234", "1234", FormErrors{"new_password2": {"This password is too short. It must contain at least 8 characters.", "This password is too common.", "This password is entirely numeric."}}},
		{strings.Repeat("x", 10<<20), "y", FormErrors{"new_password2": {"Ensure this value has at most 2621440 bytes."}}},
		{"Reset.Me", "Reset.Me", nil},
		{"example.com1", "example.com1", nil},
		{"ünïcødé", "ünïcødé", nil},
		{"123456789012", "123456789012", nil},
		{"pw\x00pw pw pw", "pw\x00pw pw pw", FormErrors{"new_password1": {MsgNullCharacters}, "new_password2": {MsgNullCharacters}}},
		{"pw\x00pw pw pw", "resetme", nil}, // new_password1's NUL, and the validators on new_password2
		{"good pass 1234", "x\x00", FormErrors{"new_password2": {MsgNullCharacters}}},
	} {
		_, err := flow.Confirm(ctx, dl.UIDB64, dl.Token, c.p1, c.p2)
		var fe FormErrors
		if !errors.As(err, &fe) || (c.want != nil && !equalErrs(fe, c.want)) {
			t.Errorf("%.20q/%.20q: %v, want %v", c.p1, c.p2, err, c.want)
		}
		if len(c.p1) > MaxFieldBytes {
			continue // Django refuses the request body before any form sees it
		}
		// The same passwords on Django's view, with Django's own link.
		if r := page(dl.UIDB64, dl.Token, c.p1, c.p2); !r.LinkValid || !equalErrs(fe, r.Errors) {
			t.Errorf("%.20q/%.20q: Go %v, Django's view %+v", c.p1, c.p2, fe, r)
		}
	}
	if _, err := flow.Confirm(ctx, dl.UIDB64, dl.Token, "go set this 2", "go set this 2"); err != nil {
		t.Fatal(err)
	}
	login.Key = nil
	dj.Do(t, "auth_login", map[string]any{"username": "resetme", "password": "go set this 2"}, &login)
	if login.Key == nil {
		t.Fatal("Go's new password does not log in on Django")
	}
	if _, err := flow.Confirm(ctx, dl.UIDB64, dl.Token, "again 3 again", "again 3 again"); !errors.Is(err, ErrInvalidLink) {
		t.Errorf("replayed Django link: %v", err)
	}
	if r := page(dl.UIDB64, dl.Token, "again 3 again", "again 3 again"); r.LinkValid {
		t.Errorf("Django link used by Go, in Django: %+v", r)
	}

	// Change: two sessions; the one changing stays, the other ends.
	var other struct{ Key string }
	dj.Do(t, "auth_login", map[string]any{"username": "resetme", "password": "go set this 2"}, &other)
	sess := mgr.Open(ctx, *login.Key)
	u, err = auth.GetUser(ctx, sess)
	if err != nil || u.IsAnonymous() {
		t.Fatalf("GetUser: %v", err)
	}
	var fe FormErrors
	if err := flow.ChangePassword(ctx, sess, u, "wrong", "changed pass 4", "changed pass 4"); !errors.As(err, &fe) ||
		!equalErrs(fe, FormErrors{"old_password": {MsgPasswordIncorrect}}) {
		t.Errorf("wrong old password: %v", err)
	}
	if err := flow.ChangePassword(ctx, sess, u, "go set this 2", "changed pass 4", "changed pass 4"); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	who := func(key string) bool {
		var w struct {
			User struct{ Authenticated bool } `json:"user"`
		}
		dj.Do(t, "auth_whoami", map[string]any{"session_key": key}, &w)
		return w.User.Authenticated
	}
	if !who(sess.Key()) || who(other.Key) {
		t.Errorf("after change: current session logged in %v, other %v (want true, false)", who(sess.Key()), who(other.Key))
	}
}

func equalErrs(a, b FormErrors) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// resetEmailCorpus is addresses PasswordResetForm judges: valid and
// malformed ASCII ones, surrounding whitespace, NULs, quoted local parts,
// lengths around 254 and 320, non-ASCII local parts.
func resetEmailCorpus() []string {
	c := []string{"", " ", "\t\n", "a@b", "a@b.c", "a@b.co", "a@localhost", "@example.com", "a@", "a", "a@@example.com",
		"a b@example.com", " a@example.com ", "a@example.com\x00", "a\x00b@example.com", "a.@example.com", ".a@example.com",
		"a..b@example.com", `"a b"@example.com`, `"a\"b"@example.com`, "a@-example.com", "a@example-.com", "a@example.c-m",
		"a@[127.0.0.1]", "a@[IPv6:::1]", "a@exa_mple.com", "a+tag@example.com", "A@EXAMPLE.COM", "é@example.com",
		"a@example.com.", "a@1.2.3.4", "a@example.123", "ünï@example.com", "a@b.c\n", "\u00a0a@example.com\u00a0",
		"\x1fa@example.com", "a@" + strings.Repeat("x", 63) + ".com", "a@" + strings.Repeat("x", 64) + ".com"}
	for _, n := range []int{240, 241, 242, 243, 250, 254, 255, 300, 320, 321, 400} {
		c = append(c, strings.Repeat("a", n-len("@example.com"))+"@example.com")
		local := strings.Repeat("b", 60)
		domain := strings.Repeat("d", n-len(local)-1-4)
		var labels []string
		for len(domain) > 60 {
			labels, domain = append(labels, domain[:60]), domain[60:]
		}
		c = append(c, local+"@"+strings.Join(append(labels, domain), ".")+".com")
	}
	return c
}

// unicodeDomainCorpus is non-ASCII domains around the edges of
// DomainNameValidator (5.2+) and of IDNA 2003 (before).
func unicodeDomainCorpus() []string {
	return []string{"a@exämple.com", "a@例え.テスト", "a@xn--bcher-kva.ch", "a@example.xn--p1ai", "a@example.XN--P1AI",
		"a@example.рф", "a@example.c0m", "a@example.xn--", "a@example.xn--a-b", "a@\U0001d521omain.com", "a@dom\u00a0ain.com",
		"a@dom\u00a1.com", "a@-ä.com", "a@ä-.com", "a@ä.c", "a@ä.çç", "a@ä..com", "a@.ä.com", "a@ä.com.",
		"a@" + strings.Repeat("ä", 63) + ".com", "a@" + strings.Repeat("ä", 64) + ".com", "a@b." + strings.Repeat("é", 63),
		"a@b." + strings.Repeat("é", 64), "a@b.xn--" + strings.Repeat("a", 59), "a@b.xn--" + strings.Repeat("a", 60),
		"a@ｅｘａｍｐｌｅ.com", "a@example．com", "a@exa\ufffdmple.com", "a@\u0130stanbul.tr", "a@example.c-m", "a@example.-cm"}
}
