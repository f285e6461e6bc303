package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/passwordreset"
	"github.com/djangobridge/djangobridge/passwords"
	"github.com/djangobridge/djangobridge/registration"
)

// acctStore is what the account endpoints need beyond djangouser.Store:
// sqlstore.Accounts or pgxstore.Accounts on the same database.
type acctStore interface {
	UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error)
	ActiveUsersByEmail(ctx context.Context, email string) ([]*djangouser.User, error)
}

// accounts holds the demo's two-step registration and its password reset,
// both mailing through the console sender (the demo's standard output).
type accounts struct {
	reg   *registration.HMAC
	reset *passwordreset.Flow
	mail  *mailOut
}

// mailOut is the console sender's writer, os.Stdout unless a test swaps it.
type mailOut struct {
	mu sync.Mutex
	w  io.Writer
}

func (m *mailOut) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.w.Write(p)
}

// The links in the emails point at the Django app (examples/django_app on
// port 8003 mounts django-registration and Django's auth views on the same
// paths), so a flow started on Go can end on Django; SITE_URL replaces it.
// The emails go to the process's standard output.
const defaultSiteURL = "http://127.0.0.1:8003"

func openAccounts(s *djangobridge.Settings, site string, auth *djangouser.Auth, users djangouser.Store, st acctStore, pw djangouser.Passwords) (*accounts, error) {
	if site == "" {
		site = defaultSiteURL
	}
	mail := &mailOut{w: os.Stdout}
	sender := &accountmail.Console{W: mail, Settings: s} // the site release's layout: 6.0+ breaks long lines quoted-printable
	vs, err := passwords.New(s, passwords.DjangoDefaults())
	if err != nil {
		return nil, err
	}
	reg, err := registration.NewHMAC(registration.Config{Settings: s, Users: registration.StoreUsers{Store: users, Accounts: st},
		Passwords: pw, Validators: vs}, registration.HMACConfig{Keys: registration.KeyOptions{ActivationDays: 7},
		Sender: sender, SiteURL: site})
	if err != nil {
		return nil, err
	}
	tokens, err := passwordreset.NewTokenGenerator(s, passwordreset.Options{})
	if err != nil {
		return nil, err
	}
	reset, err := passwordreset.NewFlow(passwordreset.FlowConfig{Tokens: tokens, Auth: auth, Finder: st, Validators: vs,
		PKType: s.UserModel.PKType, Sender: sender, SiteURL: site})
	if err != nil {
		return nil, err
	}
	return &accounts{reg: reg, reset: reset, mail: mail}, nil
}

// errorsJSON is {"errors": {field: [messages]}} with the fields in the
// form's order, spaced as Django's JsonResponse.
func errorsJSON(order []string, errs map[string][]string) []byte {
	var b bytes.Buffer
	b.WriteString(`{"errors": {`)
	n := 0
	for _, f := range order {
		msgs, ok := errs[f]
		if !ok {
			continue
		}
		if n > 0 {
			b.WriteString(", ")
		}
		n++
		b.WriteString(pyString(f) + ": [")
		for i, m := range msgs {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyString(m))
		}
		b.WriteString("]")
	}
	b.WriteString("}}")
	return b.Bytes()
}

// pyString is json.dumps of s (ensure_ascii).
func pyString(s string) string {
	out, _ := json.Marshal(s)
	var b bytes.Buffer
	for _, r := range string(out) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if r > 0xffff {
			r -= 0x10000
			b.WriteString(`\u` + strconv.FormatInt(int64(0xd800+(r>>10)), 16) + `\u` + strconv.FormatInt(int64(0xdc00+(r&0x3ff)), 16))
			continue
		}
		h := strconv.FormatInt(int64(r), 16)
		for len(h) < 4 {
			h = "0" + h
		}
		b.WriteString(`\u` + h)
	}
	return b.String()
}

func userJSON(u *djangouser.User) []byte {
	return []byte(`{"username": ` + pyString(u.Username) + `, "is_active": ` + strconv.FormatBool(u.IsActive) + `}`)
}

// register is POST /api/register: 201 with the inactive user, or 400
// with the form's errors; the activation email goes to standard output.
func (a *app) register(r *request) response {
	f := registration.Form{Username: r.form("username"), Email: r.form("email"), Password1: r.form("password1"), Password2: r.form("password2")}
	u, err := a.acct.reg.Register(r.ctx, nil, f)
	var fe registration.FormErrors
	if errors.As(err, &fe) {
		return jsonResponse(http.StatusBadRequest, errorsJSON([]string{"username", "email", "password1", "password2"}, fe))
	}
	if err != nil && u == nil {
		return a.fail(err)
	}
	if err != nil {
		a.log.Error("activation email", "err", err)
	}
	return jsonResponse(http.StatusCreated, userJSON(u))
}

// activate is POST /api/activate: 200 with the active user, or 400 with
// django-registration's message.
func (a *app) activate(r *request) response {
	u, err := a.acct.reg.Activate(r.ctx, r.form("activation_key"))
	var ae *registration.ActivationError
	if errors.As(err, &ae) {
		return jsonResponse(http.StatusBadRequest, errorsJSON([]string{"activation_key"}, map[string][]string{"activation_key": {ae.Message}}))
	}
	if err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, userJSON(u))
}

// passwordReset is POST /api/password-reset: always 200 {} (whether the
// address exists is never told); the email goes to standard output.
func (a *app) passwordReset(r *request) response {
	// A malformed address (passwordreset.FormErrors) gets the same 200.
	if err := a.acct.reset.RequestReset(r.ctx, r.form("email")); err != nil && !errors.Is(err, passwordreset.ErrInvalidForm) {
		a.log.Error("password reset", "err", err)
	}
	return jsonResponse(http.StatusOK, []byte(`{}`))
}

// MsgInvalidResetLink is what Django's password_reset_confirm.html says of
// a bad link.
const msgInvalidResetLink = "The password reset link was invalid, possibly because it has already been used.  Please request a new password reset."

// passwordResetConfirm is POST /api/password-reset/confirm: 200 {} or 400
// with SetPasswordForm's messages (or the invalid-link message).
func (a *app) passwordResetConfirm(r *request) response {
	_, err := a.acct.reset.Confirm(r.ctx, r.form("uidb64"), r.form("token"), r.form("new_password1"), r.form("new_password2"))
	var fe passwordreset.FormErrors
	switch {
	case errors.Is(err, passwordreset.ErrInvalidLink):
		return jsonResponse(http.StatusBadRequest, errorsJSON([]string{"token"}, map[string][]string{"token": {msgInvalidResetLink}}))
	case errors.As(err, &fe):
		return jsonResponse(http.StatusBadRequest, errorsJSON([]string{"new_password1", "new_password2"}, fe))
	case err != nil:
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, []byte(`{}`))
}
