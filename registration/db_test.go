package registration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/passwords"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// viewResult is what the regview_* ops return: django-registration's
// RegistrationView and ActivationView run through django.test.Client.
type viewResult struct {
	Status   int                 `json:"status"`
	Location string              `json:"location"`
	Errors   map[string][]string `json:"errors"`
	Key      string              `json:"key"`
	IsActive *bool               `json:"is_active"`
	Mail     *struct {
		Subject, Body string
		To            []string
	} `json:"mail"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// TestOverDjangoDatabase: on every release django-registration runs on
// (3.2, 4.2, 5.2, 6.1) and on SQLite, PostgreSQL and MariaDB with that
// release's own tables, against one Django process per release × database:
//   - a user registered by Go (inactive row) is activated by
//     django-registration's ActivationView, through its URL, with the key
//     from Go's email; the key is then dead in both;
//   - a user registered through django-registration's RegistrationView (its
//     form, create_inactive_user and activation email) is activated by Go
//     with the key from Django's email; the key is then dead in both;
//   - expired, tampered and unknown-user keys get the same code and message
//     from the view's page and from Go;
//   - the registration form's errors over the shared table (taken names,
//     case variants) are the view's;
//   - 8 concurrent registrations of one username leave exactly one row.
func TestOverDjangoDatabase(t *testing.T) {
	for _, release := range djangotest.Releases {
		for _, kind := range []string{"sqlite", "postgres", "mysql"} {
			t.Run(release+"/"+kind, func(t *testing.T) { overDjangoDatabase(t, release, kind) })
		}
	}
}

func overDjangoDatabase(t *testing.T, release, kind string) {
	ctx := context.Background()
	db := djangotest.NewDatabaseRelease(t, kind, release)
	cfg := djConfig()
	cfg.DatabaseURL = db.URL
	// Go's workflow validates with passwords.DjangoDefaults(): give Django
	// the same AUTH_PASSWORD_VALIDATORS (startproject's four).
	var vals []map[string]string
	for _, c := range passwords.DjangoDefaults() {
		vals = append(vals, map[string]string{"NAME": c.Name})
	}
	cfg.Extra = map[string]any{"ACCOUNT_ACTIVATION_DAYS": 7, "AUTH_PASSWORD_VALIDATORS": vals}
	dj := djangotest.Start(t, release, cfg)
	s := goSettings(t, release)
	h := db.Open(t)
	d, _ := sqlstore.ParseDialect(kind)
	st, err := sqlstore.NewUsers(h, d, s)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := sqlstore.NewAccounts(h, d, s)
	if err != nil {
		t.Fatal(err)
	}
	out := &bytes.Buffer{}
	clock := &fixedClock{t: time.Now()}
	w := newHMAC(t, release, StoreUsers{st, acc}, clock, out)
	at := func() int64 { return clock.now().Unix() }
	isActive := func(username string) any {
		t.Helper()
		var row map[string]any
		dj.Do(t, "auth_user_row", map[string]any{"username": username}, &row)
		if row["exists"] == false {
			return "no row"
		}
		return row["is_active"]
	}
	djActivate := func(step, key string, wantCode, wantMsg string) {
		t.Helper()
		var r viewResult
		dj.Do(t, "regview_activate", map[string]any{"key": key, "at": at()}, &r)
		switch {
		case wantCode == "" && (r.Status != 302 || r.Location != "/accounts/activate/complete/"):
			t.Errorf("%s: ActivationView %d %q %+v, want a redirect to /accounts/activate/complete/", step, r.Status, r.Location, r.Error)
		case wantCode != "" && (r.Error == nil || r.Error.Code != wantCode || r.Error.Message != wantMsg):
			t.Errorf("%s: ActivationView %d %+v, want %s %q", step, r.Status, r.Error, wantCode, wantMsg)
		}
	}
	goActivate := func(step, key string, wantCode, wantMsg string) {
		t.Helper()
		u, err := w.Activate(ctx, key)
		if wantCode == "" {
			if err != nil || !u.IsActive {
				t.Errorf("%s: Go: %v", step, err)
			}
			return
		}
		var ae *ActivationError
		if !errors.As(err, &ae) || ae.Code != wantCode || err.Error() != wantMsg || !errors.Is(err, ErrActivation) {
			t.Errorf("%s: Go %v, want %s %q", step, err, wantCode, wantMsg)
		}
	}
	linkRE := regexp.MustCompile(`/accounts/activate/([^/\s]+)/`)
	goRegister := func(f Form) string {
		t.Helper()
		out.Reset()
		if _, err := w.Register(ctx, nil, f); err != nil {
			t.Fatalf("Go register %q: %v", f.Username, err)
		}
		m := linkRE.FindStringSubmatch(out.String())
		if m == nil {
			t.Fatalf("no link in\n%s", out)
		}
		if a := isActive(f.Username); a != false {
			t.Fatalf("Go's new user %q: Django sees is_active %v", f.Username, a)
		}
		return m[1]
	}
	djRegister := func(f Form) viewResult {
		t.Helper()
		var r viewResult
		dj.Do(t, "regview_register", map[string]any{"at": at(), "data": map[string]string{
			"username": f.Username, "email": f.Email, "password1": f.Password1, "password2": f.Password2}}, &r)
		return r
	}

	// Go registers, django-registration's ActivationView activates.
	k1 := goRegister(Form{"gouser", "go@example.com", "a fine pass 123", "a fine pass 123"})
	djActivate("Go's key in Django", k1, "", "")
	if a := isActive("gouser"); a != true {
		t.Errorf("after ActivationView: is_active %v", a)
	}
	djActivate("Go's key replayed in Django", k1, CodeAlreadyActivated, MsgAlreadyActivated)
	goActivate("Go's key replayed in Go", k1, CodeAlreadyActivated, MsgAlreadyActivated)

	// django-registration registers (RegistrationView), Go activates.
	r := djRegister(Form{"djuser", "dj@example.com", "a fine pass 456", "a fine pass 456"})
	if r.Status != 302 || r.Location != "/accounts/register/complete/" || r.IsActive == nil || *r.IsActive || r.Key == "" {
		t.Fatalf("RegistrationView: %+v", r)
	}
	if r.Mail == nil || !slices.Equal(r.Mail.To, []string{"dj@example.com"}) {
		t.Errorf("activation mail: %+v", r.Mail)
	}
	if u, err := w.Keys().Username(r.Key); err != nil || u != "djuser" {
		t.Errorf("Go reads Django's key as %q, %v", u, err)
	}
	goActivate("Django's key in Go", r.Key, "", "")
	if a := isActive("djuser"); a != true {
		t.Errorf("after Go's activation Django sees is_active %v", a)
	}
	djActivate("Django's key replayed in Django", r.Key, CodeAlreadyActivated, MsgAlreadyActivated)
	goActivate("Django's key replayed in Go", r.Key, CodeAlreadyActivated, MsgAlreadyActivated)

	// Expired keys, both makers: 7 days (ACCOUNT_ACTIVATION_DAYS) and one second.
	start := clock.now()
	kg := goRegister(Form{"lategouser", "lg@example.com", "a fine pass 123", "a fine pass 123"})
	rd := djRegister(Form{"latedjuser", "ld@example.com", "a fine pass 123", "a fine pass 123"})
	if rd.Key == "" {
		t.Fatalf("RegistrationView: %+v", rd)
	}
	clock.set(start.Add(7*24*time.Hour + time.Second))
	for _, k := range []string{kg, rd.Key} {
		djActivate("expired", k, CodeExpired, MsgExpired)
		goActivate("expired", k, CodeExpired, MsgExpired)
	}
	clock.set(start.Add(7*24*time.Hour - time.Second))
	djActivate("Go's key a second before expiry", kg, "", "")
	goActivate("Django's key a second before expiry", rd.Key, "", "")
	clock.set(start)

	// Tampered and unknown-user keys.
	kt := goRegister(Form{"tamperuser", "t@example.com", "a fine pass 123", "a fine pass 123"})
	colon := strings.LastIndexByte(kt, ':')
	flip := func(i int) string {
		b := []byte(kt)
		b[i] ^= 1
		return string(b)
	}
	for _, bad := range []string{flip(1), flip(colon + 2), kt[:len(kt)-1], kt + "x", "x", "a:b:c", strings.Repeat("A", 3000)} {
		djActivate("tampered", bad, CodeInvalidKey, MsgInvalidKey)
		goActivate("tampered", bad, CodeInvalidKey, MsgInvalidKey)
	}
	if a := isActive("tamperuser"); a != false {
		t.Errorf("tampered keys activated tamperuser: %v", a)
	}
	kn, _ := w.Keys().Make("nobody")
	djActivate("unknown user", kn, CodeBadUsername, MsgBadUsername)
	goActivate("unknown user", kn, CodeBadUsername, MsgBadUsername)

	// The form over the shared table: Go's verdict is RegistrationView's.
	for _, f := range []Form{
		{"gouser", "x@example.com", "a fine pass 123", "a fine pass 123"},
		{"GOUSER", "x@example.com", "a fine pass 123", "a fine pass 123"},
		{"DjUser", "x@example.com", "a fine pass 123", "a fine pass 123"},
		{"admin", "bad-email", "short", "short"},
		{"new user", "x@example.com", "newuser12", "newuser12"},
		{"", "", "", ""},
	} {
		got := map[string][]string{}
		var fe FormErrors
		if err := w.Validate(ctx, f); errors.As(err, &fe) {
			got = fe
		} else if err != nil {
			t.Fatal(err)
		}
		// After Go's verdict: a valid form makes RegistrationView register
		// (GOUSER on 3.2, which checks usernames case-sensitively; not on MariaDB).
		want := djRegister(f).Errors
		if !maps.EqualFunc(got, want, slices.Equal[[]string]) {
			t.Errorf("%q: Go %q, RegistrationView %q", f, got, want)
		}
	}

	// Concurrent registrations of one name.
	var wg sync.WaitGroup
	var ok atomic.Int32
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := w.Register(ctx, nil, Form{"racer", fmt.Sprintf("r%d@example.com", i), "a fine pass 123", "a fine pass 123"})
			var fe FormErrors
			if err == nil {
				ok.Add(1)
			} else if !errors.As(err, &fe) || fe["username"][0] != MsgDuplicateUser {
				t.Errorf("register: %v", err)
			}
		}(i)
	}
	wg.Wait()
	var n [][]any
	dj.Do(t, "sql", map[string]any{"sql": "SELECT COUNT(*) FROM auth_user WHERE username = 'racer'"}, &n)
	if ok.Load() != 1 || fmt.Sprint(n[0][0]) != "1" {
		t.Errorf("%d registrations succeeded, %v rows", ok.Load(), n)
	}
}
