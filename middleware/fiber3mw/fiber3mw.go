// Package fiber3mw is the fiber v3 adapter of package middleware: Django's
// SessionMiddleware, AuthenticationMiddleware and CsrfViewMiddleware for a
// fiber app. It only translates between fiber and the core: every rule
// (the CSRF gate, the answers to failures and their log lines, the
// decorators' decisions, the store timeout) lives in package middleware.
//
//	m := b.Middleware // b from bridge/postgres.Open (or sqlite, mysql, anydb); or middleware.New(middleware.Options{...})
//	app := fiber.New()
//	app.Use(fiber3mw.New(m))
//	app.Get("/api/whoami", func(c fiber.Ctx) error {
//		u, err := fiber3mw.User(c)
//		if err != nil {
//			return err // the app's ErrorHandler answers: 503 and the reason
//		}
//		...
//	})
//
// The request's pieces are in c.Locals under middleware.KeyState (*State),
// KeySession (*djangosession.Session) and KeyUser (middleware.LazyUser),
// and c.Context() carries the State. fasthttp does not end a request's
// context when its client goes away; the core watches the connection during
// each store call instead. fasthttp reuses a request's buffers once its
// handler returns: what the core keeps is copied out of them (package
// middleware/internal/fasthttpreq, shared with the other fiber adapter).
// Messages gives Django's flash messages when middleware.Options.Messages
// is set.
//
// Request bodies: the CSRF check of a POST reads its form within Django's
// DATA_UPLOAD_MAX_* limits and answers 400 past them, as Django does
// (fasthttpreq.CheckForm: the core's rule). fasthttp reads a body whole
// before any handler and refuses one over the app's BodyLimit (4 MiB by
// default) itself, with 413, before this middleware runs. Set
// fiber.Config{StreamRequestBody: true} so that such a body reaches the
// middleware: it then reads no more than DATA_UPLOAD_MAX_MEMORY_SIZE + 1
// bytes of an url-encoded form and answers Django's 400.
package fiber3mw

import (
	"context"

	"github.com/gofiber/fiber/v3"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/fasthttpreq"
)

// Config adapts the middleware to fiber; every field is optional.
type Config struct {
	// Next, when it returns true, skips the middleware for the request
	// (fiber's convention). Default: nil, every request.
	Next func(c fiber.Ctx) bool
	// CSRFExempt, when it returns true, skips the request's CSRF check
	// (Django's @csrf_exempt). Default: nil.
	CSRFExempt func(c fiber.Ctx) bool
	// ErrorHandler answers the flow's failures: a store failure or
	// timeout (middleware.ErrStore, 503), a vanished session (400), a
	// failed CSRF check (403), a programming error (500). It gets a
	// *fiber.Error with middleware.StatusFor(err) and middleware.Reason(err)
	// that also unwraps to the core's error (errors.Is(err,
	// middleware.ErrStore)). Default: the app's ErrorHandler
	// (fiber.Config.ErrorHandler, as app.ErrorHandler finds it). The core logs each failure first.
	ErrorHandler fiber.ErrorHandler
}

