package middleware

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/djcookie"
	"github.com/djangobridge/djangobridge/messages"
)

// Errors of the request flow, usable with errors.Is.
var (
	// ErrStore: the session or user store failed during the request (the
	// database is down...). The request must not go on as anonymous: the
	// error handler answers instead (default 503).
	ErrStore = errors.New("middleware: session or user store failed")
	// ErrSessionInterrupted: the session's record was deleted while the
	// request ran (a logout in a concurrent request), so its changes could
	// not be saved. Django raises SessionInterrupted and answers 400. It
	// wraps djangosession.ErrVanished.
	ErrSessionInterrupted = errors.New("middleware: the session was deleted before the request completed")
	// ErrNoAuth: User, Login or Logout was called but Options.Auth is nil.
	ErrNoAuth = errors.New("middleware: no Auth configured")
	// ErrNoState: the request did not go through the middleware.
	ErrNoState = errors.New("middleware: request did not pass through the middleware")
	// ErrResponseReplaced is returned by Write after the middleware had to
	// replace the handler's response with the error handler's (the session
	// could not be saved when the handler started its answer).
	ErrResponseReplaced = errors.New("middleware: response replaced by the error handler")
)

// Options configure a Middleware. Only Sessions is required.
type Options struct {
	// Sessions opens each request's session; its Settings (SESSION_*,
	// CSRF_*, LOGIN_URL, DjangoVersion) are the middleware's settings.
	Sessions *djangosession.Manager
	// Auth gives request.user (User, Login, Logout). Nil: no users; User
	// returns ErrNoAuth.
	Auth *djangouser.Auth
	// Logger receives the errors the default handlers log. Nil: the
	// Settings' Logger, else slog.Default().
	Logger *slog.Logger

	// ErrorHandler answers a request whose session or user store failed
	// (errors.Is(err, ErrStore)), whose session vanished
	// (ErrSessionInterrupted), or whose POST form broke Django's
	// DATA_UPLOAD_MAX_* limits when the CSRF check read it (ErrBadRequest,
	// a *BodyError). Nil: the core's Answer (503 or 400 with a short text;
	// logged first). net/http only; adapters have their own.
	ErrorHandler func(w http.ResponseWriter, r *http.Request, err error)
	// CSRFFailureHandler answers a request that fails the CSRF check
	// (err is a *CSRFError). Nil: 403 with a short text, logged at Warn
	// as Django logs "Forbidden (reason): path".
	CSRFFailureHandler func(w http.ResponseWriter, r *http.Request, err error)
	// CSRFExempt, when it returns true for a request, skips its CSRF check
	// (Django's @csrf_exempt); the token machinery still works.
	CSRFExempt func(r *http.Request) bool
	// DisableCSRFCheck turns the check off for every request (no
	// CsrfViewMiddleware in MIDDLEWARE). CSRFToken still mints tokens.
	DisableCSRFCheck bool

	// StoreTimeout bounds each session or user store call (a load, a
	// save, the user's row, its permissions): past it the call's context
	// ends and the request is answered by the error handler with an error
	// wrapping ErrStore and ErrStoreTimeout (a *TimeoutError naming the
	// call), 503 by default with Reason's text. Zero: DefaultStoreTimeout
	// (10 s); negative: no bound but the request's context.
	StoreTimeout time.Duration
	// Messages is MessageMiddleware with its MESSAGE_STORAGE and settings
	// (messages.New): Messages(r) and each adapter's Messages(c) give the
	// request's flash messages, and the flow stores what is left for the
	// next page before the session is saved, as Django's MessageMiddleware
	// runs before SessionMiddleware saves. The "messages" cookie is
	// written with the attributes the Framework gives it (its Settings'
	// SESSION_COOKIE_DOMAIN, _SECURE, _HTTPONLY, _SAMESITE: make it with
	// the middleware's Settings). Nil: no MessageMiddleware; Messages
	// returns ErrNoMessages.
	Messages *messages.Framework
	// SessionsOnly runs the middleware without users (Auth nil): sessions
	// and CSRF only; User, Login and Logout then return ErrNoAuth. Without
	// it, New refuses a nil Auth.
	SessionsOnly bool
}

