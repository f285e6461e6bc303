package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/registration"
)

var csrfFieldRE = regexp.MustCompile(`<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">`)

// page is a GET that follows redirects and must answer 200: the final
// path and the body.
func (b *browser) page(target string) (string, string) {
	b.t.Helper()
	resp, err := b.client.Get(target)
	if err != nil {
		b.t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	return resp.Request.URL.Path, string(body)
}

// submit posts form to target as a browser submits the page's form: the
// csrfmiddlewaretoken field taken from the page at target (GET first),
// unless noToken. It follows redirects: the status, final path and body.
func (b *browser) submit(target string, form url.Values, noToken bool) (int, string, string) {
	b.t.Helper()
	_, body := b.page(target)
	form = cloneValues(form)
	if !noToken {
		m := csrfFieldRE.FindStringSubmatch(body)
		if m == nil {
			b.t.Fatalf("GET %s: no csrfmiddlewaretoken field in\n%s", target, body)
		}
		form.Set("csrfmiddlewaretoken", m[1])
	}
	resp, err := b.client.PostForm(target, form)
	if err != nil {
		b.t.Fatalf("POST %s: %v", target, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(out)
}

// submitBig is submit for a hostile form: the status, or 0 when the
// server ended the connection while the body was being sent (fiber's
// BodyLimit, 4 MB by default, does).
func (b *browser) submitBig(target string, form url.Values) int {
	b.t.Helper()
	_, body := b.page(target)
	form = cloneValues(form)
	if m := csrfFieldRE.FindStringSubmatch(body); m != nil {
		form.Set("csrfmiddlewaretoken", m[1])
	}
	resp, err := b.client.PostForm(target, form)
	if err != nil {
		b.t.Logf("POST %s: %v", target, err)
		return 0
	}
	resp.Body.Close()
	b.t.Logf("POST %s with 10 MB: %d", target, resp.StatusCode)
	return resp.StatusCode
}

// softBreaksOut joins the lines quoted-printable broke ("=" at a line's
// end): Django 6's console backend writes bodies with long lines so.
func softBreaksOut(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "=\r\n", ""), "=\n", "")
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

// TestAccountPagesRegisterAndActivate: on each Go app, the register page
// renders its form with a CSRF field, refuses a POST without it (403),
// shows Django's messages per field with the submitted values escaped,
// and on success redirects to the "check your email" page; the emailed
// link, opened on the next app, activates once and then shows
// django-registration's messages.
func TestAccountPagesRegisterAndActivate(t *testing.T) {
	urls, out := startDemoMail(t)
	activateRE := regexp.MustCompile(`http://127\.0\.0\.1:8003(/accounts/activate/([^/\s]+)/)`)
	for i, u := range urls {
		t.Run(appNames[i], func(t *testing.T) {
			b := newBrowser(t)
			_, body := b.page(u + "/accounts/register/")
			mustContain(t, "register page", body, `name="username"`, `name="email"`, `name="password1"`, `name="password2"`, `name="csrfmiddlewaretoken"`, appNames[i]+" (djangobridge)")

			name := fmt.Sprintf("page_user%d", i)
			good := url.Values{"username": {name}, "email": {name + "@example.com"}, "password1": {"a fine pass 123"}, "password2": {"a fine pass 123"}}
			if status, _, _ := b.submit(u+"/accounts/register/", good, true); status != http.StatusForbidden {
				t.Errorf("POST without csrfmiddlewaretoken: %d, want 403", status)
			}
			bad := url.Values{"username": {`<b>x"</b>`}, "email": {"no-at"}, "password1": {"a fine pass 123"}, "password2": {"another"}}
			status, path, body := b.submit(u+"/accounts/register/", bad, false)
			if status != http.StatusOK || path != "/accounts/register/" {
				t.Errorf("bad form: %d at %s", status, path)
			}
			mustContain(t, "bad form", html.UnescapeString(body), registerFormMsgs...)
			mustContain(t, "bad form", body, `value="&lt;b&gt;x&#34;&lt;/b&gt;"`, `value="no-at"`)
			if strings.Contains(body, "<b>x") || strings.Contains(body, "a fine pass") {
				t.Errorf("bad form shows raw input or a password:\n%s", body)
			}
			if n := strings.Count(softBreaksOut(out.String()), "/accounts/activate/"); n != i {
				t.Errorf("a refused form sent mail: %d activation links, want %d", n, i)
			}

			// 10 MB fields: refused, nothing made, no mail.
			big := strings.Repeat("x", 10<<20)
			if status := b.submitBig(u+"/accounts/register/", url.Values{"username": {big}, "email": {"a@b.c"}, "password1": {"p"}, "password2": {"p"}}); status >= 500 {
				t.Errorf("10 MB username: %d", status)
			}
			if status := b.submitBig(u+"/accounts/password_reset/", url.Values{"email": {big}}); status >= 500 {
				t.Errorf("10 MB email: %d", status)
			}
			if n := strings.Count(softBreaksOut(out.String()), "/accounts/activate/"); n != i {
				t.Errorf("10 MB fields sent mail: %d activation links, want %d", n, i)
			}

			status, path, body = b.submit(u+"/accounts/register/", good, false)
			if status != http.StatusOK || path != "/accounts/register/complete/" {
				t.Fatalf("register: %d at %s\n%s", status, path, body)
			}
			mustContain(t, "register complete", body, "check your email")
			links := activateRE.FindAllStringSubmatch(softBreaksOut(out.String()), -1)
			if len(links) != i+1 {
				t.Fatalf("want %d activation links, got %d:\n%s", i+1, len(links), out)
			}
			link := links[i][1]
			if status, _ = b.post(u, "/api/login", url.Values{"username": {name}, "password": {"a fine pass 123"}}); status != http.StatusUnauthorized {
				t.Errorf("login before activation: %d, want 401", status)
			}

			next := urls[(i+1)%3]
			path, body = b.page(next + link)
			if path != "/accounts/activate/complete/" {
				t.Errorf("activation on %s ended at %s:\n%s", appNames[(i+1)%3], path, body)
			}
			mustContain(t, "activation complete", body, "Your account is now active")
			b.login(u, name, "a fine pass 123")

			_, body = b.page(urls[(i+2)%3] + link)
			mustContain(t, "replayed activation", body, registration.MsgAlreadyActivated)
			_, body = b.page(u + strings.Replace(link, ":", ":x", 1))
			mustContain(t, "tampered activation", body, registration.MsgInvalidKey)
		})
	}
}

// registerFormMsgs are the messages the bad form above must show.
var registerFormMsgs = []string{
	registration.MsgInvalidUsername,
	registration.MsgInvalidEmail,
	"The two password fields didn’t match.",
}

// TestAccountPagesPasswordReset: the reset page answers the same done page
// for a known and an unknown address (one email, for the known one) and
// asks for an empty one; the emailed link, opened on one app, moves the
// token into the shared session and redirects to .../set-password/ (as
// Django 3.1+); the form there, posted on another app, needs the CSRF
// field, shows Django's messages, and sets the password; the link then
// shows the invalid-link message, as does set-password without the
// session's token.
func TestAccountPagesPasswordReset(t *testing.T) {
	urls, out := startDemoMail(t)
	b := newBrowser(t)
	if status, body := b.post(urls[0], "/api/register", url.Values{"username": {"resetme"}, "email": {"resetme@example.com"},
		"password1": {"a fine pass 123"}, "password2": {"a fine pass 123"}}); status != http.StatusCreated {
		t.Fatalf("register: %d %s", status, body)
	}
	key := regexp.MustCompile(`/activate/([^/\s]+)/`).FindStringSubmatch(softBreaksOut(out.String()))
	if status, body := b.post(urls[0], "/api/activate", url.Values{"activation_key": {key[1]}}); status != http.StatusOK {
		t.Fatalf("activate: %d %s", status, body)
	}
	resetRE := regexp.MustCompile(`http://127\.0\.0\.1:8003(/reset/([^/\s]+)/([^/\s]+)/)`)

	for i, u := range urls {
		t.Run(appNames[i], func(t *testing.T) {
			b := newBrowser(t)
			_, body := b.page(u + "/accounts/password_reset/")
			mustContain(t, "reset page", body, `name="email"`, `name="csrfmiddlewaretoken"`)
			if status, _, _ := b.submit(u+"/accounts/password_reset/", url.Values{"email": {"resetme@example.com"}}, true); status != http.StatusForbidden {
				t.Errorf("POST without csrfmiddlewaretoken: %d, want 403", status)
			}
			_, _, body = b.submit(u+"/accounts/password_reset/", url.Values{"email": {""}}, false)
			mustContain(t, "empty address", body, "This field is required.")
			// A malformed address is PasswordResetForm's error, shown again
			// with the input (escaped), and mails nothing.
			_, path, body := b.submit(u+"/accounts/password_reset/", url.Values{"email": {"<b>not an address"}}, false)
			mustContain(t, "malformed address", body, "Enter a valid email address.", `value="&lt;b&gt;not an address"`)
			if path != "/accounts/password_reset/" {
				t.Errorf("a malformed address went on to %s", path)
			}

			before := len(resetRE.FindAllString(softBreaksOut(out.String()), -1))
			var done [2]string
			for j, email := range []string{"nobody@example.com", "RESETME@example.com"} {
				status, path, body := b.submit(u+"/accounts/password_reset/", url.Values{"email": {email}}, false)
				if status != http.StatusOK || path != "/accounts/password_reset/done/" {
					t.Fatalf("reset for %s: %d at %s", email, status, path)
				}
				done[j] = strings.ReplaceAll(body, "nobody@example.com", "")
			}
			if done[0] != done[1] {
				t.Errorf("the done page differs for an unknown address:\n%s\n%s", done[0], done[1])
			}
			links := resetRE.FindAllStringSubmatch(softBreaksOut(out.String()), -1)
			if len(links) != before+1 {
				t.Fatalf("want one more reset link, got %d more", len(links)-before)
			}
			link, uidb64 := links[len(links)-1][1], links[len(links)-1][2]

			path, body = b.page(u + link)
			setPassword := "/reset/" + uidb64 + "/set-password/"
			if path != setPassword {
				t.Fatalf("the link ended at %s, want %s", path, setPassword)
			}
			mustContain(t, "set-password page", body, `name="new_password1"`, `name="new_password2"`)
			if sess := string(b.get(u, "/api/session")); !strings.Contains(sess, `"_password_reset_token": "`) {
				t.Errorf("the session lacks Django's _password_reset_token: %s", sess)
			}
			// A browser without the session's token gets the invalid-link page.
			_, body = newBrowser(t).page(u + setPassword)
			mustContain(t, "set-password without the session's token", body, msgInvalidResetLink)

			other := urls[(i+1)%3] + setPassword
			if status, _, _ := b.submit(other, url.Values{"new_password1": {"x"}, "new_password2": {"x"}}, true); status != http.StatusForbidden {
				t.Errorf("POST without csrfmiddlewaretoken: %d, want 403", status)
			}
			status, path, body := b.submit(other, url.Values{"new_password1": {"another pass 456"}, "new_password2": {"another pass 457"}}, false)
			if status != http.StatusOK || path != setPassword {
				t.Errorf("mismatch: %d at %s", status, path)
			}
			mustContain(t, "mismatch", body, "The two password fields didn’t match.")
			newPassword := fmt.Sprintf("another pass %d", 456+i)
			status, path, body = b.submit(other, url.Values{"new_password1": {newPassword}, "new_password2": {newPassword}}, false)
			if status != http.StatusOK || path != "/reset/done/" {
				t.Fatalf("set password: %d at %s\n%s", status, path, body)
			}
			mustContain(t, "reset done", body, "Your password has been set.")
			if sess := string(b.get(u, "/api/session")); strings.Contains(sess, "_password_reset_token") {
				t.Errorf("the session keeps the token: %s", sess)
			}
			b.login(urls[(i+2)%3], "resetme", newPassword)

			_, body = b.page(urls[(i+2)%3] + link)
			mustContain(t, "used link", body, msgInvalidResetLink)
			_, body = b.page(u + "/reset/" + uidb64 + "/x-y/")
			mustContain(t, "bad token", body, msgInvalidResetLink)
		})
	}
}

// TestAccountPagesWithRealDjango runs examples/django_app beside the Go
// apps on one SQLite database, for each Django release: a user registered
// on a Go app's page is activated by the emailed link opened on
// django-registration's ActivationView, after which (and not before)
// Django logs the user in; a reset requested on Django's PasswordResetView
// mails a link (runserver's standard output) whose path, opened on a Go
// app's page, sets the password Django then accepts (and the old one no
// longer), and the link is spent on both sides. And the reverse: a user
// registered on django-registration's RegistrationView activates on a Go
// app's page, and a link mailed by a Go app's reset page works in
// Django's PasswordResetConfirmView.
func TestAccountPagesWithRealDjango(t *testing.T) {
	dir := djangotest.DjangoDir(t)
	for i, release := range djangotest.Releases {
		t.Run("Django "+release, func(t *testing.T) {
			env := map[string]string{"DJANGO_VERSION": release, "SECRET_KEY": "accounts-pages-" + release}
			urls, goOut, dbURL := startDemoMailEnv(t, env)
			env["DATABASE_URL"] = dbURL
			django, djangoOut := startDjangoOutput(t, dir, release, env)
			goApp := urls[i%3]

			b := newBrowser(t)
			form := url.Values{"username": {"carol"}, "email": {"carol@example.com"}, "password1": {"a fine pass 123"}, "password2": {"a fine pass 123"}}
			if status, path, body := b.submit(goApp+"/accounts/register/", form, false); status != http.StatusOK || path != "/accounts/register/complete/" {
				t.Fatalf("register on %s: %d at %s\n%s", appNames[i%3], status, path, body)
			}
			m := regexp.MustCompile(`http://[^/\s]+(/accounts/activate/[^/\s]+/)`).FindStringSubmatch(softBreaksOut(goOut.String()))
			if m == nil {
				t.Fatalf("no activation link in\n%s", goOut)
			}
			if status, _ := b.post(django, "/api/login", url.Values{"username": {"carol"}, "password": {"a fine pass 123"}}); status != http.StatusUnauthorized {
				t.Errorf("Django login before activation: %d, want 401", status)
			}
			path, body := b.page(django + m[1])
			if path != "/accounts/activate/complete/" {
				t.Fatalf("Django's ActivationView ended at %s:\n%s", path, body)
			}
			b.login(django, "carol", "a fine pass 123")
			b.logout(django)

			// The reset, requested on Django.
			status, path, body := b.submit(django+"/accounts/password_reset/", url.Values{"email": {"carol@example.com"}}, false)
			if status != http.StatusOK || path != "/accounts/password_reset/done/" {
				t.Fatalf("Django's PasswordResetView: %d at %s\n%s", status, path, body)
			}
			var link []string
			for deadline := time.Now().Add(10 * time.Second); link == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				link = regexp.MustCompile(`http://[^/\s]+(/reset/([^/\s]+)/[^/\s]+/)`).FindStringSubmatch(softBreaksOut(djangoOut.String()))
			}
			if link == nil {
				t.Fatalf("no reset link in Django's output:\n%s", djangoOut)
			}
			path, _ = b.page(goApp + link[1])
			if path != "/reset/"+link[2]+"/set-password/" {
				t.Fatalf("the link on %s ended at %s", appNames[i%3], path)
			}
			if status, path, body = b.submit(goApp+path, url.Values{"new_password1": {"brand new 789"}, "new_password2": {"brand new 789"}}, false); status != http.StatusOK || path != "/reset/done/" {
				t.Fatalf("set password on %s: %d at %s\n%s", appNames[i%3], status, path, body)
			}
			if status, _ := b.post(django, "/api/login", url.Values{"username": {"carol"}, "password": {"a fine pass 123"}}); status != http.StatusUnauthorized {
				t.Errorf("Django login with the old password: %d, want 401", status)
			}
			b.login(django, "carol", "brand new 789")
			for _, base := range []string{django, goApp} {
				_, body = newBrowser(t).page(base + link[1])
				mustContain(t, base+" used link", body, msgInvalidResetLink)
			}

			// The reverse: registered on django-registration's
			// RegistrationView, activated on a Go app's page; a reset
			// requested on a Go app's page, set on Django's
			// PasswordResetConfirmView.
			goApp = urls[(i+1)%3]
			b = newBrowser(t)
			form = url.Values{"username": {"dave"}, "email": {"dave@example.com"}, "password1": {"a fine pass 123"}, "password2": {"a fine pass 123"}}
			if status, path, body := b.submit(django+"/accounts/register/", form, false); status != http.StatusOK || path != "/accounts/register/complete/" {
				t.Fatalf("register on Django: %d at %s\n%s", status, path, body)
			}
			var key []string
			for deadline := time.Now().Add(10 * time.Second); key == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				key = regexp.MustCompile(`http://[^/\s]+(/accounts/activate/[^/\s]+/)`).FindStringSubmatch(softBreaksOut(djangoOut.String()))
			}
			if key == nil {
				t.Fatalf("no activation link in Django's output:\n%s", djangoOut)
			}
			if status, _ := b.post(goApp, "/api/login", url.Values{"username": {"dave"}, "password": {"a fine pass 123"}}); status != http.StatusUnauthorized {
				t.Errorf("Go login before activation: %d, want 401", status)
			}
			if path, body = b.page(goApp + key[1]); path != "/accounts/activate/complete/" {
				t.Fatalf("django-registration's key on %s ended at %s:\n%s", appNames[(i+1)%3], path, body)
			}
			b.login(goApp, "dave", "a fine pass 123")
			b.logout(goApp)

			before := len(regexp.MustCompile(`/reset/`).FindAllString(softBreaksOut(goOut.String()), -1))
			if status, path, _ = b.submit(goApp+"/accounts/password_reset/", url.Values{"email": {"dave@example.com"}}, false); path != "/accounts/password_reset/done/" {
				t.Fatalf("reset on %s: %d at %s", appNames[(i+1)%3], status, path)
			}
			links := regexp.MustCompile(`http://[^/\s]+(/reset/[^/\s]+/[^/\s]+/)`).FindAllStringSubmatch(softBreaksOut(goOut.String()), -1)
			if len(links) != before+1 {
				t.Fatalf("want one more reset link in the Go demo's output, got %d more", len(links)-before)
			}
			goLink := links[len(links)-1][1]
			path, _ = b.page(django + goLink)
			if !strings.HasSuffix(path, "/set-password/") {
				t.Fatalf("Go's link on Django ended at %s", path)
			}
			if status, path, body = b.submit(django+path, url.Values{"new_password1": {"brand new 789"}, "new_password2": {"brand new 789"}}, false); status != http.StatusOK || path != "/reset/done/" {
				t.Fatalf("set password on Django: %d at %s\n%s", status, path, body)
			}
			b.login(goApp, "dave", "brand new 789")
			_, body = newBrowser(t).page(goApp + goLink)
			mustContain(t, "Go link used on Django", body, msgInvalidResetLink)
		})
	}
}
