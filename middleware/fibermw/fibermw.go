// Package fibermw is the fiber (v2) adapter of package middleware: Django's
// SessionMiddleware, AuthenticationMiddleware and CsrfViewMiddleware for a
// fiber app. It only translates between fiber and the framework-neutral
// core (middleware.Middleware's Begin and State.Finish); every session,
// user and CSRF rule lives in the core, shared with net/http and echo.
//
//	m, _ := middleware.New(middleware.Options{Sessions: sessions, Auth: auth})
//	app := fiber.New()
//	app.Use(fibermw.New(m, fibermw.Config{}))
//	app.Get("/api/whoami", func(c *fiber.Ctx) error {
//		u, err := fibermw.User(c)
//		...
//	})
//
// fiber runs on fasthttp, which reuses a request's buffers once its handler
// returns: every string the core keeps (the cookie values, headers, the
// session key) is copied out of them here.
package fibermw

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

// Config adapts the middleware to fiber. The zero value is Django's
// behaviour: store failures answer 503 (400 for a session deleted
// mid-request), CSRF failures 403, both logged.
type Config struct {
	// ErrorHandler answers a request whose session or user store failed
	// (errors.Is(err, middleware.ErrStore)) or whose session vanished
	// (middleware.ErrSessionInterrupted). Nil: DefaultErrorHandler.
	ErrorHandler func(c *fiber.Ctx, err error) error
	// CSRFFailureHandler answers a request that fails the CSRF check
	// (err is a *middleware.CSRFError). Nil: 403 with a short text.
	CSRFFailureHandler func(c *fiber.Ctx, err error) error
	// CSRFExempt, when it returns true, skips the request's CSRF check
	// (Django's @csrf_exempt).
	CSRFExempt func(c *fiber.Ctx) bool
}

// localsKey is the fiber Locals key of the request's *middleware.State.
type localsKey struct{}

// New returns the fiber handler that runs m around the rest of the chain.
func New(m *middleware.Middleware, cfg Config) fiber.Handler {
	if cfg.ErrorHandler == nil {
		cfg.ErrorHandler = func(c *fiber.Ctx, err error) error { return DefaultErrorHandler(m, c, err) }
	}
	if cfg.CSRFFailureHandler == nil {
		cfg.CSRFFailureHandler = func(c *fiber.Ctx, err error) error { return DefaultCSRFFailureHandler(m, c, err) }
	}
	settings := m.Settings()
	return func(c *fiber.Ctx) error {
		req := requestOf(m, c, settings.SessionCookieName, settings.CSRFCookieName, settings.CSRFHeaderName)
		ctx := c.UserContext()
		st := m.Begin(ctx, &req)
		c.Locals(localsKey{}, st)
		c.SetUserContext(middleware.ContextWithState(ctx, st))

		var err error
		if m.CSRFCheckEnabled() && !safeMethod(req.Method) && (cfg.CSRFExempt == nil || !cfg.CSRFExempt(c)) {
			err = st.CheckCSRF()
		}
		switch {
		case err == nil:
			if err := c.Next(); err != nil {
				// Answer the error now, so the session's fate follows the
				// status the client will see: a store error through the
				// middleware's error handler (503), others through the app's.
				handle := c.App().ErrorHandler
				if errors.Is(err, middleware.ErrStore) || errors.Is(err, middleware.ErrSessionInterrupted) {
					handle = cfg.ErrorHandler
				}
				if herr := handle(c, err); herr != nil {
					_ = c.SendStatus(fiber.StatusInternalServerError)
				}
			}
		case errors.Is(err, middleware.ErrCSRF):
			if herr := cfg.CSRFFailureHandler(c, err); herr != nil {
				return herr
			}
		default:
			if herr := cfg.ErrorHandler(c, err); herr != nil {
				return herr
			}
		}

		// The save must not be cut short by a client that went away.
		res, ferr := st.Finish(context.WithoutCancel(ctx), c.Response().StatusCode())
		if ferr != nil {
			c.Response().Reset()
			return cfg.ErrorHandler(c, ferr)
		}
		for _, v := range res.SetCookie {
			c.Response().Header.Add(fiber.HeaderSetCookie, v)
		}
		if res.VaryCookie {
			c.Vary(fiber.HeaderCookie)
		}
		return nil
	}
}

