// Package bridgetest lets an application's own tests send requests as a
// given user with no database: users and sessions live in memory, and
// ForceLogin is Django's test Client.force_login. It is framework-neutral:
// it gives a cookie, or a whole *http.Request, which net/http (httptest),
// echo (e.ServeHTTP) and fiber (app.Test) all take.
//
//	kit, err := bridgetest.New(nil)                    // Django 5.2 rules, a test SECRET_KEY
//	alice := kit.AddUser(&djangouser.User{Username: "alice"}, "polls.add_choice")
//	handler := kit.Middleware.Handler(yourMux)         // or echomw.New(kit.Middleware), fibermw.New(kit.Middleware, ...)
//	req, err := kit.Request(ctx, alice, "POST", "/polls/1/vote", body)
//	rec := httptest.NewRecorder(); handler.ServeHTTP(rec, req)
//
// Your application takes its *middleware.Middleware (or *djangouser.Auth)
// from its setup code; in tests, give it kit.Middleware and kit.Auth
// instead of the ones a bridge.Open made.
package bridgetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
)

// SecretKey is the SECRET_KEY New uses when given nil Settings.
const SecretKey = "djangobridge-bridgetest-secret-key"

// Kit is an in-memory site: Settings, users, sessions, Auth and the
// middleware over them. Safe for concurrent use.
type Kit struct {
	Settings   *djangobridge.Settings
	Users      *Users
	Store      *djangosession.MemoryStore
	Sessions   *djangosession.Manager
	Auth       *djangouser.Auth
	Middleware *middleware.Middleware
	// Messages is the middleware's MessageMiddleware (Django's default
	// FallbackStorage), so handlers that call middleware.Messages (or an
	// adapter's Messages) work under the kit as under a bridge whose
	// Config.Middleware.Messages is set.
	Messages *messages.Framework
}

// New makes a Kit under s (copied; nil means djangobridge.Defaults() with
// SecretKey), with Django's default ModelBackend and MessageMiddleware.
func New(s *djangobridge.Settings) (*Kit, error) {
	var set djangobridge.Settings
	if s == nil {
		set = djangobridge.Defaults()
		set.SecretKey = SecretKey
	} else {
		set = *s
	}
	if _, err := set.Release(); err != nil {
		return nil, err
	}
	k := &Kit{Settings: &set, Users: NewUsers(), Store: djangosession.NewMemoryStore()}
	var err error
	if k.Sessions, err = djangosession.NewManager(&set, k.Store); err != nil {
		return nil, err
	}
	pw, err := hashers.New(&set)
	if err != nil {
		return nil, err
	}
	if k.Auth, err = djangouser.New(&set, k.Users, pw); err != nil {
		return nil, err
	}
	if k.Messages, err = messages.New(&set, messages.Options{}); err != nil {
		return nil, err
	}
	if k.Middleware, err = middleware.New(middleware.Options{Sessions: k.Sessions, Auth: k.Auth, Messages: k.Messages}); err != nil {
		return nil, err
	}
	return k, nil
}

// AddUser stores a copy of u's fields with the given permissions
// ("app_label.codename") and returns it with its ID. No password is
// hashed (force_login needs none): an empty Password becomes an unusable
// one. A zero DateJoined is set to now and the user made active, as
// create_user does; set DateJoined to keep IsActive as given.
func (k *Kit) AddUser(u *djangouser.User, perms ...string) *djangouser.User {
	return k.Users.Add(u, perms...)
}

// ForceLogin logs u in as django.test.Client.force_login does: a new
// session holding u's id, backend and session auth hash, saved in
// memory. It returns the session cookie to send.
func (k *Kit) ForceLogin(ctx context.Context, u *djangouser.User) (*http.Cookie, error) {
	if u == nil || u.IsAnonymous() {
		return nil, errors.New("bridgetest: ForceLogin needs a user AddUser returned")
	}
	sess := k.Sessions.Open(ctx, "")
	if u.Backend == "" {
		u.Backend = djangobridge.DefaultModelBackend
	}
	if err := k.Auth.Login(ctx, sess, u); err != nil {
		return nil, err
	}
	if err := sess.Save(ctx); err != nil {
		return nil, err
	}
	return &http.Cookie{Name: k.Settings.SessionCookieName, Value: sess.Key(), Path: "/"}, nil
}

