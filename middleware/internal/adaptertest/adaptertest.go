// Package adaptertest holds the framework adapters' shared test fixture:
// in-memory session and user stores that count their queries and can fail
// like a database that went away, and scenarios run both through the
// net/http flow of package middleware (the reference) and through an
// adapter (echomw, fibermw), whose results must be the same: the adapters
// are translations and hold no rule of their own.
package adaptertest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
)

// ErrDown is what the stores answer once Fail is set.
var ErrDown = errors.New("adaptertest: database is down")

// Sessions is an in-memory session engine counting its calls.
type Sessions struct {
	mem                   *djangosession.MemoryStore
	Loads, Saves, Deletes atomic.Int64
	Fail                  atomic.Bool
	// Stall makes Load wait for its context (a table lock): it signals
	// Stalled on entry and sends the context's error to Released on exit.
	Stall    atomic.Bool
	Stalled  chan struct{}
	Released chan error
}

func (c *Sessions) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	c.Loads.Add(1)
	if c.Fail.Load() {
		return nil, ErrDown
	}
	if c.Stall.Load() {
		c.Stalled <- struct{}{}
		select {
		case <-ctx.Done():
			c.Released <- ctx.Err()
			return nil, ctx.Err()
		case <-time.After(20 * time.Second):
			c.Released <- errors.New("not released")
			return nil, ErrDown
		}
	}
	return c.mem.Load(ctx, key)
}

func (c *Sessions) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	c.Saves.Add(1)
	if c.Fail.Load() {
		return "", ErrDown
	}
	return c.mem.Save(ctx, r, mustCreate)
}

func (c *Sessions) Delete(ctx context.Context, key string) error {
	c.Deletes.Add(1)
	if c.Fail.Load() {
		return ErrDown
	}
	return c.mem.Delete(ctx, key)
}

func (c *Sessions) Exists(ctx context.Context, key string) (bool, error) {
	return c.mem.Exists(ctx, key)
}

func (c *Sessions) ClearExpired(ctx context.Context) (int64, error) { return c.mem.ClearExpired(ctx) }

// Users is an in-memory djangouser.Store of one user, demo (id 1),
// counting its queries.
type Users struct {
	mu       sync.Mutex
	password string
	Queries  atomic.Int64
	Fail     atomic.Bool
}

func (s *Users) get() (*djangouser.User, error) {
	s.Queries.Add(1)
	if s.Fail.Load() {
		return nil, ErrDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &djangouser.User{ID: int64(1), Password: s.password, Username: "demo", IsActive: true}, nil
}

func (s *Users) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	if n, _ := id.(int64); n != 1 {
		s.Queries.Add(1)
		return nil, djangouser.ErrUserNotFound
	}
	return s.get()
}

func (s *Users) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	if username != "demo" {
		s.Queries.Add(1)
		return nil, djangouser.ErrUserNotFound
	}
	return s.get()
}

func (s *Users) SaveUser(ctx context.Context, u *djangouser.User, columns ...string) error {
	if s.Fail.Load() {
		return ErrDown
	}
	return nil
}

func (s *Users) CreateUser(ctx context.Context, u *djangouser.User) error {
	return errors.New("adaptertest: not supported")
}

func (s *Users) Permissions(ctx context.Context, u *djangouser.User, src djangouser.PermSource) ([]string, error) {
	return nil, nil
}

func (s *Users) GroupNames(ctx context.Context, u *djangouser.User) ([]string, error) {
	return nil, nil
}

// Site is one application: settings, stores, middleware.
type Site struct {
	Settings djangobridge.Settings
	Sessions *Sessions
	Users    *Users
	Manager  *djangosession.Manager
	Auth     *djangouser.Auth
	MW       *middleware.Middleware
}

// NewSite builds a site with Django's defaults changed by configure; the
// user demo has the password "demo" (an MD5 hash, for speed).
func NewSite(t testing.TB, configure func(*djangobridge.Settings)) *Site {
	t.Helper()
	return NewSiteWith(t, configure, nil)
}