// safeMethod: Django checks CSRF on every other method.
func safeMethod(m string) bool {
	switch m {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions, fiber.MethodTrace:
		return true
	}
	return false
}

// method returns m as a constant (no copy) for the usual methods, a copy
// otherwise: fiber's Method() points into fasthttp's buffer.
func method(m string) string {
	for _, k := range [...]string{fiber.MethodGet, fiber.MethodPost, fiber.MethodHead, fiber.MethodPut,
		fiber.MethodDelete, fiber.MethodPatch, fiber.MethodOptions, fiber.MethodTrace, fiber.MethodConnect} {
		if m == k {
			return k
		}
	}
	return strings.Clone(m)
}

// requestOf copies what the core reads out of fasthttp's buffers.
func requestOf(m *middleware.Middleware, c *fiber.Ctx, sessionCookie, csrfCookie, csrfHeader string) middleware.Request {
	h := &c.Request().Header
	req := middleware.Request{
		Method: method(c.Method()),
		Host:   string(h.Host()),
		Secure: m.IsSecure(c.Context().IsTLS(), func(name string) string { return string(h.Peek(name)) }),
	}
	if v := h.Cookie(sessionCookie); v != nil {
		req.SessionCookie, req.HasSessionCookie = string(v), true
	}
	if v := h.Cookie(csrfCookie); v != nil {
		req.CSRFCookie, req.HasCSRFCookie = string(v), true
	}
	if safeMethod(req.Method) {
		return req // the rest serves the CSRF check of unsafe methods only
	}
	if addr, ok := c.Context().LocalAddr().(*net.TCPAddr); ok {
		req.Port = strconv.Itoa(addr.Port)
	}
	if v := h.Peek(fiber.HeaderOrigin); v != nil {
		req.Origin, req.HasOrigin = string(v), true
	}
	if v := h.Peek(fiber.HeaderReferer); v != nil {
		req.Referer, req.HasReferer = string(v), true
	}
	if v := h.Peek(csrfHeader); v != nil {
		req.CSRFHeader, req.HasCSRFHeader = string(v), true
	}
	req.FormToken = func() string {
		ct := string(h.ContentType())
		if !strings.HasPrefix(ct, fiber.MIMEApplicationForm) && !strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
			return ""
		}
		return strings.Clone(c.FormValue(middleware.CSRFFormField))
	}
	return req
}

// State returns the request's middleware state, or nil if the request did
// not pass through the middleware.
func State(c *fiber.Ctx) *middleware.State {
	st, _ := c.Locals(localsKey{}).(*middleware.State)
	return st
}

// Session returns request.session (lazy: no I/O until read or written), or
// nil without the middleware.
func Session(c *fiber.Ctx) *djangosession.Session {
	if st := State(c); st != nil {
		return st.Session()
	}
	return nil
}

// User returns request.user: the logged-in user or the anonymous user. An
// error wraps middleware.ErrStore (the database is down) and the response
// will be the error handler's whatever the handler writes.
func User(c *fiber.Ctx) (*djangouser.User, error) {
	st := State(c)
	if st == nil {
		return nil, middleware.ErrNoState
	}
	return st.User(c.UserContext())
}

// Login is django.contrib.auth.login for this request.
func Login(c *fiber.Ctx, u *djangouser.User) error {
	st := State(c)
	if st == nil {
		return middleware.ErrNoState
	}
	return st.Login(c.UserContext(), u)
}

// Logout is django.contrib.auth.logout for this request.
func Logout(c *fiber.Ctx) error {
	st := State(c)
	if st == nil {
		return middleware.ErrNoState
	}
	return st.Logout(c.UserContext())
}

