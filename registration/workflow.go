package registration

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/accountmail"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/passwords"
)

// Errors of the workflows.
var (
	// ErrClosed: REGISTRATION_OPEN is false (django-registration redirects
	// to the "registration closed" page).
	ErrClosed = errors.New("registration: registration is closed")
	// ErrInvalidForm is matched by FormErrors.
	ErrInvalidForm = errors.New("registration: invalid form")
	// ErrNotSupported: the workflow has no such step (OneStep.Activate).
	ErrNotSupported = errors.New("registration: not supported by this workflow")
	// ErrSend wraps a failure to send the activation email; the inactive
	// user exists (a new key can be sent with SendActivation).
	ErrSend = errors.New("registration: the activation email could not be sent")
)

// Users is what the workflows need of the user table. A taken username on
// CreateUser must be djangouser.ErrUserExists (the database's unique
// constraint: of two concurrent registrations, exactly one succeeds).
type Users interface {
	CreateUser(ctx context.Context, u *djangouser.User) error
	UserByUsername(ctx context.Context, username string) (*djangouser.User, error)
	SaveUser(ctx context.Context, u *djangouser.User, columns ...string) error
	// UsernameTaken reports whether a user has this username: exactly, or
	// with iexact, ignoring case as the database's UPPER()/LIKE does.
	UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error)
}

// Hooks are django-registration's signals.
type Hooks struct {
	// UserRegistered runs after a user registered (user_registered).
	UserRegistered func(ctx context.Context, u *djangouser.User)
	// UserActivated runs after a user activated (user_activated).
	UserActivated func(ctx context.Context, u *djangouser.User)
}

// Workflow is a registration backend: django-registration's
// RegistrationView and ActivationView as calls.
type Workflow interface {
	// RegistrationAllowed is registration_allowed(): REGISTRATION_OPEN.
	RegistrationAllowed() bool
	// Validate runs the form's validation without creating anything: nil
	// when valid, else FormErrors.
	Validate(ctx context.Context, f Form) error
	// Register validates and creates the user; ErrClosed, FormErrors, or
	// a store error. OneStep also logs the user in on sess.
	Register(ctx context.Context, sess *djangosession.Session, f Form) (*djangouser.User, error)
	// Activate activates the account of key: *ActivationError with
	// django-registration's message when it cannot.
	Activate(ctx context.Context, key string) (*djangouser.User, error)
	// SuccessURL is where to go after "register" or "activate".
	SuccessURL(step string) string
}

