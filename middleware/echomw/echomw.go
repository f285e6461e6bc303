// Package echomw is the echo (v4) adapter of package middleware: Django's
// SessionMiddleware, AuthenticationMiddleware and CsrfViewMiddleware for an
// echo app. echo is built on net/http, so the adapter hands each request to
// the net/http flow of package middleware (Middleware.Handler) and only
// translates: every session, user and CSRF rule lives in the core, shared
// with net/http and fiber. A net/http user never compiles echo.
//
//	m, _ := middleware.New(middleware.Options{Sessions: sessions, Auth: auth})
//	e := echo.New()
//	e.Use(echomw.New(m))
//	e.GET("/api/whoami", func(c echo.Context) error {
//		u, err := echomw.User(c)
//		...
//	})
//
// The middleware's Options (ErrorHandler, CSRFFailureHandler, CSRFExempt)
// take net/http's types, which echo's requests are.
package echomw

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

// New returns the echo middleware that runs m around the rest of the chain.
//
// An error returned by a later handler is answered inside the flow, so the
// session is saved or not according to the status the client sees (none on
// a 5xx) and the cookies reach the error response: a store error (wrapping
// middleware.ErrStore, as User returns) through the middleware's error
// handler (503 by default), any other through echo's HTTPErrorHandler
// (c.Error). The middleware then returns nil.
func New(m *middleware.Middleware) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// res, echo's Response, is the outer writer, so its Status and
			// Committed follow whatever is answered, also when the flow
			// answers by itself (a CSRF failure, a store error). The
			// handler writes through a Response around the flow's writer.
			res := c.Response()
			m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				c.SetResponse(echo.NewResponse(w, c.Echo()))
				if err := next(c); err != nil {
					if errors.Is(err, middleware.ErrStore) || errors.Is(err, middleware.ErrSessionInterrupted) {
						middleware.Fail(c.Response(), r, err) // the middleware's error handler (503)
					} else {
						c.Error(err)
					}
				}
			})).ServeHTTP(res, c.Request())
			c.SetResponse(res)
			return nil
		}
	}
}

// State returns the request's middleware state, or nil if the request did
// not pass through the middleware.
func State(c echo.Context) *middleware.State {
	return middleware.StateFromContext(c.Request().Context())
}

// Session returns request.session (lazy: no I/O until read or written), or
// nil without the middleware.
func Session(c echo.Context) *djangosession.Session { return middleware.Session(c.Request()) }

// User returns request.user: the logged-in user or the anonymous user. An
// error wraps middleware.ErrStore (the database is down): return it, or
// pass it to middleware.Fail; the answer is the error handler's either way.
func User(c echo.Context) (*djangouser.User, error) { return middleware.User(c.Request()) }

// Login is django.contrib.auth.login for this request: the session gets a
// new key and the user, and the CSRF secret is rotated.
func Login(c echo.Context, u *djangouser.User) error { return middleware.Login(c.Request(), u) }

// Logout is django.contrib.auth.logout for this request.
func Logout(c echo.Context) error { return middleware.Logout(c.Request()) }

// CSRFToken is Django's get_token: a masked token for forms and the
// X-CSRFToken header; the response sets the csrftoken cookie.
func CSRFToken(c echo.Context) (string, error) { return middleware.CSRFToken(c.Request()) }

// LoginRequired is Django's @login_required as echo middleware (the
// net/http helper of package middleware): an anonymous user is redirected
// to LOGIN_URL with ?next=.
func LoginRequired(next echo.HandlerFunc) echo.HandlerFunc {
	return echo.WrapMiddleware(middleware.LoginRequired)(next)
}

// LoginRequiredAPI answers an anonymous user 401 with a JSON error.
func LoginRequiredAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return echo.WrapMiddleware(middleware.LoginRequiredAPI)(next)
}

// StaffOnly is @staff_member_required: a user who is not active staff is
// redirected to LOGIN_URL with ?next=.
func StaffOnly(next echo.HandlerFunc) echo.HandlerFunc {
	return echo.WrapMiddleware(middleware.StaffOnly)(next)
}

// PermissionRequired is @permission_required(perms, raise_exception=True):
// 403 unless the user has every permission.
func PermissionRequired(perms ...string) echo.MiddlewareFunc {
	return echo.WrapMiddleware(middleware.PermissionRequired(perms...))
}
