package middleware

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/textproto"
	"net/url"

	"github.com/djangobridge/djangobridge/djangouser"
)

// What the framework adapters (echomw, fibermw) need of the Middleware
// beyond Begin and State.Finish, so that they keep no rule of their own.

// CSRFCheckEnabled reports whether unsafe requests must pass
// State.CheckCSRF: false when Options.DisableCSRFCheck is set.
func (m *Middleware) CSRFCheckEnabled() bool { return !m.opts.DisableCSRFCheck }

// IsSecure is request.is_secure() for a request that is not an
// *http.Request: isTLS is whether it came over TLS, and proxyHeader returns
// the value of a request header by name ("" when absent), read only when
// SECURE_PROXY_SSL_HEADER is set.
func (m *Middleware) IsSecure(isTLS bool, proxyHeader func(name string) string) bool {
	var r http.Request
	if isTLS {
		r.TLS = &tls.ConnectionState{}
	}
	if h := m.settings.SecureProxySSLHeader; h[0] != "" && proxyHeader != nil {
		if v := proxyHeader(h[0]); v != "" {
			r.Header = http.Header{textproto.CanonicalMIMEHeaderKey(h[0]): {v}}
		}
	}
	return m.isSecure(&r)
}

// LoginRedirect returns where Django's redirect_to_login sends an
// anonymous user who asked for path (decoded, as request.path) with the
// raw query rawQuery: LOGIN_URL with next= request.get_full_path().
func (m *Middleware) LoginRedirect(path, rawQuery string) string {
	loginURL := m.settings.LoginURL
	if loginURL == "" {
		loginURL = "/accounts/login/"
	}
	return LoginRedirectURL(loginURL, fullPath(&http.Request{URL: &url.URL{Path: path, RawQuery: rawQuery}}))
}

// HasPerms is user.has_perms(perms) through Options.Auth; an error wraps
// ErrStore and is remembered, so the response becomes the error handler's.
func (s *State) HasPerms(ctx context.Context, u *djangouser.User, perms ...string) (bool, error) {
	if s.m.opts.Auth == nil {
		return false, ErrNoAuth
	}
	var has bool
	err := s.m.call(ctx, "permissions", func(ctx context.Context) (err error) {
		has, err = s.m.opts.Auth.HasPerms(ctx, u, perms...)
		return err
	})
	if err != nil {
		err = wrapStore(err)
		s.noteStoreErr(err)
		return false, err
	}
	return has, nil
}