// New returns the fiber handler that runs m around the rest of the chain.
// An error returned by a later handler is answered inside the flow (by the
// app's ErrorHandler), so the session is saved or not according to the
// status the client sees and the cookies reach the error response.
func New(m *middleware.Middleware, config ...Config) fiber.Handler {
	var cfg Config
	if len(config) > 0 {
		cfg = config[0]
	}
	return func(c fiber.Ctx) error {
		if cfg.Next != nil && cfg.Next(c) {
			return c.Next()
		}
		req := fasthttpreq.Request(m, c.RequestCtx(), c.Method())
		st := m.Begin(c.Context(), &req)
		c.Locals(middleware.KeyState, st)
		c.Locals(middleware.KeySession, st.Session())
		c.Locals(middleware.KeyUser, st.LazyUser())
		c.SetContext(st.Context())
		var exempt func() bool
		if cfg.CSRFExempt != nil {
			exempt = func() bool { return cfg.CSRFExempt(c) }
		}
		err := st.Gate(exempt)
		if err == nil {
			err = c.Next()
		}
		if err != nil {
			handle(m, c, cfg, err)
		}
		// The save must not be cut short by a client that went away.
		res, err := st.Finish(context.WithoutCancel(st.Context()), c.Response().StatusCode())
		if err != nil {
			c.Response().Reset()
			handle(m, c, cfg, err)
			return nil
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

// handle answers err now: a flow error (logged by the core) through
// cfg.ErrorHandler as a *fiber.Error, any other through the app's.
func handle(m *middleware.Middleware, c fiber.Ctx, cfg Config, err error) {
	h := c.App().ErrorHandler // the mounted app's
	if middleware.IsFlowError(err) {
		m.LogFailure(c.Context(), c.Path(), err)
		err = &flowError{fiber.NewError(middleware.StatusFor(err), middleware.Reason(err)), err}
		if cfg.ErrorHandler != nil {
			h = cfg.ErrorHandler
		}
	}
	if h(c, err) != nil {
		_ = c.SendStatus(fiber.StatusInternalServerError)
	}
}

// flowError is a *fiber.Error (status and reason, what fiber's default
// handler sends) that unwraps to the core's error too.
type flowError struct {
	fe  *fiber.Error
	err error
}

func (e *flowError) Error() string   { return e.fe.Message }
func (e *flowError) Unwrap() []error { return []error{e.fe, e.err} }

// State returns the request's middleware state (c.Locals(middleware.KeyState)),
// or nil if the request did not pass through the middleware.
func State(c fiber.Ctx) *middleware.State {
	st, _ := c.Locals(middleware.KeyState).(*middleware.State)
	return st
}

func state(c fiber.Ctx, helper string) (*middleware.State, error) {
	if st := State(c); st != nil {
		return st, nil
	}
	return nil, middleware.NoState(c.Context(), helper, c.Path())
}

// Session returns request.session (lazy: no I/O until read or written); nil,
// logged as a programming error, without the middleware.
func Session(c fiber.Ctx) *djangosession.Session {
	if st, _ := state(c, "fiber3mw.Session"); st != nil {
		return st.Session()
	}
	return nil
}

// User returns request.user: the logged-in user or the anonymous user. An
// error wraps middleware.ErrStore (the database is down, or past
// Options.StoreTimeout): return it and the error handler answers, whatever
// the handler writes.
func User(c fiber.Ctx) (*djangouser.User, error) {
	st, err := state(c, "fiber3mw.User")
	if err != nil {
		return nil, err
	}
	return st.User(c.Context())
}

// Login is django.contrib.auth.login for this request.
func Login(c fiber.Ctx, u *djangouser.User) error {
	st, err := state(c, "fiber3mw.Login")
	if err != nil {
		return err
	}
	return st.Login(c.Context(), u)
}

// Logout is django.contrib.auth.logout for this request.
func Logout(c fiber.Ctx) error {
	st, err := state(c, "fiber3mw.Logout")
	if err != nil {
		return err
	}
	return st.Logout(c.Context())
}

// CSRFToken is Django's get_token: a masked token for forms and the
// X-CSRFToken header; the response sets the csrftoken cookie.
func CSRFToken(c fiber.Ctx) (string, error) {
	st, err := state(c, "fiber3mw.CSRFToken")
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
// saved, once the handler returns (fiber buffers the answer, so messages
// added after c.SendString or c.Redirect are stored too). Errors: middleware.ErrNoMessages without Options.Messages,
// ErrNoState without the middleware; the error handler answers 500.
func Messages(c fiber.Ctx) (*messages.Request, error) {
	st, err := state(c, "fiber3mw.Messages")
	if err != nil {
		return nil, err
	}
	return st.Messages()
}

// LoginRequired is Django's @login_required as fiber middleware: an
// anonymous user is redirected (302) to LOGIN_URL with ?next=.
func LoginRequired(c fiber.Ctx) error { return guard(c, middleware.GuardLogin) }

// LoginRequiredAPI answers an anonymous user 401 with a JSON error.
func LoginRequiredAPI(c fiber.Ctx) error { return guard(c, middleware.GuardLoginAPI) }

// StaffOnly is @staff_member_required: a user who is not active staff is
// redirected to LOGIN_URL with ?next=.
func StaffOnly(c fiber.Ctx) error { return guard(c, middleware.GuardStaff) }

// PermissionRequired is @permission_required(perms, raise_exception=True):
// 403 unless the user has every permission ("app_label.codename").
func PermissionRequired(perms ...string) fiber.Handler {
	g := middleware.GuardPerms(perms...)
	return func(c fiber.Ctx) error { return guard(c, g) }
}

// guard runs the rest of the chain when the core's decision allows it,
// else writes the core's answer. Errors go to the error handler.
func guard(c fiber.Ctx, g middleware.Guard) error {
	st, err := state(c, "fiber3mw decorator")
	if err != nil {
		return err
	}
	uri := c.Request().URI()
	ok, a, err := st.Decide(c.Context(), g, string(uri.Path()), string(uri.QueryString()))
	switch {
	case err != nil:
		return err
	case ok:
		return c.Next()
	}
	if a.ContentType != "" {
		c.Set(fiber.HeaderContentType, a.ContentType)
	}
	if a.Location != "" {
		c.Set(fiber.HeaderLocation, a.Location)
	}
	return c.Status(a.Status).SendString(a.Body)
}
