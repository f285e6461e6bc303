package djangosession

import "errors"

// Errors of session data and signatures. Data errors (ErrBadSignature,
// ErrMalformed, ErrExpired) mean "treat as an empty session", as Django
// does; Session does that and keeps the error for Err. ErrTooLarge is a
// data error too (IsDataError), but as it is a limit of djangobridge's
// that Django does not have, Session never turns it into an empty
// session: loading fails for that request (Session.Load returns it) and
// nothing is written back.
var (
	// ErrBadSignature: the signature does not match any configured key
	// (django.core.signing.BadSignature).
	ErrBadSignature = errors.New("djangosession: bad signature")
	// ErrExpired: a timestamped signature is older than the allowed age
	// (django.core.signing.SignatureExpired).
	ErrExpired = errors.New("djangosession: signature expired")
	// ErrMalformed: the data is not what Django writes: bad base64, bad
	// zlib stream, invalid JSON, a missing separator.
	ErrMalformed = errors.New("djangosession: malformed data")
	// ErrTooLarge: the data, or what it inflates to, is over the limit
	// (Settings.SessionDataLimit). Django has no such limit: a session
	// over it fails to load for that request and is left untouched.
	ErrTooLarge = errors.New("djangosession: data too large")
	// ErrUnsupportedValue: a value that the session serializer cannot
	// write (a Go channel, NaN, a datetime in a JSON session...).
	ErrUnsupportedValue = errors.New("djangosession: unsupported value")

	// ErrNotFound: no live session under that key (a missing or expired
	// row, file or cache entry).
	ErrNotFound = errors.New("djangosession: session not found")
	// ErrExists: a must-create save found the key taken
	// (django.contrib.sessions.backends.base.CreateError).
	ErrExists = errors.New("djangosession: session key already exists")
	// ErrVanished: an update found its record gone, deleted by another
	// request or by clearsessions (UpdateError; Django answers 400
	// SessionInterrupted).
	ErrVanished = errors.New("djangosession: session deleted during the request")
	// ErrInvalidKey: a session key shorter than 8, longer than 40 or
	// outside [a-z0-9]. Such keys are treated as no session and never
	// reach a store.
	ErrInvalidKey = errors.New("djangosession: invalid session key")
)

// IsDataError reports whether err is about the data itself (bad
// signature, malformed, too large, expired) rather than the store.
func IsDataError(err error) bool {
	return errors.Is(err, ErrBadSignature) || errors.Is(err, ErrMalformed) ||
		errors.Is(err, ErrTooLarge) || errors.Is(err, ErrExpired)
}
