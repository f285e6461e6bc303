package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
)

var errDown = errors.New("test: database is down")

// countingStore is an in-memory session engine that counts its calls and
// can be switched to fail like a database that went away.
type countingStore struct {
	mem                   *djangosession.MemoryStore
	loads, saves, deletes atomic.Int64
	fail                  atomic.Bool
}

func newCountingStore() *countingStore { return &countingStore{mem: djangosession.NewMemoryStore()} }

func (c *countingStore) calls() int64 { return c.loads.Load() + c.saves.Load() + c.deletes.Load() }

func (c *countingStore) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	c.loads.Add(1)
	if c.fail.Load() {
		return nil, errDown
	}
	return c.mem.Load(ctx, key)
}

func (c *countingStore) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	c.saves.Add(1)
	if c.fail.Load() {
		return "", errDown
	}
	return c.mem.Save(ctx, r, mustCreate)
}

func (c *countingStore) Delete(ctx context.Context, key string) error {
	c.deletes.Add(1)
	if c.fail.Load() {
		return errDown
	}
	return c.mem.Delete(ctx, key)
}

func (c *countingStore) Exists(ctx context.Context, key string) (bool, error) {
	return c.mem.Exists(ctx, key)
}

func (c *countingStore) ClearExpired(ctx context.Context) (int64, error) {
	return c.mem.ClearExpired(ctx)
}

// userStore is an in-memory djangouser.Store that counts user queries.
type userStore struct {
	mu      sync.Mutex
	users   map[int64]*djangouser.User
	perms   map[int64][]string
	queries atomic.Int64
	fail    atomic.Bool
}

func newUserStore() *userStore {
	return &userStore{users: map[int64]*djangouser.User{}, perms: map[int64][]string{}}
}

// row copies the exported fields of u (a User holds a lock and caches).
func row(u *djangouser.User) *djangouser.User {
	return &djangouser.User{
		ID: u.ID, Password: u.Password, LastLogin: u.LastLogin, IsSuperuser: u.IsSuperuser,
		Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email,
		IsStaff: u.IsStaff, IsActive: u.IsActive, DateJoined: u.DateJoined, Backend: u.Backend,
	}
}

// add stores u with the given permissions and returns a copy with its ID.
func (s *userStore) add(u *djangouser.User, perms ...string) *djangouser.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := int64(len(s.users) + 1)
	u.ID = id
	s.users[id] = row(u)
	s.perms[id] = perms
	return row(u)
}

func (s *userStore) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	s.queries.Add(1)
	if s.fail.Load() {
		return nil, errDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := id.(int64)
	u, ok := s.users[n]
	if !ok {
		return nil, djangouser.ErrUserNotFound
	}
	return row(u), nil
}

func (s *userStore) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	s.queries.Add(1)
	if s.fail.Load() {
		return nil, errDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Username == username {
			return row(u), nil
		}
	}
	return nil, djangouser.ErrUserNotFound
}

func (s *userStore) SaveUser(ctx context.Context, u *djangouser.User, columns ...string) error {
	if s.fail.Load() {
		return errDown
	}
	return nil
}

func (s *userStore) CreateUser(ctx context.Context, u *djangouser.User) error {
	return errors.New("not supported")
}

func (s *userStore) Permissions(ctx context.Context, u *djangouser.User, src djangouser.PermSource) ([]string, error) {
	s.queries.Add(1)
	if s.fail.Load() {
		return nil, errDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if src != djangouser.PermsUser && src != djangouser.PermsUserAndGroups {
		return nil, nil
	}
	n, _ := u.ID.(int64)
	return s.perms[n], nil
}

func (s *userStore) GroupNames(ctx context.Context, u *djangouser.User) ([]string, error) {
	return nil, nil
}

// site is one test application: settings, stores, middleware.
type site struct {
	settings djangobridge.Settings
	store    *countingStore
	users    *userStore
	mgr      *djangosession.Manager
	auth     *djangouser.Auth
	mw       *middleware.Middleware
}

func newSite(t testing.TB, configure func(*djangobridge.Settings), opts *middleware.Options) *site {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	if configure != nil {
		configure(&s)
	}
	st := &site{settings: s, store: newCountingStore(), users: newUserStore()}
	var err error
	st.mgr, err = djangosession.NewManager(&st.settings, st.store)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := hashers.New(&st.settings)
	if err != nil {
		t.Fatal(err)
	}
	st.auth, err = djangouser.New(&st.settings, st.users, pw)
	if err != nil {
		t.Fatal(err)
	}
	o := middleware.Options{}
	if opts != nil {
		o = *opts
	}
	o.Sessions, o.Auth = st.mgr, st.auth
	st.mw, err = middleware.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// session stores data as a Django session and returns its key.
func (st *site) session(t testing.TB, items ...djangosession.Item) string {
	t.Helper()
	sess := st.mgr.Open(context.Background(), "")
	for _, it := range items {
		if err := sess.Set(it.Key, it.Value); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sess.Key()
}

// loginSession returns a session key logged in as u (through Auth.Login).
func (st *site) loginSession(t testing.TB, u *djangouser.User) string {
	t.Helper()
	sess := st.mgr.Open(context.Background(), "")
	if err := st.auth.Login(context.Background(), sess, u); err != nil {
		t.Fatal(err)
	}
	if err := sess.Save(context.Background()); err != nil {
		t.Fatal(err)
	}
	return sess.Key()
}

// do runs one request through the middleware around h.
func (st *site) do(h http.HandlerFunc, method, target string, cookies map[string]string, body string) *httptest.ResponseRecorder {
	var req *http.Request
	if body != "" {
		req = httptest.NewRequest(method, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	st.mw.Handler(h).ServeHTTP(rec, req)
	return rec
}

// parseSetCookie splits a Set-Cookie value into its name=value and its
// attributes (keys lower-cased, flags mapped to "").
func parseSetCookie(v string) (nameValue string, attrs map[string]string) {
	parts := strings.Split(v, "; ")
	attrs = map[string]string{}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(p, "=")
		attrs[strings.ToLower(k)] = val
	}
	return parts[0], attrs
}

func cookieNamed(rec *httptest.ResponseRecorder, name string) (string, bool) {
	for _, v := range rec.Result().Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, name+"=") {
			return v, true
		}
	}
	return "", false
}

func newUser(name string) *djangouser.User {
	return &djangouser.User{Username: name, Password: "md5$x$y", IsActive: true}
}

func httpRequest(method, target string, cookies map[string]string) *http.Request {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return req
}

func serve(st *site, req *http.Request, h http.HandlerFunc) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	st.mw.Handler(h).ServeHTTP(rec, req)
	return rec
}

func ok200(w http.ResponseWriter, r *http.Request) { w.WriteHeader(200) }
