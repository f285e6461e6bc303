// Package fasthttpreq is the request half of the fasthttp adapters
// (fibermw for fiber v2, fiber3mw for fiber v3): what the core reads of a
// request (middleware.Request), copied out of fasthttp's buffers, which
// fasthttp reuses once the handler returns. The rule lives here once; each
// adapter passes what its fiber version names differently.
package fasthttpreq

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"

	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
)

// Request returns what m's core reads of the request ctx carries: method is
// the request's method as the framework sees it (fiber's c.Method(), which
// a method-override middleware may change). The CSRF check of an unsafe
// method reads csrfmiddlewaretoken from the body only, as request.POST
// (never the query string, which fasthttp's FormValue looks at first),
// and the last value sent under it, as a MultiValueDict. Every string is
// a copy (the usual methods are constants).
func Request(m *middleware.Middleware, ctx *fasthttp.RequestCtx, method string) middleware.Request {
	s := m.Settings()
	h := &ctx.Request.Header
	req := middleware.Request{
		Method: Method(method),
		Host:   string(h.Host()),
		Secure: m.IsSecure(ctx.IsTLS(), func(name string) string { return string(h.Peek(name)) }),
		Conn:   ctx.Conn(),
	}
	if v := h.Cookie(s.SessionCookieName); v != nil {
		req.SessionCookie, req.HasSessionCookie = string(v), true
	}
	if v := h.Cookie(s.CSRFCookieName); v != nil {
		req.CSRFCookie, req.HasCSRFCookie = string(v), true
	}
	if v := h.Cookie(messages.CookieName); len(v) > 0 {
		req.MessagesCookie = string(v)
	}
	if middleware.IsSafeMethod(req.Method) {
		return req // the rest serves the CSRF check of unsafe methods only
	}
	if addr, ok := ctx.LocalAddr().(*net.TCPAddr); ok {
		req.Port = strconv.Itoa(addr.Port)
	}
	if v := h.Peek("Origin"); v != nil {
		req.Origin, req.HasOrigin = string(v), true
	}
	if v := h.Peek("Referer"); v != nil {
		req.Referer, req.HasReferer = string(v), true
	}
	if v := h.Peek(s.CSRFHeaderName); v != nil {
		req.CSRFHeader, req.HasCSRFHeader = string(v), true
	}
	req.ReadForm = func() (string, error) {
		if err := CheckForm(m, ctx); err != nil {
			return "", err
		}
		switch middleware.FormKind(string(h.ContentType())) {
		case middleware.FormURLEncoded:
			if vs := ctx.PostArgs().PeekMulti(middleware.CSRFFormField); len(vs) > 0 {
				return string(vs[len(vs)-1]), nil
			}
		case middleware.FormMultipart:
			if f, err := ctx.MultipartForm(); err == nil {
				if vs := f.Value[middleware.CSRFFormField]; len(vs) > 0 {
					return strings.Clone(vs[len(vs)-1]), nil
				}
			}
		}
		return "", nil
	}
	return req
}

// CheckForm applies Django's body limits (DATA_UPLOAD_MAX_*) to the form
// of ctx's request, as request.POST does: the core's
// Middleware.CheckURLEncoded on an url-encoded body (fasthttp has read it
// whole, up to the server's MaxRequestBodySize — fiber's BodyLimit —
// unless it streams it: then at most the limit plus one bytes are read,
// and the body is put back), Middleware.CheckMultipart on a multipart one
// as fasthttp parses it. A *middleware.BodyError is the 400 answer;
// another error a body that could not be read (the token is missing).
func CheckForm(m *middleware.Middleware, ctx *fasthttp.RequestCtx) error {
	h := &ctx.Request.Header
	switch middleware.FormKind(string(h.ContentType())) {
	case middleware.FormURLEncoded:
		if ctx.Request.IsBodyStream() {
			body, err := m.ReadURLEncoded(int64(h.ContentLength()), ctx.RequestBodyStream())
			if err != nil {
				return err
			}
			ctx.Request.SetBody(body)
			return nil
		}
		return m.CheckURLEncoded(ctx.Request.Body())
	case middleware.FormMultipart:
		f, err := ctx.MultipartForm()
		if errors.Is(err, fasthttp.ErrNoMultipartForm) {
			err = middleware.ErrMultipartBoundary // the type is multipart: no boundary
		}
		return m.CheckMultipart(f, err)
	}
	return nil
}

// Method returns m as a constant (no copy) for the usual methods, a copy
// otherwise: fiber's Method() points into fasthttp's buffer.
func Method(m string) string {
	for _, k := range [...]string{http.MethodGet, http.MethodPost, http.MethodHead, http.MethodPut,
		http.MethodDelete, http.MethodPatch, http.MethodOptions, http.MethodTrace, http.MethodConnect} {
		if m == k {
			return k
		}
	}
	return strings.Clone(m)
}
