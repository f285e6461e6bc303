package middleware

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// The framework-neutral rules of the request flow that every adapter
// (net/http in this package; echomw, echo5mw, fibermw, fiber3mw, ginmw)
// asks for instead of keeping its own copy: which requests the CSRF check
// gates (Gate), what a failure answers and at which level it is logged
// (Answer, Reason, StatusFor, LogFailure), and what Django's view
// decorators decide (Guard, State.Decide). An adapter only translates its
// framework's request and response to and from these.

// Answer is a response the core decides on its own: an error page, the
// CSRF failure page, a decorator's redirect, 401 or 403. Adapters write it
// with their framework's calls: status, the Content-Type and Location
// headers when not empty, and the body.
type Answer struct {
	Status      int
	ContentType string // "" when the answer has no body
	Location    string // a redirect's target, else ""
	Body        string
}

const textPlain = "text/plain; charset=utf-8"

// WriteTo writes a with net/http. Error answers (4xx/5xx with a text
// body) also get X-Content-Type-Options: nosniff.
func (a Answer) WriteTo(w http.ResponseWriter) {
	h := w.Header()
	if a.ContentType != "" {
		h.Set("Content-Type", a.ContentType)
		if a.ContentType == textPlain {
			h.Set("X-Content-Type-Options", "nosniff")
		}
	}
	if a.Location != "" {
		h.Set("Location", a.Location)
	}
	w.WriteHeader(a.Status)
	if a.Body != "" {
		_, _ = w.Write([]byte(a.Body))
	}
}

// IsSafeMethod reports whether Django's CsrfViewMiddleware lets method
// through without a check (GET, HEAD, OPTIONS, TRACE: RFC 9110's safe
// methods).
func IsSafeMethod(method string) bool {
	switch method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return true
	}
	return false
}

// Gate is CsrfViewMiddleware.process_view for the request, with the rules
// of when it runs: nil for a safe method, when Options.DisableCSRFCheck
// is set, or when exempt (may be nil) reports the view csrf_exempt — exempt
// is called only for an unsafe method. Otherwise State.CheckCSRF's
// answer: a *CSRFError (403), a *BodyError (400: the POST form broke
// Django's DATA_UPLOAD_MAX_* limits) or an error wrapping ErrStore.
func (s *State) Gate(exempt func() bool) error {
	if s.m.opts.DisableCSRFCheck || IsSafeMethod(s.req.Method) || exempt != nil && exempt() {
		return nil
	}
	return s.CheckCSRF()
}

// IsFlowError reports whether err is one of the request flow's own
// failures, which the error handler answers: a store failure or timeout
// (ErrStore), a vanished session (ErrSessionInterrupted), a failed CSRF
// check (ErrCSRF), a POST form over Django's limits (ErrBadRequest), or a
// programming error (ErrNoState, ErrNoAuth,
// ErrNoMessages).
// Adapters hand these to their framework's error handling with
// StatusFor and Reason.
func IsFlowError(err error) bool {
	return errors.Is(err, ErrStore) || errors.Is(err, ErrSessionInterrupted) || errors.Is(err, ErrCSRF) ||
		errors.Is(err, ErrBadRequest) ||
		errors.Is(err, ErrNoState) || errors.Is(err, ErrNoAuth) || errors.Is(err, ErrNoMessages)
}

// Reason returns the text shown to the client for a flow error: it names
// what happened without revealing the error (no SQL, no address). For a
// store call past Options.StoreTimeout it says so, with the bound.
func Reason(err error) string {
	var te *TimeoutError
	switch {
	case errors.Is(err, ErrCSRF):
		return "CSRF verification failed. Request aborted."
	case errors.Is(err, ErrSessionInterrupted):
		return "Bad request: the session was deleted before the request completed."
	case errors.Is(err, ErrBadRequest):
		return "Bad Request (400)"
	case errors.Is(err, ErrNoState), errors.Is(err, ErrNoAuth), errors.Is(err, ErrNoMessages):
		return "Internal server error."
	case errors.As(err, &te):
		return "Service unavailable: the session or user store did not answer within " + te.After.String() + "."
	}
	return "Service unavailable: please try again later."
}

// Answer is the core's default answer to a flow error: StatusFor(err)
// with Reason(err) as a short plain text (Django's CSRF failure page is
// "Forbidden (403)" and the reason; its 400 page for a body over the
// limits, "Bad Request (400)").
func (m *Middleware) Answer(err error) Answer {
	body := Reason(err) + "\n"
	if errors.Is(err, ErrCSRF) {
		body = "Forbidden (403)\n" + body
	}
	return Answer{Status: StatusFor(err), ContentType: textPlain, Body: body}
}

