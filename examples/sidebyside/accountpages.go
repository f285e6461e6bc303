package main

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"

	"github.com/djangobridge/djangobridge/passwordreset"
	"github.com/djangobridge/djangobridge/registration"
)

// The account pages: the HTML side of accounts.go, on the paths where
// examples/django_app (django-registration's activation backend and
// Django's auth views) serves the same steps, so that an emailed link works
// on either. Each page calls the same flows as the /api/ routes
// (a.acct.reg, a.acct.reset), renders with html/template (everything
// escaped), and its forms pass the same CSRF check as every POST: the
// csrfmiddlewaretoken field, as Django's {% csrf_token %}.

//go:embed templates/*.html
var templateFiles embed.FS

// pages are the account page templates, each parsed with base.html.
var pages = func() map[string]*template.Template {
	names := []string{"register", "register_complete", "register_closed", "activation_complete", "activation_failed",
		"password_reset_form", "password_reset_done", "password_reset_confirm", "password_reset_complete"}
	m := make(map[string]*template.Template, len(names))
	for _, n := range names {
		m[n] = template.Must(template.ParseFS(templateFiles, "templates/base.html", "templates/"+n+".html"))
	}
	return m
}()

// pageData is what a page template shows.
type pageData struct {
	App       string              // the serving app
	Title     string              // the page's heading
	CSRF      string              // the csrfmiddlewaretoken value of the page's form
	Values    map[string]string   // the submitted fields shown again (never passwords, as Django's PasswordInput)
	Errors    map[string][]string // field name ("__all__" for the form) → Django's messages
	Message   string              // a failure's message
	ValidLink bool                // password_reset_confirm: show the form
}

// Django's PasswordResetConfirmView moves the token out of the URL: a valid
// link stores it in the session under this key and redirects to the same
// URL with this word in its place (django/contrib/auth/views.py), so the
// page with the form never has the token in its address (or Referer).
const (
	resetURLToken     = "set-password"
	resetSessionToken = "_password_reset_token"
)

// Where the pages redirect, the paths of django.contrib.auth.urls under
// accounts/ and at the top (as examples/django_app mounts them).
const (
	registerClosedURL        = "/accounts/register/closed/"
	passwordResetDoneURL     = "/accounts/password_reset/done/"
	passwordResetCompleteURL = "/reset/done/"
)

// render answers the named page with d.
func (a *app) render(name string, status int, d pageData) response {
	d.App = a.name
	var b bytes.Buffer
	if err := pages[name].ExecuteTemplate(&b, "base", d); err != nil {
		return a.fail(err)
	}
	return response{status: status, contentType: "text/html; charset=utf-8", body: b.Bytes()}
}

// redirect is Django's HttpResponseRedirect (302).
func redirect(location string) response {
	return response{status: http.StatusFound, contentType: "text/html; charset=utf-8", location: location}
}

// registerPage is django-registration's RegistrationView with the
// activation workflow (GET and POST /accounts/register/): the form, or
// once valid the inactive user, the activation email on standard output
// and a redirect to SuccessURL("register"). Closed registration redirects
// to the closed page, as registration_allowed() does.
func (a *app) registerPage(r *request) response { return a.registerView(r, false) }

func (a *app) registerSubmit(r *request) response { return a.registerView(r, true) }

func (a *app) registerView(r *request, post bool) response {
	if !a.acct.reg.RegistrationAllowed() {
		return redirect(registerClosedURL)
	}
	token, err := r.state.CSRFToken()
	if err != nil {
		return a.fail(err)
	}
	d := pageData{Title: "Register", CSRF: token}
	if !post {
		return a.render("register", http.StatusOK, d)
	}
	f := registration.Form{Username: r.form("username"), Email: r.form("email"), Password1: r.form("password1"), Password2: r.form("password2")}
	u, err := a.acct.reg.Register(r.ctx, r.state.Session(), f)
	var fe registration.FormErrors
	switch {
	case errors.As(err, &fe):
		d.Values = map[string]string{"username": f.Username, "email": f.Email}
		d.Errors = fe
		return a.render("register", http.StatusOK, d)
	case errors.Is(err, registration.ErrClosed):
		return redirect(registerClosedURL)
	case err != nil && u == nil:
		return a.fail(err)
	case err != nil:
		a.log.Error("activation email", "err", err)
	}
	return redirect(a.acct.reg.SuccessURL("register"))
}

func (a *app) registerCompletePage(*request) response {
	return a.render("register_complete", http.StatusOK, pageData{Title: "Registration complete"})
}

func (a *app) registerClosedPage(*request) response {
	return a.render("register_closed", http.StatusOK, pageData{Title: "Registration closed"})
}

// activatePage is django-registration's ActivationView (GET
// /accounts/activate/<activation_key>/): the account is activated and the
// browser redirected to SuccessURL("activate"), or the page shows
// django-registration's message (expired, invalid key, bad username,
// already activated).
func (a *app) activatePage(r *request) response {
	_, err := a.acct.reg.Activate(r.ctx, r.param("activation_key"))
	var ae *registration.ActivationError
	if errors.As(err, &ae) {
		return a.render("activation_failed", http.StatusOK, pageData{Title: "Activation failed", Message: ae.Message})
	}
	if err != nil {
		return a.fail(err)
	}
	return redirect(a.acct.reg.SuccessURL("activate"))
}