// CSRFToken is Django's get_token: a masked token for forms and the
// X-CSRFToken header; the response sets the csrftoken cookie.
func CSRFToken(c *fiber.Ctx) (string, error) {
	st := State(c)
	if st == nil {
		return "", middleware.ErrNoState
	}
	return st.CSRFToken()
}

// DefaultErrorHandler logs err and answers middleware.StatusFor(err) with a
// short text that reveals nothing of the error.
func DefaultErrorHandler(m *middleware.Middleware, c *fiber.Ctx, err error) error {
	code := middleware.StatusFor(err)
	m.Logger().ErrorContext(c.UserContext(), "djangobridge middleware: request failed",
		"error", err, "path", c.Path(), "status", code)
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	if code == fiber.StatusBadRequest {
		return c.Status(code).SendString("Bad request: the session was deleted before the request completed.\n")
	}
	return c.Status(code).SendString("Service unavailable: please try again later.\n")
}

// DefaultCSRFFailureHandler answers 403, logging Django's warning
// "Forbidden (reason): path".
func DefaultCSRFFailureHandler(m *middleware.Middleware, c *fiber.Ctx, err error) error {
	m.Logger().WarnContext(c.UserContext(), "Forbidden ("+reason(err)+"): "+c.Path(), "status", fiber.StatusForbidden)
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Status(fiber.StatusForbidden).SendString("Forbidden (403)\nCSRF verification failed. Request aborted.\n")
}

func reason(err error) string {
	var ce *middleware.CSRFError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	return err.Error()
}

// LoginRequired is Django's @login_required: an anonymous user is
// redirected (302) to LOGIN_URL with ?next= the requested path and query,
// as middleware.LoginRequired does for net/http.
func LoginRequired(c *fiber.Ctx) error {
	return requireUser(c, func(u *djangouser.User) bool { return u.IsAuthenticated() }, redirectToLogin)
}

// LoginRequiredAPI is LoginRequired for an API: an anonymous user gets
// 401 with {"error": "authentication required"}.
func LoginRequiredAPI(c *fiber.Ctx) error {
	return requireUser(c, func(u *djangouser.User) bool { return u.IsAuthenticated() }, func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Status(fiber.StatusUnauthorized).SendString(`{"error": "authentication required"}` + "\n")
	})
}

// StaffOnly is Django admin's @staff_member_required: a user who is not
// both active and staff is redirected to LOGIN_URL with ?next=.
func StaffOnly(c *fiber.Ctx) error {
	return requireUser(c, func(u *djangouser.User) bool { return u.IsActive && u.IsStaff }, redirectToLogin)
}

// PermissionRequired is Django's @permission_required(perms,
// raise_exception=True): a user without every permission
// ("app_label.codename") gets 403, anonymous users included.
func PermissionRequired(perms ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		st := State(c)
		if st == nil {
			return middleware.ErrNoState
		}
		u, err := st.User(c.UserContext())
		if err != nil {
			return err
		}
		has, err := st.HasPerms(c.UserContext(), u, perms...)
		if err != nil {
			return err
		}
		if !has {
			c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
			return c.Status(fiber.StatusForbidden).SendString("403 Forbidden\n")
		}
		return c.Next()
	}
}

// requireUser runs the rest of the chain when ok(request.user), else deny.
// A store error is returned: the middleware answers with its error handler.
func requireUser(c *fiber.Ctx, ok func(*djangouser.User) bool, deny fiber.Handler) error {
	u, err := User(c)
	if err != nil {
		return err
	}
	if !ok(u) {
		return deny(c)
	}
	return c.Next()
}

func redirectToLogin(c *fiber.Ctx) error {
	st := State(c)
	uri := c.Request().URI()
	c.Set(fiber.HeaderLocation, st.Middleware().LoginRedirect(string(uri.Path()), string(uri.QueryString())))
	c.Status(fiber.StatusFound)
	return nil
}
