// Package ginmw is the gin adapter of package middleware: Django's
// SessionMiddleware, AuthenticationMiddleware and CsrfViewMiddleware as a
// gin.HandlerFunc. gin is built on net/http, so each request runs the
// core's net/http flow (Middleware.Serve); this package only translates:
// every rule (the CSRF gate, the answers to failures and their log lines,
// the decorators' decisions, the store timeout) lives in package middleware.
//
//	m := b.Middleware // b from bridge/postgres.Open (or sqlite, mysql, anydb); or middleware.New(middleware.Options{...})
//	r := gin.New()
//	r.Use(ginmw.New(m))
//	r.GET("/api/whoami", func(c *gin.Context) {
//		u, err := ginmw.User(c)
//		if err != nil {
//			_ = c.Error(err) // the middleware answers: 503 and the reason
//			return
//		}
//		...
//	})
//
// gin has no error handler of its own: a failure of the flow (a store
// error or timeout, a vanished session, a failed CSRF check), whether the
// core meets it or a handler records it with c.Error, is recorded in
// c.Errors, the chain is aborted, and Config.ErrorHandler answers (default:
// the core's answer, middleware.Answer). The request's pieces are in c.Get
// under middleware.KeyState (*State), KeySession (*djangosession.Session)
// and KeyUser (middleware.LazyUser).
// Messages gives Django's flash messages when middleware.Options.Messages
// is set.
package ginmw

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
)

// Config adapts the middleware to gin; every field is optional.
type Config struct {
	// Skip leaves a request out of the middleware (gin's Skipper, as in
	// gin.LoggerConfig). Default: nil, every request.
	Skip gin.Skipper
	// CSRFExempt, when it returns true, skips the request's CSRF check
	// (Django's @csrf_exempt). Default: nil.
	CSRFExempt func(c *gin.Context) bool
	// ErrorHandler answers a failure of the flow, already logged by the
	// core and recorded in c.Errors: status middleware.StatusFor(err),
	// text middleware.Reason(err). Default: the core's answer (a short
	// plain text).
	ErrorHandler func(c *gin.Context, err error)
}

// New returns the gin middleware that runs m around the rest of the chain.
func New(m *middleware.Middleware, config ...Config) gin.HandlerFunc {
	var cfg Config
	if len(config) > 0 {
		cfg = config[0]
	}
	return func(c *gin.Context) {
		if cfg.Skip != nil && cfg.Skip(c) {
			return
		}
		a := &adapter{m: m, c: c, cfg: &cfg}
		a.w.ResponseWriter = c.Writer
		m.Serve(c.Writer, c.Request, a)
		c.Writer = a.w.ResponseWriter
	}
}

// adapter is one request's middleware.HTTPAdapter.
type adapter struct {
	m   *middleware.Middleware
	c   *gin.Context
	cfg *Config
	w   writer // gin's writer with the writes through the core's
}

func (a *adapter) Next(w http.ResponseWriter, r *http.Request) {
	c, st := a.c, middleware.StateFromContext(r.Context())
	a.w.w = w
	c.Request, c.Writer = r, &a.w
	c.Set(middleware.KeyState, st)
	c.Set(middleware.KeySession, st.Session())
	c.Set(middleware.KeyUser, st.LazyUser())
	c.Next()
	// A flow error a handler recorded (c.Error) and did not answer.
	for _, e := range c.Errors {
		if middleware.IsFlowError(e.Err) {
			a.m.LogFailure(r.Context(), r.URL.Path, e.Err)
			if !a.w.ResponseWriter.Written() {
				a.render(e.Err)
			}
			break
		}
	}
}

// Fail records a failure of the flow in c.Errors and answers it.
func (a *adapter) Fail(w http.ResponseWriter, r *http.Request, err error) {
	a.w.w = w
	a.c.Request, a.c.Writer = r, &a.w
	_ = a.c.Error(err)
	a.render(err)
}

func (a *adapter) render(err error) {
	a.c.Abort()
	if a.cfg.ErrorHandler != nil {
		a.cfg.ErrorHandler(a.c, err)
		return
	}
	a.m.Answer(err).WriteTo(a.c.Writer)
}

func (a *adapter) Exempt(*http.Request) bool { return a.cfg.CSRFExempt != nil && a.cfg.CSRFExempt(a.c) }

// writer is gin's ResponseWriter with the writes going through the
// core's (which saves the session as the answer starts).
type writer struct {
	gin.ResponseWriter
	w http.ResponseWriter
}