// LogFailure logs a flow error once, at its level: Warn "Forbidden
// (reason): path" for a CSRF failure, as Django's django.security.csrf
// logger does; Info when the client went away (the context was cancelled:
// not the store's fault); Error with the fix for a programming error (a
// helper reached by a request that did not pass through the middleware);
// Error otherwise. Every adapter calls it before handing err to the
// framework's error handling, so the logs are the same on every framework.
func (m *Middleware) LogFailure(ctx context.Context, path string, err error) {
	code := StatusFor(err)
	switch {
	case errors.Is(err, ErrCSRF):
		m.log.WarnContext(ctx, "Forbidden ("+reasonOf(err)+"): "+path, "status", code)
	case errors.Is(err, ErrBadRequest):
		// Django's django.security.<exception> logger, at error.
		m.log.ErrorContext(ctx, reasonOf(err), "path", path, "status", code)
	case errors.Is(err, ErrNoState):
		m.log.ErrorContext(ctx, noStateMessage, "path", path, "status", code)
	case errors.Is(err, context.Canceled), errors.Is(err, ErrClientGone):
		m.log.InfoContext(ctx, "djangobridge middleware: request failed", "error", err, "path", path, "status", code)
	default:
		m.log.ErrorContext(ctx, "djangobridge middleware: request failed", "error", err, "path", path, "status", code)
	}
}

const noStateMessage = "djangobridge middleware: a helper (User, Session, Login, Logout, CSRFToken, Messages, a decorator) " +
	"was called on a request that did not pass through the middleware: wrap the router with the middleware " +
	"(mw.Handler(mux), e.Use(echomw.New(mw)), app.Use(fibermw.New(mw)), r.Use(ginmw.New(mw)))"

// logNoState logs the programming error of a helper reached without the
// middleware, on the default logger (there is no Middleware to ask).
func logNoState(ctx context.Context, helper, path string) {
	slog.Default().ErrorContext(ctx, noStateMessage, "helper", helper, "path", path, "status", http.StatusInternalServerError)
}

// A Guard is one of Django's view decorators, decided by State.Decide.
type Guard struct {
	kind  guardKind
	perms []string
}

type guardKind uint8

const (
	guardLogin guardKind = iota
	guardLoginAPI
	guardStaff
	guardPerms
)

var (
	// GuardLogin is @login_required: an anonymous user is redirected
	// (302) to LOGIN_URL with ?next= the requested path and query.
	GuardLogin = Guard{kind: guardLogin}
	// GuardLoginAPI is @login_required for an API: an anonymous user gets
	// 401 with {"error": "authentication required"}.
	GuardLoginAPI = Guard{kind: guardLoginAPI}
	// GuardStaff is @staff_member_required: a user who is not both active
	// and staff is redirected to LOGIN_URL with ?next=.
	GuardStaff = Guard{kind: guardStaff}
)

// GuardPerms is @permission_required(perms, raise_exception=True): a user
// without every permission ("app_label.codename") gets 403, anonymous
// users included (active superusers have them all).
func GuardPerms(perms ...string) Guard {
	return Guard{kind: guardPerms, perms: append([]string(nil), perms...)}
}

// Decide runs g for the request, whose path (decoded, as request.path)
// and raw query the redirect to the login page carries. ok: the view may
// run. Otherwise a is the answer (a redirect, 401 or 403). err is a store
// failure (wrapping ErrStore, remembered so the response becomes the error
// handler's) or ErrNoAuth: hand it to the error handler.
func (s *State) Decide(ctx context.Context, g Guard, path, rawQuery string) (ok bool, a Answer, err error) {
	u, err := s.User(ctx)
	if err != nil {
		return false, Answer{}, err
	}
	switch g.kind {
	case guardLogin:
		ok = u.IsAuthenticated()
	case guardLoginAPI:
		if !u.IsAuthenticated() {
			return false, Answer{Status: http.StatusUnauthorized, ContentType: "application/json",
				Body: `{"error": "authentication required"}` + "\n"}, nil
		}
		return true, Answer{}, nil
	case guardStaff:
		ok = u.IsActive && u.IsStaff
	case guardPerms:
		has, err := s.HasPerms(ctx, u, g.perms...)
		if err != nil {
			return false, Answer{}, err
		}
		if !has {
			return false, Answer{Status: http.StatusForbidden, ContentType: textPlain, Body: "403 Forbidden\n"}, nil
		}
		return true, Answer{}, nil
	}
	if ok {
		return true, Answer{}, nil
	}
	return false, Answer{Status: http.StatusFound, Location: s.m.LoginRedirect(path, rawQuery)}, nil
}

// Context returns the request's context carrying the State (what
// StateFromContext finds): adapters give it to the handler (net/http:
// r.WithContext; fiber: SetUserContext), so that helpers and the store
// calls made with it find the request.
func (s *State) Context() context.Context { return s.ctx }

// Request returns what Begin was given (a copy).
func (s *State) Request() Request { return s.req }