// Config is what both workflows take.
type Config struct {
	Settings   *djangobridge.Settings
	Users      Users
	Passwords  djangouser.Passwords  // hashes password1 (a *hashers.Set)
	Validators *passwords.Validators // AUTH_PASSWORD_VALIDATORS; nil validates nothing, as Django's default
	// Closed is REGISTRATION_OPEN = False (the default is open).
	Closed bool
	// ReservedNames replaces DefaultReservedNames when not nil.
	ReservedNames []string
	// ConfusableHomoglyphs is the version of the Python package
	// confusable_homoglyphs whose data judges usernames and emails as
	// RegistrationForm's validate_confusables and validate_confusables_email
	// do: "" = ConfusableHomoglyphs331; ConfusableHomoglyphs320 for a site
	// running Debian 12's package.
	ConfusableHomoglyphs string
	Hooks                Hooks
	// SuccessURLs per step ("register", "activate"); defaults are
	// django-registration's URL paths.
	SuccessURLs map[string]string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

type base struct {
	rel        djangobridge.Release
	users      Users
	pw         djangouser.Passwords
	validators *passwords.Validators
	open       bool
	reserved   []string
	confusable confusables
	hooks      Hooks
	urls       map[string]string
	now        func() time.Time
}

func newBase(c Config, urls map[string]string) (*base, error) {
	if c.Settings == nil {
		return nil, fmt.Errorf("%w: nil Settings: start from djangobridge.Defaults()", ErrConfig)
	}
	rel, err := c.Settings.Release()
	if err != nil {
		return nil, err
	}
	if c.Users == nil || c.Passwords == nil {
		return nil, fmt.Errorf("%w: Users and Passwords are required", ErrConfig)
	}
	b := &base{rel: rel, users: c.Users, pw: c.Passwords, validators: c.Validators, open: !c.Closed,
		reserved: c.ReservedNames, hooks: c.Hooks, urls: urls, now: c.Now}
	if b.confusable, err = newConfusables(c.ConfusableHomoglyphs); err != nil {
		return nil, err
	}
	if b.reserved == nil {
		b.reserved = DefaultReservedNames
	}
	for k, v := range c.SuccessURLs {
		b.urls[k] = v
	}
	if b.now == nil {
		b.now = time.Now
	}
	return b, nil
}

func (w *base) RegistrationAllowed() bool { return w.open }

func (w *base) SuccessURL(step string) string { return w.urls[step] }

func (w *base) Validate(ctx context.Context, f Form) error {
	_, _, errs, err := w.clean(ctx, f)
	if err != nil {
		return err
	}
	if errs != nil {
		return errs
	}
	return nil
}

// create is form.save(): one INSERT of the user, active or not, with
// password1 hashed; a username taken meanwhile is a form error.
func (w *base) create(ctx context.Context, f Form, active bool) (*djangouser.User, error) {
	if !w.open {
		return nil, ErrClosed
	}
	username, email, errs, err := w.clean(ctx, f)
	if err != nil {
		return nil, err
	}
	if errs != nil {
		return nil, errs
	}
	encoded, err := w.pw.Make(ctx, f.Password1)
	if err != nil {
		return nil, err
	}
	u := &djangouser.User{Username: username, Email: email, Password: encoded, IsActive: active,
		DateJoined: w.now().UTC().Truncate(time.Microsecond)}
	if err := w.users.CreateUser(ctx, u); err != nil {
		if errors.Is(err, djangouser.ErrUserExists) {
			return nil, FormErrors{"username": {MsgDuplicateUser}}
		}
		return nil, err
	}
	if w.hooks.UserRegistered != nil {
		w.hooks.UserRegistered(ctx, u)
	}
	return u, nil
}

// OneStep is django_registration.backends.one_step: the user is created
// active and logged in.
type OneStep struct {
	*base
	auth *djangouser.Auth
}

// NewOneStep returns the one-step workflow; auth logs the new user in.
func NewOneStep(c Config, auth *djangouser.Auth) (*OneStep, error) {
	b, err := newBase(c, map[string]string{"register": "/"})
	if err != nil {
		return nil, err
	}
	if auth == nil {
		return nil, fmt.Errorf("%w: OneStep needs a djangouser.Auth to log the user in", ErrConfig)
	}
	return &OneStep{b, auth}, nil
}

// Register creates the active user and logs it in on sess (nil: no login).
func (w *OneStep) Register(ctx context.Context, sess *djangosession.Session, f Form) (*djangouser.User, error) {
	u, err := w.create(ctx, f, true)
	if err != nil {
		return nil, err
	}
	if sess != nil {
		if err := w.auth.Login(ctx, sess, u); err != nil {
			return u, err
		}
	}
	return u, nil
}

// Activate is ErrNotSupported: one-step users are active at once.
func (w *OneStep) Activate(context.Context, string) (*djangouser.User, error) {
	return nil, ErrNotSupported
}

// ActivationEmail is what the activation email template receives, as
// django-registration's get_email_context (plus the full link).
type ActivationEmail struct {
	User           *djangouser.User
	ActivationKey  string
	ExpirationDays int
	Scheme, Site   string // "https", "example.com"
	Link           string // Scheme://Site/accounts/activate/<key>/
}

// DefaultActivationTemplate mirrors django-registration's sample
// activation_email_subject.txt and activation_email_body.txt.
const (
	DefaultActivationSubject = "Activate your account on {{.Site}}"
	DefaultActivationBody    = `Someone (hopefully you) registered an account on {{.Site}} as {{.User.Username}}.

To activate it, visit this link within {{.ExpirationDays}} days:

{{.Link}}
`
)

// HMACConfig is the two-step workflow's own settings.
type HMACConfig struct {
	Keys KeyOptions // ACCOUNT_ACTIVATION_DAYS, REGISTRATION_SALT
	// Sender sends the activation email; required.
	Sender accountmail.Sender
	// Template replaces the default subject and body.
	Template *accountmail.Template
	// From is DEFAULT_FROM_EMAIL: "" means "webmaster@localhost".
	From string
	// SiteURL is the scheme and host of links, e.g. "https://example.com".
	SiteURL string
	// ActivatePath is the activation URL's path before the key: ""
	// means "/accounts/activate/" (django_registration.backends.activation.urls).
	ActivatePath string
}

// HMAC is django_registration.backends.activation: the user is created
// inactive and gets an email with a signed activation key.
type HMAC struct {
	*base
	keys   *Keys
	hc     HMACConfig
	tmpl   *accountmail.Template
	site   *url.URL
	expiry int
}

// NewHMAC returns the two-step workflow.
func NewHMAC(c Config, hc HMACConfig) (*HMAC, error) {
	b, err := newBase(c, map[string]string{"register": "/accounts/register/complete/", "activate": "/accounts/activate/complete/"})
	if err != nil {
		return nil, err
	}
	if hc.Keys.Now == nil {
		hc.Keys.Now = b.now
	}
	keys, err := NewKeys(c.Settings, hc.Keys)
	if err != nil {
		return nil, err
	}
	if hc.Sender == nil {
		return nil, fmt.Errorf("%w: HMACConfig.Sender is required (accountmail.Console for development)", ErrConfig)
	}
	site, err := url.Parse(hc.SiteURL)
	if err != nil || site.Scheme == "" || site.Host == "" {
		return nil, fmt.Errorf("%w: SiteURL %q: want scheme://host, e.g. https://example.com", ErrConfig, hc.SiteURL)
	}
	tmpl := hc.Template
	if tmpl == nil {
		if tmpl, err = accountmail.NewTemplate(DefaultActivationSubject, DefaultActivationBody); err != nil {
			return nil, err
		}
	}
	if hc.From == "" {
		hc.From = "webmaster@localhost"
	}
	if hc.ActivatePath == "" {
		hc.ActivatePath = "/accounts/activate/"
	}
	return &HMAC{base: b, keys: keys, hc: hc, tmpl: tmpl, site: site, expiry: hc.Keys.ActivationDays}, nil
}

// Keys returns the workflow's activation keys.
func (w *HMAC) Keys() *Keys { return w.keys }

// Register creates the inactive user and sends the activation email. sess
// is not used.
func (w *HMAC) Register(ctx context.Context, _ *djangosession.Session, f Form) (*djangouser.User, error) {
	u, err := w.create(ctx, f, false)
	if err != nil {
		return nil, err
	}
	if err := w.SendActivation(ctx, u); err != nil {
		return u, err
	}
	return u, nil
}

// SendActivation sends u the activation email with a fresh key.
func (w *HMAC) SendActivation(ctx context.Context, u *djangouser.User) error {
	key, err := w.keys.Make(u.Username)
	if err != nil {
		return err
	}
	data := ActivationEmail{User: u, ActivationKey: key, ExpirationDays: w.expiry, Scheme: w.site.Scheme, Site: w.site.Host,
		Link: w.site.Scheme + "://" + w.site.Host + w.hc.ActivatePath + key + "/"}
	subject, body, err := w.tmpl.Render(data)
	if err != nil {
		return fmt.Errorf("%w: template: %v", ErrSend, err)
	}
	if err := w.hc.Sender.Send(ctx, &accountmail.Message{From: w.hc.From, To: []string{u.Email}, Subject: subject, Body: body}); err != nil {
		return fmt.Errorf("%w: %v", ErrSend, err)
	}
	return nil
}

// Activate is ActivationView.activate: the key's username, the user
// (CodeBadUsername when none), refused when already active
// (CodeAlreadyActivated), then is_active set and saved.
func (w *HMAC) Activate(ctx context.Context, key string) (*djangouser.User, error) {
	username, err := w.keys.Username(key)
	if err != nil {
		return nil, err
	}
	u, err := w.users.UserByUsername(ctx, username)
	if errors.Is(err, djangouser.ErrUserNotFound) {
		return nil, &ActivationError{CodeBadUsername, MsgBadUsername}
	}
	if err != nil {
		return nil, err
	}
	if u.IsActive {
		return nil, &ActivationError{CodeAlreadyActivated, MsgAlreadyActivated}
	}
	u.IsActive = true
	if err := w.users.SaveUser(ctx, u, djangouser.ColIsActive); err != nil {
		return nil, err
	}
	if w.hooks.UserActivated != nil {
		w.hooks.UserActivated(ctx, u)
	}
	return u, nil
}

var (
	_ Workflow = (*OneStep)(nil)
	_ Workflow = (*HMAC)(nil)
)
