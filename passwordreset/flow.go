package passwordreset

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangoforms"
	"github.com/djangobridge/djangobridge/passwords"
)

// Messages of Django's password forms (the same 3.2–6.1).
const (
	MsgRequired          = djangoforms.MsgRequired
	MsgPasswordMismatch  = "The two password fields didn’t match."
	MsgPasswordIncorrect = "Your old password was entered incorrectly. Please enter it again."
	MsgNullCharacters    = djangoforms.MsgNullCharacters // ProhibitNullCharactersValidator, on every CharField
	MsgInvalidEmail      = djangoforms.MsgInvalidEmail
)

// MaxFieldBytes bounds each field, as Django's DATA_UPLOAD_MAX_MEMORY_SIZE
// bounds a request body (2.5 MiB).
const MaxFieldBytes = 2621440

// ErrInvalidForm is matched by FormErrors.
var ErrInvalidForm = errors.New("passwordreset: invalid form")

// FormErrors is form.errors: field → Django's messages in order.
type FormErrors map[string][]string

func (fe FormErrors) add(f, m string) { fe[f] = append(fe[f], m) }

func (fe FormErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("passwordreset: invalid form:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s: %s", k, strings.Join(fe[k], " "))
	}
	return b.String()
}

// Is matches ErrInvalidForm.
func (fe FormErrors) Is(target error) bool { return target == ErrInvalidForm }

// Finder finds the users a reset request concerns: the active users whose
// email equals email ignoring case (sqlstore.Accounts, pgxstore.Accounts).
type Finder interface {
	ActiveUsersByEmail(ctx context.Context, email string) ([]*djangouser.User, error)
}

// Default email of PasswordResetForm (registration/password_reset_subject.txt
// and password_reset_email.html, in words).
const (
	DefaultSubject = "Password reset on {{.Site}}"
	DefaultBody    = `You're receiving this email because you requested a password reset for your user account at {{.Site}}.

Please go to the following page and choose a new password:

{{.Link}}

Your username, in case you've forgotten: {{.User.Username}}

Thanks for using our site!

The {{.Site}} team
`
)

// ResetEmail is what the reset email template receives
// (PasswordResetForm.save's context, plus the full link).
type ResetEmail struct {
	User         *djangouser.User
	UID, Token   string
	Scheme, Site string
	Link         string // Scheme://Site + ConfirmPath + uid/token/
}

// FlowConfig is what a Flow needs.
type FlowConfig struct {
	Tokens     *TokenGenerator
	Auth       *djangouser.Auth      // loads users, sets passwords, updates the session hash
	Finder     Finder                // users by email
	Validators *passwords.Validators // AUTH_PASSWORD_VALIDATORS; nil validates nothing
	PKType     string                // UserModel.PKType: "" = "int"
	Sender     accountmail.Sender
	Template   *accountmail.Template // nil: DefaultSubject, DefaultBody
	From       string                // DEFAULT_FROM_EMAIL; "" = "webmaster@localhost"
	SiteURL    string                // "https://example.com"
	// ConfirmPath is the path before "<uidb64>/<token>/": "" = "/reset/"
	// (django.contrib.auth.urls's password_reset_confirm).
	ConfirmPath string
	// EmailField is EMAIL_FIELD; "" = "email".
	EmailField string
}

// Flow is Django's PasswordResetView, PasswordResetConfirmView and
// PasswordChangeView as calls. Safe for concurrent use.
type Flow struct {
	c    FlowConfig
	site *url.URL
}

// NewFlow checks c and returns the flow.
func NewFlow(c FlowConfig) (*Flow, error) {
	if c.Tokens == nil || c.Auth == nil || c.Finder == nil || c.Sender == nil {
		return nil, fmt.Errorf("%w: FlowConfig needs Tokens, Auth, Finder and Sender", ErrConfig)
	}
	site, err := url.Parse(c.SiteURL)
	if err != nil || site.Scheme == "" || site.Host == "" {
		return nil, fmt.Errorf("%w: SiteURL %q: want scheme://host", ErrConfig, c.SiteURL)
	}
	if c.Template == nil {
		if c.Template, err = accountmail.NewTemplate(DefaultSubject, DefaultBody); err != nil {
			return nil, err
		}
	}
	if c.From == "" {
		c.From = "webmaster@localhost"
	}
	if c.ConfirmPath == "" {
		c.ConfirmPath = "/reset/"
	}
	if c.EmailField == "" {
		c.EmailField = djangouser.ColEmail
	}
	return &Flow{c: c, site: site}, nil
}

// unicodeCIEqual is forms._unicode_ci_compare: NFKC then casefold.
func unicodeCIEqual(a, b string) bool {
	f := cases.Fold()
	return f.String(norm.NFKC.String(a)) == f.String(norm.NFKC.String(b))
}

