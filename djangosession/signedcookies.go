package djangosession

import (
	"context"
	"errors"
	"log/slog"

	"github.com/djangobridge/djangobridge"
)

// SignedCookieStore is the signed_cookies engine: the whole session lives
// in the cookie, signed with the salt
// "django.contrib.sessions.backends.signed_cookies" and read back with
// max_age = SESSION_COOKIE_AGE (the session's own expiry is ignored, as in
// Django). The cookie value is the session's key. Nothing is stored on the
// server, so Delete and ClearExpired do nothing and Exists is always false.
//
// A session may encode to a cookie larger than browsers keep (about 4096
// bytes): as Django, the engine still sets it (browsers may drop it, and
// the session is then lost at the next request); unlike Django, it logs a
// warning with the size to Settings.Logger, so the loss is visible.
type SignedCookieStore struct {
	codec *Codec
	log   *slog.Logger
}

// BrowserCookieLimit is the size in bytes of the largest cookie browsers
// are required to keep (RFC 6265 §6.1: 4096 bytes, name and value).
const BrowserCookieLimit = 4096

// NewSignedCookieStore returns the signed_cookies engine of s.
func NewSignedCookieStore(s *djangobridge.Settings) (*SignedCookieStore, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	c, err := NewCodec(s)
	if err != nil {
		return nil, err
	}
	st := &SignedCookieStore{codec: c, log: s.Logger}
	if st.log == nil {
		st.log = slog.Default()
	}
	return st, nil
}

// Load decodes the cookie value key. An empty key is ErrNotFound.
func (st *SignedCookieStore) Load(ctx context.Context, key string) (*Map, error) {
	if key == "" {
		return nil, ErrNotFound
	}
	return st.codec.DecodeCookie(key)
}

// Save returns the encoded session, the new cookie value, whatever its
// size (Django's answer); past BrowserCookieLimit it logs a warning with
// the size.
func (st *SignedCookieStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	v, err := st.codec.EncodeCookie(r.Data)
	if err == nil && len(v) > BrowserCookieLimit {
		st.log.WarnContext(ctx, "djangosession: signed_cookies session cookie is larger than browsers keep; it is set anyway, as Django does, but the browser may drop it and lose the session",
			"bytes", len(v), "limit", BrowserCookieLimit)
	}
	return v, err
}

// Delete does nothing: the cookie is the session.
func (st *SignedCookieStore) Delete(ctx context.Context, key string) error { return nil }

// Exists is always false, as in Django (any key is free).
func (st *SignedCookieStore) Exists(ctx context.Context, key string) (bool, error) {
	return false, nil
}

// ClearExpired does nothing and returns -1: expired cookies are refused
// when read.
func (st *SignedCookieStore) ClearExpired(ctx context.Context) (int64, error) { return -1, nil }

var _ Store = (*SignedCookieStore)(nil)