func (a *app) activationCompletePage(*request) response {
	return a.render("activation_complete", http.StatusOK, pageData{Title: "Account activated"})
}

// passwordResetPage is Django's PasswordResetView (GET and POST
// /accounts/password_reset/): whatever the address, one answer, a redirect
// to the done page; the email, when a user has that address, goes to
// standard output. An empty field is PasswordResetForm's "required" error.
func (a *app) passwordResetPage(r *request) response { return a.passwordResetView(r, false) }

func (a *app) passwordResetSubmit(r *request) response { return a.passwordResetView(r, true) }

func (a *app) passwordResetView(r *request, post bool) response {
	token, err := r.state.CSRFToken()
	if err != nil {
		return a.fail(err)
	}
	d := pageData{Title: "Password reset", CSRF: token}
	if !post {
		return a.render("password_reset_form", http.StatusOK, d)
	}
	// An invalid form (empty, malformed or too long address) is shown
	// again with Django's messages; it says nothing of who exists.
	err = a.acct.reset.RequestReset(r.ctx, r.form("email"))
	var fe passwordreset.FormErrors
	if errors.As(err, &fe) {
		d.Errors, d.Values = fe, map[string]string{"email": r.form("email")}
		return a.render("password_reset_form", http.StatusOK, d)
	}
	if err != nil {
		// Logged, never shown: the answer must not tell whether the
		// address exists.
		a.log.Error("password reset", "err", err)
	}
	return redirect(passwordResetDoneURL)
}

func (a *app) passwordResetDonePage(*request) response {
	return a.render("password_reset_done", http.StatusOK, pageData{Title: "Password reset sent"})
}

// passwordResetConfirmPage is Django's PasswordResetConfirmView (GET and
// POST /reset/<uidb64>/<token>/). A valid token in the URL is moved into
// the session (resetSessionToken) and the browser redirected to
// /reset/<uidb64>/set-password/, where the session's token is checked
// again and SetPasswordForm is shown and submitted; success ends the link
// (the token hashes the old password), drops the session's token and
// redirects to /reset/done/. A bad link, a used one, or set-password
// without a valid token in the session shows the invalid-link message.
// The session is the one Django shares, under Django's key, so either side
// may serve either step.
func (a *app) passwordResetConfirmPage(r *request) response {
	return a.passwordResetConfirmView(r, false)
}

func (a *app) passwordResetConfirmSubmit(r *request) response {
	return a.passwordResetConfirmView(r, true)
}

func (a *app) passwordResetConfirmView(r *request, post bool) response {
	uidb64, token := r.param("uidb64"), r.param("token")
	sess := r.state.Session()
	if err := sess.Load(r.ctx); err != nil {
		return a.fail(err)
	}
	invalid := pageData{Title: "Password reset unsuccessful", Message: msgInvalidResetLink}
	if token != resetURLToken {
		_, err := a.acct.reset.UserFromLink(r.ctx, uidb64, token)
		if errors.Is(err, passwordreset.ErrInvalidLink) {
			return a.render("password_reset_confirm", http.StatusOK, invalid)
		}
		if err != nil {
			return a.fail(err)
		}
		if err := sess.Set(resetSessionToken, token); err != nil {
			return a.fail(err)
		}
		return redirect("/reset/" + url.PathEscape(uidb64) + "/" + resetURLToken + "/")
	}
	token, _ = sess.GetString(resetSessionToken)
	_, err := a.acct.reset.UserFromLink(r.ctx, uidb64, token)
	if errors.Is(err, passwordreset.ErrInvalidLink) {
		return a.render("password_reset_confirm", http.StatusOK, invalid)
	}
	if err != nil {
		return a.fail(err)
	}
	csrf, err := r.state.CSRFToken()
	if err != nil {
		return a.fail(err)
	}
	d := pageData{Title: "Enter new password", CSRF: csrf, ValidLink: true}
	if !post {
		return a.render("password_reset_confirm", http.StatusOK, d)
	}
	_, err = a.acct.reset.Confirm(r.ctx, uidb64, token, r.form("new_password1"), r.form("new_password2"))
	var fe passwordreset.FormErrors
	switch {
	case errors.As(err, &fe):
		d.Errors = fe
		return a.render("password_reset_confirm", http.StatusOK, d)
	case errors.Is(err, passwordreset.ErrInvalidLink):
		return a.render("password_reset_confirm", http.StatusOK, invalid)
	case err != nil:
		return a.fail(err)
	}
	sess.Delete(resetSessionToken)
	return redirect(passwordResetCompleteURL)
}

func (a *app) passwordResetCompletePage(*request) response {
	return a.render("password_reset_complete", http.StatusOK, pageData{Title: "Password reset complete"})
}