// Request returns a request for target (a path or URL) carrying u's
// session cookie (none for a nil u: an anonymous request) and, for
// methods other than GET, HEAD, OPTIONS and TRACE, a CSRF cookie and the
// matching X-CSRFToken header, so it passes the CSRF check as a browser
// form would (Django's test Client skips the check instead; this one
// passes it). Body may be nil.
func (k *Kit) Request(ctx context.Context, u *djangouser.User, method, target string, body io.Reader) (*http.Request, error) {
	req := httptest.NewRequestWithContext(ctx, method, target, body)
	if u != nil {
		c, err := k.ForceLogin(ctx, u)
		if err != nil {
			return nil, err
		}
		req.AddCookie(c)
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
	default:
		secret := csrfSecret()
		req.AddCookie(&http.Cookie{Name: k.Settings.CSRFCookieName, Value: secret})
		req.Header.Set(k.Settings.CSRFHeaderName, secret)
	}
	return req, nil
}

// csrfSecret is a 32-character secret of Django's alphabet.
func csrfSecret() string {
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, middleware.CSRFSecretLength)
	rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}

// Users is an in-memory djangouser.Store: users with int primary keys,
// their permissions and groups. Safe for concurrent use.
type Users struct {
	mu     sync.Mutex
	nextID int64
	rows   map[int64]*djangouser.User
	perms  map[int64][]string
	groups map[int64][]string
}

// NewUsers returns an empty store.
func NewUsers() *Users {
	return &Users{rows: map[int64]*djangouser.User{}, perms: map[int64][]string{}, groups: map[int64][]string{}}
}

// Add is Kit.AddUser.
func (s *Users) Add(u *djangouser.User, perms ...string) *djangouser.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	r := copyRow(u)
	r.ID = s.nextID
	if r.DateJoined.IsZero() {
		r.DateJoined = time.Now().UTC()
		r.IsActive = true
	}
	if r.Password == "" {
		r.Password = "!" + csrfSecret() // an unusable password, as set_unusable_password writes
	}
	s.rows[s.nextID] = r
	s.perms[s.nextID] = slices.Clone(perms)
	return copyRow(r)
}

// SetGroups sets the names of u's groups (what Groups and group checks see).
func (s *Users) SetGroups(u *djangouser.User, names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, _ := u.ID.(int64)
	s.groups[id] = slices.Clone(names)
}

// copyRow copies the exported fields (a User holds caches and a lock).
func copyRow(u *djangouser.User) *djangouser.User {
	return &djangouser.User{
		ID: u.ID, Password: u.Password, LastLogin: u.LastLogin, IsSuperuser: u.IsSuperuser,
		Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
		IsStaff: u.IsStaff, IsActive: u.IsActive, DateJoined: u.DateJoined, Backend: u.Backend,
	}
}

// UserByID implements djangouser.Store.
func (s *Users) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := id.(int64)
	r, ok := s.rows[n]
	if !ok {
		return nil, djangouser.ErrUserNotFound
	}
	return copyRow(r), nil
}

// UserByUsername implements djangouser.Store.
func (s *Users) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if r.Username == username {
			return copyRow(r), nil
		}
	}
	return nil, djangouser.ErrUserNotFound
}

// SaveUser implements djangouser.Store (every column is saved).
func (s *Users) SaveUser(ctx context.Context, u *djangouser.User, columns ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := u.ID.(int64)
	if _, ok := s.rows[n]; !ok {
		return djangouser.ErrUserNotFound
	}
	for id, r := range s.rows {
		if id != n && r.Username == u.Username {
			return djangouser.ErrUserExists
		}
	}
	s.rows[n] = copyRow(u)
	return nil
}

// CreateUser implements djangouser.Store.
func (s *Users) CreateUser(ctx context.Context, u *djangouser.User) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if r.Username == u.Username {
			return fmt.Errorf("%w: %q", djangouser.ErrUserExists, u.Username)
		}
	}
	s.nextID++
	u.ID = s.nextID
	s.rows[s.nextID] = copyRow(u)
	return nil
}

// Permissions implements djangouser.Store: the permissions given to Add,
// as the user's own.
func (s *Users) Permissions(ctx context.Context, u *djangouser.User, src djangouser.PermSource) ([]string, error) {
	if src != djangouser.PermsUser && src != djangouser.PermsUserAndGroups {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := u.ID.(int64)
	return slices.Clone(s.perms[n]), nil
}

// GroupNames implements djangouser.Store.
func (s *Users) GroupNames(ctx context.Context, u *djangouser.User) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := u.ID.(int64)
	return slices.Clone(s.groups[n]), nil
}

var _ djangouser.Store = (*Users)(nil)
