// Package echomw is the echo (v4) adapter of package middleware: Django's
// SessionMiddleware, AuthenticationMiddleware and CsrfViewMiddleware for an
// echo app. echo is built on net/http, so each request runs the core's
// net/http flow (Middleware.Serve); this package only translates: every
// rule (the CSRF gate, the answers to failures and their log lines, the
// decorators' decisions, the store timeout) lives in package middleware.
//
//	m := b.Middleware // b from bridge/postgres.Open (or sqlite, mysql, anydb); or middleware.New(middleware.Options{...})
//	e := echo.New()
//	e.Use(echomw.New(m))
//	e.GET("/api/whoami", func(c echo.Context) error {
//		u, err := echomw.User(c)
//		if err != nil {
//			return err // echo's HTTPErrorHandler answers: 503 and the reason
//		}
//		...
//	})
//
// Failures go to echo's HTTPErrorHandler as an *echo.HTTPError with
// middleware.StatusFor(err) and middleware.Reason(err) as its message,
// whose Internal is the core's error (errors.Is(err, middleware.ErrStore)).
// The request's pieces are in c.Get under middleware.KeyState (*State),
// KeySession (*djangosession.Session) and KeyUser (middleware.LazyUser).
// Messages gives Django's flash messages when middleware.Options.Messages
// is set.
package echomw

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
)

// Config adapts the middleware to echo; every field is optional.
type Config struct {
	// Skipper skips the middleware for a request (echo's convention, the
	// type of echo/middleware.Skipper). Default: nil, every request.
	Skipper func(c echo.Context) bool
	// CSRFExempt, when it returns true, skips the request's CSRF check
	// (Django's @csrf_exempt). Default: nil.
	CSRFExempt func(c echo.Context) bool
}

// New returns the echo middleware that runs m around the rest of the
// chain, with the default Config.
func New(m *middleware.Middleware) echo.MiddlewareFunc { return NewWithConfig(m, Config{}) }

// NewWithConfig is New with cfg. An error returned by a later handler is
// answered inside the flow by echo's HTTPErrorHandler (c.Error), so the
// session is saved or not according to the status the client sees (none
// on a 5xx) and the cookies reach the error response.
func NewWithConfig(m *middleware.Middleware, cfg Config) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.Skipper != nil && cfg.Skipper(c) {
				return next(c)
			}
			// res, echo's Response, stays the outer writer, so its Status and
			// Committed follow whatever is answered.
			res := c.Response()
			m.Serve(res, c.Request(), &adapter{m: m, c: c, next: next, cfg: &cfg})
			c.SetResponse(res)
			return nil
		}
	}
}

// adapter is one request's middleware.HTTPAdapter.
type adapter struct {
	m    *middleware.Middleware
	c    echo.Context
	next echo.HandlerFunc
	cfg  *Config
}

func (a *adapter) Next(w http.ResponseWriter, r *http.Request) {
	c, st := a.c, middleware.StateFromContext(r.Context())
	c.SetRequest(r)
	c.SetResponse(echo.NewResponse(w, c.Echo()))
	c.Set(middleware.KeyState, st)
	c.Set(middleware.KeySession, st.Session())
	c.Set(middleware.KeyUser, st.LazyUser())
	if err := a.next(c); err != nil {
		if middleware.IsFlowError(err) {
			a.m.LogFailure(r.Context(), r.URL.Path, err)
			err = toEcho(err)
		}
		c.Error(err)
	}
}

// Fail answers a failure of the flow through echo's HTTPErrorHandler.
func (a *adapter) Fail(w http.ResponseWriter, r *http.Request, err error) {
	c := a.c
	c.SetRequest(r)
	c.SetResponse(echo.NewResponse(w, c.Echo()))
	c.Error(toEcho(err))
}

func (a *adapter) Exempt(*http.Request) bool { return a.cfg.CSRFExempt != nil && a.cfg.CSRFExempt(a.c) }

// toEcho is the core's error as echo's: status and reason, Internal err.
func toEcho(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return err
	}
	return echo.NewHTTPError(middleware.StatusFor(err), middleware.Reason(err)).SetInternal(err)
}