func (x *writer) WriteHeader(code int)              { x.w.WriteHeader(code) }
func (x *writer) Write(b []byte) (int, error)       { return x.w.Write(b) }
func (x *writer) WriteString(s string) (int, error) { return io.WriteString(x.w, s) }
func (x *writer) Flush()                            { x.w.(http.Flusher).Flush() }
func (x *writer) Unwrap() http.ResponseWriter       { return x.w }
func (x *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(x.w).Hijack()
}
func (x *writer) WriteHeaderNow() {
	if !x.ResponseWriter.Written() {
		x.w.WriteHeader(x.ResponseWriter.Status())
	}
	x.ResponseWriter.WriteHeaderNow()
}

// State returns the request's middleware state, or nil if the request did
// not pass through the middleware.
func State(c *gin.Context) *middleware.State {
	return middleware.StateFromContext(c.Request.Context())
}

func state(c *gin.Context, helper string) (*middleware.State, error) {
	if st := State(c); st != nil {
		return st, nil
	}
	return nil, middleware.NoState(c.Request.Context(), helper, c.Request.URL.Path)
}

// Session returns request.session (lazy: no I/O until read or written); nil,
// logged as a programming error, without the middleware.
func Session(c *gin.Context) *djangosession.Session {
	if st, _ := state(c, "ginmw.Session"); st != nil {
		return st.Session()
	}
	return nil
}

// User returns request.user: the logged-in user or the anonymous user. An
// error wraps middleware.ErrStore (the database is down, or past
// Options.StoreTimeout): record it with c.Error and return, and the
// middleware answers (503 and the reason), whatever the handler wrote.
func User(c *gin.Context) (*djangouser.User, error) {
	st, err := state(c, "ginmw.User")
	if err != nil {
		return nil, err
	}
	return st.User(c.Request.Context())
}

// Login is django.contrib.auth.login for this request: the session gets a
// new key and the user, and the CSRF secret is rotated.
func Login(c *gin.Context, u *djangouser.User) error {
	st, err := state(c, "ginmw.Login")
	if err != nil {
		return err
	}
	return st.Login(c.Request.Context(), u)
}

// Logout is django.contrib.auth.logout for this request.
func Logout(c *gin.Context) error {
	st, err := state(c, "ginmw.Logout")
	if err != nil {
		return err
	}
	return st.Logout(c.Request.Context())
}

// CSRFToken is Django's get_token: a masked token for forms and the
// X-CSRFToken header; the response sets the csrftoken cookie.
func CSRFToken(c *gin.Context) (string, error) {
	st, err := state(c, "ginmw.CSRFToken")
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
// saved, as the answer starts: add them before c.String, c.Redirect...
// Errors: middleware.ErrNoMessages without Options.Messages, ErrNoState
// without the middleware; record them with c.Error and the middleware
// answers 500.
func Messages(c *gin.Context) (*messages.Request, error) {
	st, err := state(c, "ginmw.Messages")
	if err != nil {
		return nil, err
	}
	return st.Messages()
}

// LoginRequired is Django's @login_required as gin middleware: an
// anonymous user is redirected (302) to LOGIN_URL with ?next=.
func LoginRequired(c *gin.Context) { guard(c, middleware.GuardLogin) }

// LoginRequiredAPI answers an anonymous user 401 with a JSON error.
func LoginRequiredAPI(c *gin.Context) { guard(c, middleware.GuardLoginAPI) }

// StaffOnly is @staff_member_required: a user who is not active staff is
// redirected to LOGIN_URL with ?next=.
func StaffOnly(c *gin.Context) { guard(c, middleware.GuardStaff) }

// PermissionRequired is @permission_required(perms, raise_exception=True):
// 403 unless the user has every permission ("app_label.codename").
func PermissionRequired(perms ...string) gin.HandlerFunc {
	g := middleware.GuardPerms(perms...)
	return func(c *gin.Context) { guard(c, g) }
}

// guard lets the chain go on when the core's decision allows it, else
// aborts with the core's answer. An error is recorded (c.Error) and the
// chain aborted: the middleware answers it.
func guard(c *gin.Context, g middleware.Guard) {
	st, err := state(c, "ginmw decorator")
	if err != nil {
		_ = c.Error(err)
		c.AbortWithStatus(middleware.StatusFor(err))
		return
	}
	r := c.Request
	ok, a, err := st.Decide(r.Context(), g, r.URL.Path, r.URL.RawQuery)
	switch {
	case err != nil:
		_ = c.Error(err)
		c.Abort()
	case ok:
	case a.Location != "":
		c.Header("Location", a.Location)
		c.AbortWithStatus(a.Status)
	default:
		c.Abort()
		c.Data(a.Status, a.ContentType, []byte(a.Body))
	}
}
