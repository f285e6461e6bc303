package djangouser_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// fastHashers is a PASSWORD_HASHERS list that every tested release ships
// and that hashes in microseconds: the tests where the point is not the
// hasher use it (Django 5.2's PBKDF2 costs ~0.5 s a hash in Python).
var fastHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}

const testSecret = "djangouser-test-secret"

// env is one database shared by Go (sqlstore) and a real Django process.
type env struct {
	kind, release string
	db            djangotest.Database
	h             *sql.DB
	queries       *atomic.Int64 // statements run through h
	s             djangobridge.Settings
	sessions      *djangosession.Manager
	users         djangouser.Store
	auth          *djangouser.Auth
	pool          *pgxpool.Pool // set for kind "pgx": pgxstore over a pgx pool
}

// goSettings returns the Go Settings matching djangoConfig(release, ...).
func goSettings(t testing.TB, release string) djangobridge.Settings {
	t.Helper()
	s := djangobridge.Defaults()
	s.SecretKey = testSecret
	v, err := djangobridge.ParseVersion(release)
	if err != nil {
		t.Fatal(err)
	}
	s.DjangoVersion = v
	s.UseTZ = true
	s.TimeZone = "UTC"
	s.PasswordHashers = fastHashers
	return s
}

func djangoConfig(db djangotest.Database) djangotest.Config {
	return djangotest.Config{
		SecretKey:       testSecret,
		DatabaseURL:     db.URL,
		UseTZ:           true,
		PasswordHashers: fastHashers,
	}
}