// State returns the request's middleware state, or nil if the request did
// not pass through the middleware.
func State(c echo.Context) *middleware.State {
	return middleware.StateFromContext(c.Request().Context())
}

func state(c echo.Context, helper string) (*middleware.State, error) {
	if st := State(c); st != nil {
		return st, nil
	}
	return nil, middleware.NoState(c.Request().Context(), helper, c.Request().URL.Path)
}

// Session returns request.session (lazy: no I/O until read or written); nil,
// logged as a programming error, without the middleware.
func Session(c echo.Context) *djangosession.Session {
	if st, _ := state(c, "echomw.Session"); st != nil {
		return st.Session()
	}
	return nil
}

// User returns request.user: the logged-in user or the anonymous user. An
// error wraps middleware.ErrStore (the database is down, or past
// Options.StoreTimeout): return it and echo's HTTPErrorHandler answers
// (503 and the reason), whatever the handler wrote.
func User(c echo.Context) (*djangouser.User, error) {
	st, err := state(c, "echomw.User")
	if err != nil {
		return nil, err
	}
	return st.User(c.Request().Context())
}

// Login is django.contrib.auth.login for this request: the session gets a
// new key and the user, and the CSRF secret is rotated.
func Login(c echo.Context, u *djangouser.User) error {
	st, err := state(c, "echomw.Login")
	if err != nil {
		return err
	}
	return st.Login(c.Request().Context(), u)
}

// Logout is django.contrib.auth.logout for this request.
func Logout(c echo.Context) error {
	st, err := state(c, "echomw.Logout")
	if err != nil {
		return err
	}
	return st.Logout(c.Request().Context())
}

// CSRFToken is Django's get_token: a masked token for forms and the
// X-CSRFToken header; the response sets the csrftoken cookie.
func CSRFToken(c echo.Context) (string, error) {
	st, err := state(c, "echomw.CSRFToken")
	if err != nil {
		return "", err
	}
	return st.CSRFToken()
}

// Messages returns the request's flash messages (Django's messages
// framework, with middleware.Options.Messages): m.Success("Saved.") is
// shown by the next page, Django's or Go's; m.Messages() shows and
// consumes the pending ones. The middleware stores what is left (the
// "messages" cookie, "_messages" in the session) before the session is
// saved, so add them before the answer starts (c.String, c.Redirect...).
// Errors: middleware.ErrNoMessages without Options.Messages,
// ErrNoState without the middleware; return them and echo's
// HTTPErrorHandler answers 500.
func Messages(c echo.Context) (*messages.Request, error) {
	st, err := state(c, "echomw.Messages")
	if err != nil {
		return nil, err
	}
	return st.Messages()
}

// LoginRequired is Django's @login_required as echo middleware: an
// anonymous user is redirected (302) to LOGIN_URL with ?next=.
func LoginRequired(next echo.HandlerFunc) echo.HandlerFunc { return guard(middleware.GuardLogin, next) }

// LoginRequiredAPI answers an anonymous user 401 with a JSON error.
func LoginRequiredAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return guard(middleware.GuardLoginAPI, next)
}

// StaffOnly is @staff_member_required: a user who is not active staff is
// redirected to LOGIN_URL with ?next=.
func StaffOnly(next echo.HandlerFunc) echo.HandlerFunc { return guard(middleware.GuardStaff, next) }

// PermissionRequired is @permission_required(perms, raise_exception=True):
// 403 unless the user has every permission ("app_label.codename").
func PermissionRequired(perms ...string) echo.MiddlewareFunc {
	g := middleware.GuardPerms(perms...)
	return func(next echo.HandlerFunc) echo.HandlerFunc { return guard(g, next) }
}

// guard runs next when the core's decision allows it, else writes the
// core's answer. Errors go to echo's HTTPErrorHandler.
func guard(g middleware.Guard, next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st, err := state(c, "echomw decorator")
		if err != nil {
			return toEcho(err)
		}
		r := c.Request()
		ok, a, err := st.Decide(r.Context(), g, r.URL.Path, r.URL.RawQuery)
		switch {
		case err != nil:
			return err
		case ok:
			return next(c)
		case a.Location != "":
			return c.Redirect(a.Status, a.Location)
		}
		return c.Blob(a.Status, a.ContentType, []byte(a.Body))
	}
}
