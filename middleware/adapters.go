package middleware

import (
	"crypto/tls"
	"net/http"
	"net/textproto"
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