// Middleware is Django's SessionMiddleware, AuthenticationMiddleware and
// CsrfViewMiddleware for one application: made once with New, safe for
// concurrent use. Handler wraps a net/http handler; Begin and
// State.Finish are the framework-neutral core that adapters use.
type Middleware struct {
	opts     Options
	settings *djangobridge.Settings
	log      *slog.Logger
	now      func() time.Time

	sessionCookie djcookie.Spec
	csrfCookie    djcookie.Spec
	csrfAge       int // djcookie.NoMaxAge: browser-session cookie (CSRF_COOKIE_AGE None)

	rel            djangobridge.Release // the release's rules
	maskCookie     bool                 // the CSRF cookie holds a masked token
	trusted        trustedOrigins
	csrfHeaderName string       // for messages: "X-Csrftoken"
	limits         uploadLimits // DATA_UPLOAD_MAX_* for the release

	sessions *djangosession.Manager // Options.Sessions with bounded store calls
	timeout  time.Duration          // each store call's bound; 0: none
	// timeoutErrs holds one *TimeoutError per store call name.
	timeoutErrs sync.Map
}

// New returns the middleware for opts.
func New(opts Options) (*Middleware, error) {
	if opts.Sessions == nil {
		return nil, errors.New("middleware: Options.Sessions is required")
	}
	s := opts.Sessions.Settings()
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if opts.Auth == nil && !opts.SessionsOnly {
		return nil, errors.New("middleware: Options.Auth is nil: pass the djangouser.Auth made with djangouser.New " +
			"(request.user, Login, Logout need it), or set Options.SessionsOnly to run with sessions and CSRF only")
	}
	m := &Middleware{opts: opts, settings: s, rel: rel, log: opts.Logger, now: time.Now,
		timeout: storeTimeout(opts.StoreTimeout)}
	if m.sessions, err = m.boundSessions(opts.Sessions); err != nil {
		return nil, err
	}
	if m.log == nil {
		m.log = s.Logger
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	for _, ss := range []string{s.SessionCookieSameSite, s.CSRFCookieSameSite} {
		switch {
		case ss == "", equalFold(ss, "lax"), equalFold(ss, "strict"), equalFold(ss, "none"):
		default:
			return nil, fmt.Errorf("middleware: samesite %q must be \"Lax\", \"None\", \"Strict\" or \"\"", ss)
		}
	}
	if s.SessionCookieName == "" || s.CSRFCookieName == "" {
		return nil, errors.New("middleware: SESSION_COOKIE_NAME and CSRF_COOKIE_NAME must be set")
	}
	m.sessionCookie = djcookie.Spec{
		Name: s.SessionCookieName, Domain: s.SessionCookieDomain, Path: s.SessionCookiePath,
		Secure: s.SessionCookieSecure, HTTPOnly: s.SessionCookieHTTPOnly, SameSite: s.SessionCookieSameSite,
	}
	m.csrfCookie = djcookie.Spec{
		Name: s.CSRFCookieName, Domain: s.CSRFCookieDomain, Path: s.CSRFCookiePath,
		Secure: s.CSRFCookieSecure, HTTPOnly: s.CSRFCookieHTTPOnly, SameSite: s.CSRFCookieSameSite,
	}
	// CSRF_COOKIE_AGE: None is a browser-session cookie; 0 and negative
	// ages are written as set_cookie writes them (Max-Age=0, expires now).
	m.csrfAge = s.CSRFCookieAge
	if s.CSRFCookieAgeNone {
		m.csrfAge = djcookie.NoMaxAge
	} else if s.CSRFCookieAge <= 0 {
		// Django's answer too, but rarely meant: before CSRFCookieAgeNone,
		// 0 meant None here.
		m.log.Warn("djangobridge middleware: CSRF_COOKIE_AGE is 0 or less, so every CSRF cookie expires at once and "+
			"POSTs fail the CSRF check, as in Django; for a browser-session cookie (CSRF_COOKIE_AGE = None) set "+
			"Settings.CSRFCookieAgeNone", "CSRFCookieAge", s.CSRFCookieAge)
	}
	m.maskCookie = rel.CSRFCookieAlwaysMasked || rel.CSRFCookieMaskedSetting && s.CSRFCookieMasked
	m.trusted = parseTrustedOrigins(s.CSRFTrustedOrigins)
	m.csrfHeaderName = headerTitle(s.CSRFHeaderName)
	m.limits = limitsOf(s, rel)
	return m, nil
}

// Settings returns the settings the middleware applies.
func (m *Middleware) Settings() *djangobridge.Settings { return m.settings }

// Logger returns the logger the middleware logs to.
func (m *Middleware) Logger() *slog.Logger { return m.log }

// Request is what the core reads from an incoming request. Adapters fill
// it from their framework's request; strings must stay valid for the
// whole request (fasthttp users: copy them).
type Request struct {
	// Method is the HTTP method, upper case.
	Method string
	// Host is the Host header (request.get_host(), with the port if sent).
	Host string
	// Port is the server's port (SERVER_PORT), for the Referer check when
	// a cookie domain is set; "" means the port of Host, else 443 or 80.
	Port string
	// Secure is request.is_secure(): TLS, or SECURE_PROXY_SSL_HEADER.
	Secure bool

	SessionCookie    string // the session cookie's value
	HasSessionCookie bool   // the session cookie was sent (even empty)
	CSRFCookie       string // the CSRF cookie's value
	HasCSRFCookie    bool
	// MessagesCookie is the "messages" cookie's value (messages.CookieName),
	// read only when Options.Messages is set.
	MessagesCookie string

	Origin     string // Origin header
	HasOrigin  bool
	Referer    string // Referer header
	HasReferer bool
	CSRFHeader string // the CSRF_HEADER_NAME header (X-CSRFToken)
	// HasCSRFHeader: the header was sent (even empty).
	HasCSRFHeader bool
	// FormToken returns the POST form field "csrfmiddlewaretoken" ("" if
	// absent or the body is not a form); called only for a POST that
	// needs the check. Nil: no form. ReadForm, when set, is used instead.
	FormToken func() string
	// ReadForm is FormToken with Django's body limits: it returns the
	// csrfmiddlewaretoken field of a POST form and, when the body breaks
	// DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS or _NUMBER_FILES, the
	// *BodyError that Middleware.ReadURLEncoded or CheckMultipart gave
	// (the check then fails with it: 400). Another error (an unreadable
	// or malformed body) counts as a missing field, as in Django. Called
	// at most once, only for a POST whose CSRF check reaches the token,
	// as CsrfViewMiddleware reads request.POST.
	ReadForm func() (string, error)
	// Conn, when set, is the client's connection, watched during each
	// store call so that the call's context ends when the client goes
	// away. For servers that do not end the request's context themselves
	// (fasthttp); net/http does.
	Conn net.Conn
}

// Result is what a request's response must carry, from State.Finish:
// Set-Cookie header values (Django's exact text) and whether Vary must
// name Cookie.
type Result struct {
	SetCookie  []string
	VaryCookie bool
}

// State is one request's pass through the middleware: its lazy session,
// lazy user and CSRF token. Begin makes it without I/O; Finish decides the
// cookies once the handler has answered. Its methods are safe for
// concurrent use by the goroutines of one request.
type State struct {
	m   *Middleware
	ctx context.Context
	req Request

	mu       sync.Mutex
	sess     *djangosession.Session
	storeErr error // first store error seen by User/Login/Logout
	finished bool

	msgs *messages.Request // opened by Messages; nil: the handler never asked

	userMu sync.Mutex // held while the user loads: one query, once
	user   *djangouser.User

	csrf csrfState

	rw responseWriter // net/http: lives here to save an allocation
}

// Begin starts a request: no I/O happens until the handler touches the
// session or the user. ctx is the request's context; the session loads
// with it. The Request is copied.
func (m *Middleware) Begin(ctx context.Context, req *Request) *State {
	s := &State{m: m, req: *req}
	s.ctx = ContextWithState(ctx, s)
	return s
}

// Middleware returns the middleware the state belongs to.
func (s *State) Middleware() *Middleware { return s.m }

// Session returns request.session, opened (not loaded) on first use.
func (s *State) Session() *djangosession.Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessionLocked()
}

