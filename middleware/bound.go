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
	ctx, b := m.bound(ctx, op)
	return b.end(ctx, f(ctx))
}

// bounds undoes what bound set up around one store call.
type bounds struct {
	cancel      context.CancelFunc
	cancelCause context.CancelCauseFunc
	stop        func()
}

// bound returns ctx for one store call (see call); end must follow.
func (m *Middleware) bound(ctx context.Context, op string) (context.Context, bounds) {
	var b bounds
	if ctx == nil {
		ctx = context.Background()
	}
	var conn net.Conn
	if ctx.Done() != nil { // a context that cannot end (the save after the answer) is not watched
		if st := StateFromContext(ctx); st != nil && st.req.Conn != nil && ctx.Value(watchedKey{}) == nil {
			conn = st.req.Conn // not yet watched by an enclosing call
		}
	}
	if m.timeout > 0 {
		if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > m.timeout {
			// else an enclosing call (request.user around its session
			// load) or the caller bounds it already
			ctx, b.cancel = context.WithTimeoutCause(ctx, m.timeout, m.timeoutError(op))
		}
	}
	if conn != nil {
		ctx, b.cancelCause = context.WithCancelCause(ctx)
		ctx = context.WithValue(ctx, watchedKey{}, true)
		cancel := b.cancelCause
		b.stop = watchConn(conn, func() { cancel(ErrClientGone) })
	}
	return ctx, b
}

// end releases b and gives err the cause of ctx's end (a *TimeoutError,
// ErrClientGone) when the call failed because of it.
func (b bounds) end(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && cause != ctx.Err() && !errors.Is(err, cause) {
			err = fmt.Errorf("%w: %w", cause, err)
		}
	}
	if b.stop != nil {
		b.stop()
	}
	if b.cancelCause != nil {
		b.cancelCause(nil)
	}
	if b.cancel != nil {
		b.cancel()
	}
	return err
}

// timeoutError is the cause of op's timeout, made once per op.
func (m *Middleware) timeoutError(op string) error {
	if e, ok := m.timeoutErrs.Load(op); ok {
		return e.(*TimeoutError)
	}
	e, _ := m.timeoutErrs.LoadOrStore(op, &TimeoutError{Op: op, After: m.timeout})
	return e.(*TimeoutError)
}

type watchedKey struct{}

// boundStore is the session engine with each call through Middleware.call.
type boundStore struct {
	djangosession.Store
	m *Middleware
}

func (b boundStore) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	ctx, bd := b.m.bound(ctx, "load session")
	data, err := b.Store.Load(ctx, key)
	return data, bd.end(ctx, err)
}

func (b boundStore) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	ctx, bd := b.m.bound(ctx, "save session")
	key, err := b.Store.Save(ctx, r, mustCreate)
	return key, bd.end(ctx, err)
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
