package djangosession

import (
	"context"
	"errors"

	"github.com/djangobridge/djangobridge"
)

// SignedCookieStore is the signed_cookies engine: the whole session lives
// in the cookie, signed with the salt
// "django.contrib.sessions.backends.signed_cookies" and read back with
// max_age = SESSION_COOKIE_AGE (the session's own expiry is ignored, as in
// Django). The cookie value is the session's key. Nothing is stored on the
// server, so Delete and ClearExpired do nothing and Exists is always false.
type SignedCookieStore struct {
	codec *Codec
}

// NewSignedCookieStore returns the signed_cookies engine of s.
func NewSignedCookieStore(s *djangobridge.Settings) (*SignedCookieStore, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	c, err := NewCodec(s)
	if err != nil {
		return nil, err
	}
	return &SignedCookieStore{codec: c}, nil
}

// Load decodes the cookie value key. An empty key is ErrNotFound.
func (st *SignedCookieStore) Load(ctx context.Context, key string) (*Map, error) {
	if key == "" {
		return nil, ErrNotFound
	}
	return st.codec.DecodeCookie(key)
}

// Save returns the encoded session, the new cookie value. It fails with
// ErrCookieTooLarge past 4096 bytes rather than let a browser drop it.
func (st *SignedCookieStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	return st.codec.EncodeCookie(r.Data)
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