func (s *State) sessionLocked() *djangosession.Session {
	if s.sess == nil {
		key := ""
		if s.req.HasSessionCookie {
			key = s.req.SessionCookie
		}
		s.sess = s.m.sessions.Open(s.ctx, key)
	}
	return s.sess
}

func (s *State) noteStoreErr(err error) {
	s.mu.Lock()
	if s.storeErr == nil {
		s.storeErr = err
	}
	s.mu.Unlock()
}

// User returns request.user: the logged-in user or the anonymous user,
// loaded once (one session read and one user read) on first call. A store
// failure is returned (wrapping ErrStore) and remembered, so that the
// response becomes the error handler's even if the handler ignores it:
// a request never silently goes on as anonymous when the database is down.
func (s *State) User(ctx context.Context) (*djangouser.User, error) {
	if s.m.opts.Auth == nil {
		return nil, ErrNoAuth
	}
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if s.user != nil {
		return s.user, nil
	}
	ctx, b := s.m.bound(ctx, "request.user")
	u, err := s.m.opts.Auth.GetUser(ctx, s.Session())
	if err = b.end(ctx, err); err != nil {
		err = fmt.Errorf("%w: %w", ErrStore, err)
		s.noteStoreErr(err)
		return nil, err
	}
	s.user = u
	return u, nil
}

