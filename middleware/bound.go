package middleware

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/djangobridge/djangobridge/djangosession"
)

// DefaultStoreTimeout bounds each session or user store call when
// Options.StoreTimeout is zero.
const DefaultStoreTimeout = 10 * time.Second

var (
	// ErrStoreTimeout is wrapped (with ErrStore) by the error of a store
	// call that took longer than Options.StoreTimeout; see TimeoutError.
	ErrStoreTimeout = errors.New("middleware: a session or user store call took longer than Options.StoreTimeout")
	// ErrClientGone is the cause of a store call's context cancelled
	// because the client closed its connection (adapters whose framework
	// does not cancel the request's context itself, as fasthttp).
	ErrClientGone = errors.New("middleware: the client went away")
)

// TimeoutError is a store call past Options.StoreTimeout: Op names the
// call ("load session", "save session", "request.user" (its session and
// user rows), "permissions", ...), After the bound.
// errors.Is(err, ErrStoreTimeout) and errors.Is(err, context.DeadlineExceeded)
// hold; the error handler answers 503 with Reason(err), which names the
// bound.
type TimeoutError struct {
	Op    string
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("middleware: %s took longer than %s (Options.StoreTimeout)", e.Op, e.After)
}

// Is makes errors.Is(err, ErrStoreTimeout) and context.DeadlineExceeded true.
func (e *TimeoutError) Is(target error) bool {
	return target == ErrStoreTimeout || target == context.DeadlineExceeded
}

// storeTimeout is Options.StoreTimeout with its default; 0: no bound.
func storeTimeout(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultStoreTimeout
	case d < 0:
		return 0
	}
	return d
}

// call runs one store call with ctx bounded by the store timeout and, when
// the request came with a connection to watch (Request.Conn: fasthttp),
// cancelled when the client goes away. A timeout's error is a
// *TimeoutError wrapping the store's.
func (m *Middleware) call(ctx context.Context, op string, f func(context.Context) error) error {
	if ctx == nil {
		ctx = context.Background()
	}
	var conn net.Conn
	if ctx.Done() != nil { // a context that cannot end (the save after the answer) is not watched
		if st := StateFromContext(ctx); st != nil && ctx.Value(watchedKey{}) == nil {
			conn = st.req.Conn // not yet watched by an enclosing call
		}
	}
	bound := m.timeout > 0
	if dl, ok := ctx.Deadline(); ok && bound && time.Until(dl) <= m.timeout {
		bound = false // an enclosing call (request.user around its session load) or the caller bounds it
	}
	if !bound && conn == nil {
		return f(ctx)
	}
	if bound {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, m.timeout, &TimeoutError{Op: op, After: m.timeout})
		defer cancel()
	}
	if conn != nil {
		var cancel context.CancelCauseFunc
		ctx, cancel = context.WithCancelCause(ctx)
		defer cancel(nil)
		ctx = context.WithValue(ctx, watchedKey{}, true)
		stop := watchConn(conn, func() { cancel(ErrClientGone) })
		defer stop()
	}
	err := f(ctx)
	if err != nil && ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() && !errors.Is(err, cause) {
			err = fmt.Errorf("%w: %w", cause, err)
		}
	}
	return err
}

type watchedKey struct{}

// boundStore is the session engine with each call through Middleware.call.
type boundStore struct {
	djangosession.Store
	m *Middleware
}

func (b boundStore) Load(ctx context.Context, key string) (data *djangosession.Map, err error) {
	err = b.m.call(ctx, "load session", func(ctx context.Context) error {
		data, err = b.Store.Load(ctx, key)
		return err
	})
	return data, err
}

func (b boundStore) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (key string, err error) {
	err = b.m.call(ctx, "save session", func(ctx context.Context) error {
		key, err = b.Store.Save(ctx, r, mustCreate)
		return err
	})
	return key, err
}

func (b boundStore) Delete(ctx context.Context, key string) error {
	return b.m.call(ctx, "delete session", func(ctx context.Context) error { return b.Store.Delete(ctx, key) })
}

func (b boundStore) Exists(ctx context.Context, key string) (ok bool, err error) {
	err = b.m.call(ctx, "session exists", func(ctx context.Context) error {
		ok, err = b.Store.Exists(ctx, key)
		return err
	})
	return ok, err
}

// boundSessions returns a Manager like mgr whose store calls are bounded,
// or mgr itself when nothing needs bounding (signed cookies do no I/O).
func (m *Middleware) boundSessions(mgr *djangosession.Manager) (*djangosession.Manager, error) {
	store := mgr.Store()
	if _, ok := store.(*djangosession.SignedCookieStore); ok {
		return mgr, nil
	}
	return djangosession.NewManager(mgr.Settings(), boundStore{Store: store, m: m})
}