// NewSiteWith is NewSite with the middleware's Options changed by opts.
func NewSiteWith(t testing.TB, configure func(*djangobridge.Settings), opts func(*middleware.Options)) *Site {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "adaptertest-secret-key"
	s.PasswordHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}
	if configure != nil {
		configure(&s)
	}
	st := &Site{Settings: s, Users: &Users{}, Sessions: &Sessions{mem: djangosession.NewMemoryStore(),
		Stalled: make(chan struct{}, 4), Released: make(chan error, 4)}}
	var err error
	if st.Manager, err = djangosession.NewManager(&st.Settings, st.Sessions); err != nil {
		t.Fatal(err)
	}
	pw, err := hashers.New(&st.Settings)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := pw.Make(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	st.Users.password = hash
	if st.Auth, err = djangouser.New(&st.Settings, st.Users, pw); err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		quiet = slog.Default()
	}
	o := middleware.Options{Sessions: st.Manager, Auth: st.Auth, Logger: quiet}
	if opts != nil {
		opts(&o)
	}
	if st.MW, err = middleware.New(o); err != nil {
		t.Fatal(err)
	}
	return st
}

// Session stores a session holding key=value and returns its key.
func (st *Site) Session(t testing.TB, key string, value any) string {
	t.Helper()
	sess := st.Manager.Open(context.Background(), "")
	if err := sess.Set(key, value); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sess.Key()
}

// LoginSession returns the key of a session logged in as demo.
func (st *Site) LoginSession(t testing.TB) string {
	t.Helper()
	u, err := st.Users.UserByID(context.Background(), int64(1))
	if err != nil {
		t.Fatal(err)
	}
	sess := st.Manager.Open(context.Background(), "")
	if err := st.Auth.Login(context.Background(), sess, u); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.Sessions.Loads.Store(0)
	st.Sessions.Saves.Store(0)
	st.Users.Queries.Store(0)
	return sess.Key()
}

// A Request is one request of a scenario, built against its Site (which
// makes the session keys the cookies carry).
type Request struct {
	Method  string
	Cookies map[string]string
	Header  map[string]string
	Form    string // the body: url-encoded unless Header sets Content-Type
}

// A Scenario is a request and a handler, written once against the core's
// State, so that every framework runs the same logic.
type Scenario struct {
	Name      string
	Configure func(*djangobridge.Settings)
	Request   func(t testing.TB, st *Site) Request
	// Handle is the view: it gets the request's State and answers a status.
	Handle func(ctx context.Context, s *middleware.State) int
	// Before runs after Request made its sessions and before the request
	// is served: e.g. the database going away.
	Before func(st *Site)
}

// Result is what a framework answered, normalized for comparison: cookie
// values and dates replaced by placeholders.
type Result struct {
	Status      int
	SetCookie   []string
	Vary        string
	Loads       int64 // session loads
	Saves       int64
	UserQueries int64
}

var (
	expiresRE = regexp.MustCompile(`expires=[^;]*`)
	valueRE   = regexp.MustCompile(`^([^=]+)=[^;]+`)
)

// Normalize fills r from a response's status and header and the site's counters.
func Normalize(st *Site, status int, h http.Header) Result {
	r := Result{Status: status, Vary: strings.Join(h.Values("Vary"), ", ")}
	for _, c := range h.Values("Set-Cookie") {
		c = expiresRE.ReplaceAllString(c, "expires=<date>")
		c = valueRE.ReplaceAllString(c, "$1=<value>")
		r.SetCookie = append(r.SetCookie, c)
	}
	r.Loads, r.Saves, r.UserQueries = st.Sessions.Loads.Load(), st.Sessions.Saves.Load(), st.Users.Queries.Load()
	return r
}

// RunNetHTTP runs sc through middleware.Handler: the reference result.
func RunNetHTTP(t testing.TB, sc Scenario) Result {
	t.Helper()
	st := NewSite(t, sc.Configure)
	req := sc.Request(t, st)
	if sc.Before != nil {
		sc.Before(st)
	}
	var body *strings.Reader
	if req.Form != "" {
		body = strings.NewReader(req.Form)
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(req.Method, "/", body)
	if req.Form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	for k, v := range req.Cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	st.MW.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(sc.Handle(r.Context(), middleware.StateFromContext(r.Context())))
	})).ServeHTTP(rec, r)
	return Normalize(st, rec.Code, rec.Result().Header)
}

// CSRFPair is a csrftoken cookie value and a matching X-CSRFToken header.
func CSRFPair() (cookie, header string) {
	secret := middleware.NewCSRFSecret()
	return secret, middleware.MaskCSRFSecret(secret)
}