// Login is django.contrib.auth.login for this request: the user is
// recorded in the session (a new key against fixation), the CSRF secret is
// rotated, and User returns u from now on.
func (s *State) Login(ctx context.Context, u *djangouser.User) error {
	if s.m.opts.Auth == nil {
		return ErrNoAuth
	}
	ctx = djangouser.ContextWithLoginHook(ctx, func(context.Context) error {
		s.RotateCSRFToken()
		return nil
	})
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if err := s.m.call(ctx, "login", func(ctx context.Context) error {
		return s.m.opts.Auth.Login(ctx, s.Session(), u)
	}); err != nil {
		if !isUserError(err) {
			s.noteStoreErr(fmt.Errorf("%w: %w", ErrStore, err))
		}
		return err
	}
	s.user = u
	return nil
}

// Logout is django.contrib.auth.logout: the session is flushed and User
// returns the anonymous user from now on.
func (s *State) Logout(ctx context.Context) error {
	if s.m.opts.Auth == nil {
		return ErrNoAuth
	}
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if err := s.m.call(ctx, "logout", func(ctx context.Context) error {
		return s.m.opts.Auth.Logout(ctx, s.Session())
	}); err != nil {
		err = fmt.Errorf("%w: %w", ErrStore, err)
		s.noteStoreErr(err)
		return err
	}
	s.user = djangouser.Anonymous()
	return nil
}

func isUserError(err error) bool {
	return errors.Is(err, djangouser.ErrAnonymous) || errors.Is(err, djangouser.ErrNoBackend) ||
		errors.Is(err, djangouser.ErrConfig)
}

// Finish is the response half of the middlewares, to call once the
// handler's status is known and before any header is sent:
// MessageMiddleware.process_response (with Options.Messages, when the
// handler asked for Messages: the messages cookie, or "_messages" into the
// session), CsrfViewMiddleware.process_response (the CSRF cookie, or the secret
// into the session) then SessionMiddleware.process_response (delete the
// cookie of an emptied session; save a modified one, unless status is a
// server error, and set its cookie; Vary: Cookie when the session was
// accessed).
//
// It returns an error wrapping ErrStore when the store failed during the
// request (an earlier load, or this save) and status < 500, and
// ErrSessionInterrupted when the session vanished; the response must then
// be replaced by an error response (the Result is empty). ctx bounds the
// save; it should not be cancelled when the client goes away. Only the
// first call does anything; later ones return an empty Result.
func (s *State) Finish(ctx context.Context, status int) (Result, error) {
	var res Result
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return Result{}, nil // once per request; a second call is a no-op
	}
	s.finished = true
	storeErr := s.storeErr
	s.mu.Unlock()
	if storeErr != nil && status < 500 {
		return Result{}, storeErr
	}
	// MessageMiddleware.process_response runs first: it may write the
	// session that SessionMiddleware then saves.
	if err := s.finishMessages(ctx, status, &res); err != nil {
		return Result{}, err
	}
	if err := s.finishCSRF(&res); err != nil {
		if status < 500 {
			return Result{}, err
		}
	}
	if err := s.finishSession(ctx, status, &res); err != nil {
		return Result{}, err
	}
	return res, nil
}