// dialect returns the sqlstore dialect of a harness database kind.
func dialect(t testing.TB, kind string) sqlstore.Dialect {
	d, err := sqlstore.ParseDialect(kind)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// openCounting opens db with database/sql through a driver wrapper that
// counts the statements sent (queries and execs), so tests can assert how
// many queries a request costs.
func openCounting(t testing.TB, db djangotest.Database) (*sql.DB, *atomic.Int64) {
	t.Helper()
	n := new(atomic.Int64)
	var h *sql.DB
	if db.Kind == "postgres" {
		cfg, err := pgx.ParseConfig(db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Tracer = countTracer{n}
		h = stdlib.OpenDB(*cfg)
	} else {
		base := db.Open(t)
		drv := base.Driver()
		h = sql.OpenDB(countingConnector{dsn: db.DSN, drv: drv, n: n})
	}
	t.Cleanup(func() { h.Close() })
	return h, n
}

// newEnv makes the Go side over a fresh database of kind with the schema of
// release's migrate; mutate adjusts the Go settings.
//
// Kind "pgx" is a PostgreSQL database reached through pgxstore (a pgx
// pool); the other kinds go through sqlstore (database/sql).
func newEnv(t testing.TB, kind, release string, mutate func(*djangobridge.Settings)) *env {
	t.Helper()
	if kind == "pgx" {
		db := djangotest.NewDatabaseRelease(t, "postgres", release)
		s := goSettings(t, release)
		if mutate != nil {
			mutate(&s)
		}
		n := new(atomic.Int64)
		cfg, err := pgxpool.ParseConfig(db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		cfg.ConnConfig.Tracer = countTracer{n}
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		e := &env{kind: "pgx", release: release, db: db, queries: n, s: s, pool: pool}
		e.build(t)
		return e
	}
	db := djangotest.NewDatabaseRelease(t, kind, release)
	return newEnvOn(t, db, release, mutate)
}

func newEnvOn(t testing.TB, db djangotest.Database, release string, mutate func(*djangobridge.Settings)) *env {
	t.Helper()
	s := goSettings(t, release)
	if mutate != nil {
		mutate(&s)
	}
	h, n := openCounting(t, db)
	e := &env{kind: db.Kind, release: release, db: db, h: h, queries: n, s: s}
	e.build(t)
	return e
}

// build (re)makes the stores and Auth from e.s.
func (e *env) build(t testing.TB) {
	t.Helper()
	var sessions djangosession.Store
	var err error
	if e.pool != nil {
		if sessions, err = pgxstore.New(e.pool, &e.s); err != nil {
			t.Fatal(err)
		}
		if e.users, err = pgxstore.NewUsers(e.pool, &e.s); err != nil {
			t.Fatal(err)
		}
	} else {
		d := dialect(t, e.kind)
		if sessions, err = sqlstore.New(e.h, d, &e.s); err != nil {
			t.Fatal(err)
		}
		if e.users, err = sqlstore.NewUsers(e.h, d, &e.s); err != nil {
			t.Fatal(err)
		}
	}
	e.sessions, err = djangosession.NewManager(&e.s, sessions)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := hashers.New(&e.s)
	if err != nil {
		t.Fatal(err)
	}
	e.auth, err = djangouser.New(&e.s, e.users, pw)
	if err != nil {
		t.Fatal(err)
	}
}

// with returns a copy of e's Go side under other settings, same database.
func (e *env) with(t testing.TB, mutate func(*djangobridge.Settings)) *env {
	t.Helper()
	c := &env{kind: e.kind, release: e.release, db: e.db, h: e.h, queries: e.queries, s: e.s, pool: e.pool}
	c.s.SecretKeyFallbacks = append([]string(nil), e.s.SecretKeyFallbacks...)
	mutate(&c.s)
	c.build(t)
	return c
}

// createUser makes a user through the Go API.
func (e *env) createUser(t testing.TB, name, password string) *djangouser.User {
	t.Helper()
	u, err := e.auth.CreateUser(context.Background(), name, name+"@Example.COM", password)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	return u
}

// login authenticates and logs in through Go on a new session and saves it,
// as a login view would; it returns the session key.
func (e *env) login(t testing.TB, name, password string) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.auth.Authenticate(ctx, map[string]string{"username": name, "password": password})
	if err != nil {
		t.Fatalf("Authenticate(%q): %v", name, err)
	}
	sess := e.sessions.Open(ctx, "")
	if err := e.auth.Login(ctx, sess, u); err != nil {
		t.Fatalf("Login(%q): %v", name, err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	return sess.Key()
}

// whoami returns the Go GetUser answer for a session key, saving the
// session afterwards as the middleware would, and the key after.
func (e *env) whoami(t testing.TB, key string) (*djangouser.User, string) {
	t.Helper()
	ctx := context.Background()
	sess := e.sessions.Open(ctx, key)
	u, err := e.auth.GetUser(ctx, sess)
	if err != nil {
		t.Fatalf("GetUser(%s): %v", key, err)
	}
	if sess.Modified() && !sess.IsEmpty() {
		if err := sess.Save(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return u, sess.Key()
}

// djWho is the answer of the auth_whoami op.
type djWho struct {
	User struct {
		Authenticated bool    `json:"authenticated"`
		ID            string  `json:"id"`
		Username      string  `json:"username"`
		Password      string  `json:"password"`
		Backend       *string `json:"backend"`
	} `json:"user"`
	Key     *string        `json:"key"`
	Flushed bool           `json:"flushed"`
	Exists  bool           `json:"exists"`
	Data    map[string]any `json:"data"`
}

func djWhoami(t testing.TB, dj *djangotest.Django, key string) djWho {
	t.Helper()
	var w djWho
	dj.Do(t, "auth_whoami", map[string]any{"session_key": key}, &w)
	return w
}

// djLogin logs name in through django.contrib.auth.login and returns the key.
func djLogin(t testing.TB, dj *djangotest.Django, name string, extra map[string]any) string {
	t.Helper()
	args := map[string]any{"username": name}
	for k, v := range extra {
		args[k] = v
	}
	var out struct {
		Key *string `json:"key"`
	}
	dj.Do(t, "auth_login", args, &out)
	if out.Key == nil {
		t.Fatalf("Django %s refused to log %q in", dj.Release(), name)
	}
	return *out.Key
}

func djCreateUser(t testing.TB, dj *djangotest.Django, name, password string, extra map[string]any) string {
	t.Helper()
	args := map[string]any{"username": name, "email": name + "@example.com", "password": password}
	for k, v := range extra {
		args[k] = v
	}
	var out struct {
		ID string `json:"id"`
	}
	dj.Do(t, "auth_create_user", args, &out)
	return out.ID
}

// countTracer counts the statements pgx sends.
type countTracer struct{ n *atomic.Int64 }

func (c countTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}
func (c countTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// countingConnector wraps a database/sql driver and counts statements.
type countingConnector struct {
	dsn string
	drv driver.Driver
	n   *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, n: c.n}, nil
}
func (c countingConnector) Driver() driver.Driver { return c.drv }

type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	qc, ok := c.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := qc.QueryContext(ctx, q, args)
	if err != driver.ErrSkip { // go-sql-driver/mysql skips to prepare+query, counted there
		c.n.Add(1)
	}
	return rows, err
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	ec, ok := c.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := ec.ExecContext(ctx, q, args)
	if err != driver.ErrSkip {
		c.n.Add(1)
	}
	return res, err
}

func (c *countingConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if pc, ok := c.Conn.(driver.ConnPrepareContext); ok {
		st, err = pc.PrepareContext(ctx, q)
	} else {
		st, err = c.Conn.Prepare(q)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, n: c.n}, nil
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // fallback for old drivers
}

func (c *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if cv, ok := c.Conn.(driver.NamedValueChecker); ok {
		return cv.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type countingStmt struct {
	driver.Stmt
	n *atomic.Int64
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.n.Add(1)
	if ec, ok := s.Stmt.(driver.StmtExecContext); ok {
		return ec.ExecContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.n.Add(1)
	if qc, ok := s.Stmt.(driver.StmtQueryContext); ok {
		return qc.QueryContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func passwordsOf(t testing.TB, s *djangobridge.Settings) *hashers.Set {
	t.Helper()
	pw, err := hashers.New(s)
	if err != nil {
		t.Fatal(err)
	}
	return pw
}