// Scenarios are the cases every adapter must answer as net/http does
// (BodyScenarios among them).
func Scenarios() []Scenario {
	touchNothing := func(ctx context.Context, s *middleware.State) int { return http.StatusOK }
	readUser := func(ctx context.Context, s *middleware.State) int {
		u, err := s.User(ctx)
		if err != nil {
			return http.StatusServiceUnavailable
		}
		if u.IsAuthenticated() {
			return http.StatusOK
		}
		return http.StatusUnauthorized
	}
	setValue := func(ctx context.Context, s *middleware.State) int {
		if err := s.Session().Set("k", "v"); err != nil {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	login := func(ctx context.Context, s *middleware.State) int {
		u := &djangouser.User{ID: int64(1), Username: "demo", IsActive: true}
		if err := s.Login(ctx, u); err != nil {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	}
	get := func(cookies func(t testing.TB, st *Site) map[string]string) func(t testing.TB, st *Site) Request {
		return func(t testing.TB, st *Site) Request {
			r := Request{Method: http.MethodGet}
			if cookies != nil {
				r.Cookies = cookies(t, st)
			}
			return r
		}
	}
	withSession := func(t testing.TB, st *Site) map[string]string {
		return map[string]string{st.Settings.SessionCookieName: st.Session(t, "a", "b")}
	}
	loggedIn := func(t testing.TB, st *Site) map[string]string {
		return map[string]string{st.Settings.SessionCookieName: st.LoginSession(t)}
	}
	post := func(withToken, inForm bool) func(t testing.TB, st *Site) Request {
		return func(t testing.TB, st *Site) Request {
			c, h := CSRFPair()
			r := Request{Method: http.MethodPost, Cookies: map[string]string{st.Settings.CSRFCookieName: c}, Form: "x=1"}
			switch {
			case withToken && inForm:
				r.Form += "&csrfmiddlewaretoken=" + h
			case withToken:
				r.Header = map[string]string{"X-CSRFToken": h}
			}
			return r
		}
	}
	return append([]Scenario{
		{Name: "no cookie, session untouched", Request: get(nil), Handle: touchNothing},
		{Name: "session cookie, session untouched: no query", Request: get(withSession), Handle: touchNothing},
		{Name: "logged in, user read: one session and one user query", Request: get(loggedIn), Handle: readUser},
		{Name: "anonymous, user read", Request: get(nil), Handle: readUser},
		{Name: "new session value: cookie with Django's defaults", Request: get(nil), Handle: setValue},
		{Name: "session value, every cookie setting", Request: get(withSession), Handle: setValue,
			Configure: func(s *djangobridge.Settings) {
				s.SessionCookieName, s.SessionCookieDomain, s.SessionCookiePath = "sid", ".example.com", "/app"
				s.SessionCookieSecure, s.SessionCookieHTTPOnly, s.SessionCookieSameSite = true, false, "None"
				s.SessionCookieAge = 60
			}},
		{Name: "browser-session cookie", Request: get(nil), Handle: setValue,
			Configure: func(s *djangobridge.Settings) { s.SessionExpireAtBrowserClose = true }},
		{Name: "save every request", Request: get(withSession), Handle: touchNothing,
			Configure: func(s *djangobridge.Settings) { s.SessionSaveEveryRequest = true }},
		{Name: "flushed session: cookie deleted", Request: get(withSession),
			Handle: func(ctx context.Context, s *middleware.State) int {
				if s.Session().Flush(ctx) != nil {
					return http.StatusServiceUnavailable
				}
				return http.StatusOK
			}},
		{Name: "5xx: no save", Request: get(nil),
			Handle: func(ctx context.Context, s *middleware.State) int {
				setValue(ctx, s)
				return http.StatusInternalServerError
			}},
		{Name: "database down: the error handler answers", Request: get(loggedIn), Handle: readUser,
			Before: func(st *Site) { st.Sessions.Fail.Store(true) }},
		{Name: "database down on save", Request: get(nil), Handle: setValue,
			Before: func(st *Site) { st.Sessions.Fail.Store(true) }},
		{Name: "POST without CSRF token: 403", Request: post(false, false), Handle: touchNothing},
		{Name: "POST with X-CSRFToken", Request: post(true, false), Handle: touchNothing},
		{Name: "POST with csrfmiddlewaretoken", Request: post(true, true), Handle: touchNothing},
		{Name: "POST login: session and CSRF cookies", Request: post(true, false), Handle: login},
		{Name: "GET csrf token: cookie set", Request: get(nil),
			Handle: func(ctx context.Context, s *middleware.State) int {
				if _, err := s.CSRFToken(); err != nil {
					return http.StatusServiceUnavailable
				}
				return http.StatusOK
			}},
	}, BodyScenarios()...)
}
