// Package registration is sign-up in the manner of django-registration 3.3:
// a Workflow (is registration open, validate the form, register, activate)
// with two implementations, OneStep (register and log in) and HMAC (the
// user is created inactive and activates with a signed key compatible with
// django_registration.backends.activation).
package registration

import (
	"errors"
	"fmt"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// DefaultSalt is REGISTRATION_SALT's default in django-registration.
const DefaultSalt = "registration"

// maxKeyLen bounds an activation key: a username of 150 characters signed
// is far shorter.
const maxKeyLen = 4096

// django-registration's ActivationView messages and codes.
const (
	MsgAlreadyActivated = "The account you tried to activate has already been activated."
	MsgBadUsername      = "The account you attempted to activate is invalid."
	MsgExpired          = "This account has expired."
	MsgInvalidKey       = "The activation key you provided is invalid."

	CodeAlreadyActivated = "already_activated"
	CodeBadUsername      = "bad_username"
	CodeExpired          = "expired"
	CodeInvalidKey       = "invalid_key"
)

// ErrActivation is matched (errors.Is) by every *ActivationError.
var ErrActivation = errors.New("registration: activation failed")

// ErrConfig is wrapped by every configuration mistake.
var ErrConfig = errors.New("registration: bad configuration")

// ActivationError is django_registration.exceptions.ActivationError: a
// code and django-registration's message.
type ActivationError struct {
	Code    string // CodeExpired, CodeInvalidKey, CodeBadUsername, CodeAlreadyActivated
	Message string
}

func (e *ActivationError) Error() string { return e.Message }

// Is matches ErrActivation.
func (e *ActivationError) Is(target error) bool { return target == ErrActivation }

// Keys makes and checks activation keys: signing.dumps(username,
// salt=REGISTRATION_SALT), valid for ACCOUNT_ACTIVATION_DAYS. Safe for
// concurrent use.
type Keys struct {
	signer *djangosession.Signer
	maxAge time.Duration
	now    func() time.Time
}

// KeyOptions are django-registration's settings.
type KeyOptions struct {
	// ActivationDays is ACCOUNT_ACTIVATION_DAYS; required (≥ 1), as
	// django-registration has no default.
	ActivationDays int
	// Salt is REGISTRATION_SALT; "" means DefaultSalt.
	Salt string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewKeys returns the keys of s (SECRET_KEY signs; SECRET_KEY_FALLBACKS and
// on 3.2 the SHA-1 legacy signature also verify, as signing.loads does).
func NewKeys(s *djangobridge.Settings, o KeyOptions) (*Keys, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Settings: start from djangobridge.Defaults()", ErrConfig)
	}
	if _, err := s.Release(); err != nil {
		return nil, err
	}
	if o.ActivationDays < 1 {
		return nil, fmt.Errorf("%w: ACCOUNT_ACTIVATION_DAYS is %d: set it as in your Django settings.py (django-registration requires it)", ErrConfig, o.ActivationDays)
	}
	if o.Salt == "" {
		o.Salt = DefaultSalt
	}
	sg, err := djangosession.NewSigner(s, o.Salt)
	if err != nil {
		return nil, err
	}
	k := &Keys{signer: sg, maxAge: time.Duration(o.ActivationDays) * 24 * time.Hour, now: o.Now}
	if k.now == nil {
		k.now = time.Now
	}
	return k, nil
}

// Make is RegistrationView.get_activation_key: signing.dumps(username,
// salt=REGISTRATION_SALT) at the keys' clock.
func (k *Keys) Make(username string) (string, error) {
	return k.signer.Dumps(username, false, k.now())
}

// Username is ActivationView.validate_key: the username a key was made
// for, or an *ActivationError: CodeExpired when the signature is older
// than ACCOUNT_ACTIVATION_DAYS, CodeInvalidKey for anything else wrong
// with it (tampered, truncated, another key or salt, oversized).
// A valid key whose payload is not text is CodeBadUsername (Django finds
// no such user).
func (k *Keys) Username(key string) (string, error) {
	if len(key) > maxKeyLen {
		return "", &ActivationError{CodeInvalidKey, MsgInvalidKey}
	}
	v, err := k.signer.Loads(key, k.maxAge, k.now(), maxKeyLen)
	if errors.Is(err, djangosession.ErrExpired) {
		return "", &ActivationError{CodeExpired, MsgExpired}
	}
	if err != nil {
		return "", &ActivationError{CodeInvalidKey, MsgInvalidKey}
	}
	name, ok := v.(string)
	if !ok {
		return "", &ActivationError{CodeBadUsername, MsgBadUsername}
	}
	return name, nil
}