// RequestReset is PasswordResetForm: the email field is cleaned as
// forms.EmailField(max_length=254) cleans it — an empty, malformed or
// too long address returns FormErrors{"email": [Django's messages]}
// (ErrInvalidForm) and mails nothing — then save(): one email with a
// reset link to each active user with a usable password whose email
// matches. Whether any user matched is never told: the result is the same
// nil for an unknown address; any other error is the database's or the
// sender's.
func (f *Flow) RequestReset(ctx context.Context, email string) error {
	email, msgs := djangoforms.CleanEmail(email, f.c.Tokens.rel.EmailValidatorUnicodeDomains)
	if len(msgs) > 0 {
		return FormErrors{"email": msgs}
	}
	users, err := f.c.Finder.ActiveUsersByEmail(ctx, email)
	if err != nil {
		return err
	}
	for _, u := range users {
		v, _ := u.Field(f.c.EmailField)
		addr, _ := v.(string)
		if !hashers.IsUsable(u.Password) || !unicodeCIEqual(email, addr) {
			continue
		}
		link, err := f.Link(u)
		if err != nil {
			return err
		}
		subject, body, err := f.c.Template.Render(link)
		if err != nil {
			return err
		}
		if err := f.c.Sender.Send(ctx, &accountmail.Message{From: f.c.From, To: []string{addr}, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// Link returns u's reset link data (uidb64, token, URL).
func (f *Flow) Link(u *djangouser.User) (*ResetEmail, error) {
	tok, err := f.c.Tokens.MakeToken(u)
	if err != nil {
		return nil, err
	}
	uid := UIDB64(u)
	return &ResetEmail{User: u, UID: uid, Token: tok, Scheme: f.site.Scheme, Site: f.site.Host,
		Link: f.site.Scheme + "://" + f.site.Host + f.c.ConfirmPath + uid + "/" + tok + "/"}, nil
}

// UserFromLink is PasswordResetConfirmView's check: the user of uidb64
// when token is valid for it, else ErrInvalidLink (whatever was wrong).
func (f *Flow) UserFromLink(ctx context.Context, uidb64, token string) (*djangouser.User, error) {
	text, err := ParseUIDB64(uidb64)
	if err != nil {
		return nil, err
	}
	pk, err := PKFromText(text, f.c.PKType)
	if err != nil {
		return nil, err
	}
	u, err := f.c.Auth.Store().UserByID(ctx, pk)
	if errors.Is(err, djangouser.ErrUserNotFound) {
		return nil, ErrInvalidLink
	}
	if err != nil {
		return nil, err
	}
	if !f.c.Tokens.CheckToken(u, token) {
		return nil, ErrInvalidLink
	}
	return u, nil
}

// setPasswordErrors is SetPasswordForm's validation of new_password1/2.
func (f *Flow) setPasswordErrors(u *djangouser.User, p1, p2 string, errs FormErrors) {
	if len(p1) > MaxFieldBytes || len(p2) > MaxFieldBytes {
		errs.add("new_password2", fmt.Sprintf("Ensure this value has at most %d bytes.", MaxFieldBytes))
		return
	}
	// A password with a NUL fails its field (ProhibitNullCharactersValidator)
	// and is then left out of the mismatch check; the validators still
	// judge a clean new_password2.
	p1Clean := p1 != "" && !strings.ContainsRune(p1, 0)
	if p1 == "" {
		errs.add("new_password1", MsgRequired)
	} else if !p1Clean {
		errs.add("new_password1", MsgNullCharacters)
	}
	switch {
	case p2 == "":
		errs.add("new_password2", MsgRequired)
	case strings.ContainsRune(p2, 0):
		errs.add("new_password2", MsgNullCharacters)
	case p1Clean && p1 != p2:
		errs.add("new_password2", MsgPasswordMismatch)
	case f.c.Validators != nil:
		if err := f.c.Validators.Validate(p2, passwords.UserOf(u)); err != nil {
			var es passwords.Errors
			if errors.As(err, &es) {
				for _, e := range es {
					errs.add("new_password2", e.Message)
				}
			}
		}
	}
}

// Confirm is PasswordResetConfirmView with SetPasswordForm: a valid link
// and valid new passwords set the password (which ends the link: the token
// hashes the old password). ErrInvalidLink, FormErrors, or a store error.
func (f *Flow) Confirm(ctx context.Context, uidb64, token, newPassword1, newPassword2 string) (*djangouser.User, error) {
	u, err := f.UserFromLink(ctx, uidb64, token)
	if err != nil {
		return nil, err
	}
	errs := FormErrors{}
	f.setPasswordErrors(u, newPassword1, newPassword2, errs)
	if len(errs) > 0 {
		return nil, errs
	}
	if err := f.c.Auth.SetPassword(ctx, u, newPassword1); err != nil {
		return nil, err
	}
	return u, nil
}

// ChangePassword is PasswordChangeView with PasswordChangeForm: the old
// password must be right, the new ones match and pass the validators; the
// password is set and update_session_auth_hash keeps sess (the request's
// session) logged in while u's other sessions end.
func (f *Flow) ChangePassword(ctx context.Context, sess *djangosession.Session, u *djangouser.User, old, newPassword1, newPassword2 string) error {
	errs := FormErrors{}
	switch {
	case len(old) > MaxFieldBytes:
		errs.add("old_password", MsgPasswordIncorrect)
	case old == "":
		errs.add("old_password", MsgRequired)
	default:
		ok, err := f.c.Auth.CheckPassword(ctx, u, old)
		if err != nil {
			return err
		}
		if !ok {
			errs.add("old_password", MsgPasswordIncorrect)
		}
	}
	f.setPasswordErrors(u, newPassword1, newPassword2, errs)
	if len(errs) > 0 {
		return errs
	}
	if err := f.c.Auth.SetPassword(ctx, u, newPassword1); err != nil {
		return err
	}
	return f.c.Auth.UpdateSessionAuthHash(ctx, sess, u)
}