func (s *State) finishSession(ctx context.Context, status int, res *Result) error {
	st := s.m.settings
	s.mu.Lock()
	sess := s.sess
	if sess == nil && s.req.HasSessionCookie {
		sess = s.sessionLocked() // no I/O: Django's is_empty() of an unread session
	}
	s.mu.Unlock()
	if st.CSRFUseSessions {
		// Django's CsrfViewMiddleware reads the session on every request.
		res.VaryCookie = true
	}
	if sess == nil {
		return nil
	}
	if sess.Accessed() && !sess.Loaded() && sess.Key() != "" {
		// A load failed (Get and friends hide it): report it rather than
		// let the answer stand as if the session were empty.
		if status >= 500 {
			return nil
		}
		err := sess.Load(ctx)
		if err == nil {
			err = errors.New("session could not be loaded during the request")
		}
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	empty := sess.IsEmpty()
	if s.req.HasSessionCookie && empty {
		res.SetCookie = append(res.SetCookie, s.m.sessionCookie.RenderDelete())
		res.VaryCookie = true
		return nil
	}
	if sess.Accessed() {
		res.VaryCookie = true
	}
	if !(sess.Modified() || st.SessionSaveEveryRequest) || empty {
		return nil
	}
	maxAge := djcookie.NoMaxAge // max_age=None
	var ageSeconds float64
	if !sess.ExpireAtBrowserClose() {
		maxAge = sess.ExpiryAge() // may be negative: Max-Age=-10, expires in the past
		ageSeconds = sess.ExpiryAgeSeconds()
	}
	now := s.m.now()
	if status >= 500 && s.m.rel.SkipSaveOnAny5xx || status == 500 {
		return nil
	}
	if err := sess.Save(ctx); err != nil {
		if errors.Is(err, djangosession.ErrVanished) {
			return fmt.Errorf("%w: %w", ErrSessionInterrupted, err)
		}
		return fmt.Errorf("%w: save session: %w", ErrStore, err)
	}
	// SessionMiddleware: max_age = get_expiry_age(), written int(max_age);
	// expires = http_date(time.time() + max_age), a float age's fraction
	// included (set_expiry(3600.5)).
	expires := ""
	if maxAge != djcookie.NoMaxAge {
		expires = now.Add(time.Duration(ageSeconds * float64(time.Second))).UTC().Format(http.TimeFormat)
	}
	res.SetCookie = append(res.SetCookie, s.m.sessionCookie.Render(sess.Key(), maxAge, expires, now))
	if s.m.rel.VaryCookieOnSessionSave {
		res.VaryCookie = true
	}
	return nil
}

// StatusFor returns the status Django answers err with: 400 for
// ErrSessionInterrupted and ErrBadRequest (a *BodyError), 403 for a CSRF failure, 500 for a programming
// error (ErrNoState: a helper reached without the middleware; ErrNoAuth;
// ErrNoMessages),
// else 503 (the store is unavailable or past Options.StoreTimeout).
func StatusFor(err error) int {
	switch {
	case errors.Is(err, ErrSessionInterrupted), errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrCSRF):
		return http.StatusForbidden
	case errors.Is(err, ErrNoState), errors.Is(err, ErrNoAuth), errors.Is(err, ErrNoMessages):
		return http.StatusInternalServerError
	}
	return http.StatusServiceUnavailable
}

// DefaultErrorHandler logs err (Middleware.LogFailure: at Error; at Info
// when the client went away) and answers it with Middleware.Answer: 503
// (400 for a vanished session or a form over Django's limits, 500 for a
// programming error) with a short
// plain-text body (Reason) that reveals nothing of the error.
func (m *Middleware) DefaultErrorHandler(w http.ResponseWriter, r *http.Request, err error) {
	m.LogFailure(r.Context(), r.URL.Path, err)
	m.Answer(err).WriteTo(w)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
