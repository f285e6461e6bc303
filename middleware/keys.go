package middleware

import (
	"context"

	"github.com/djangobridge/djangobridge/djangouser"
)

// Keys under which every adapter puts the request's pieces in its
// framework's own context store (echo c.Get, fiber c.Locals, gin c.Get),
// beside the typed accessors (echomw.User(c), ...).
const (
	// KeyState holds the request's *State.
	KeyState = "djangobridge.state"
	// KeySession holds request.session, a *djangosession.Session (lazy: no
	// I/O until its data is used).
	KeySession = "djangobridge.session"
	// KeyUser holds request.user as a LazyUser: its Get loads the user on
	// first call (one session read and one user read).
	KeyUser = "djangobridge.user"
)

// LazyUser is request.user before it is loaded; the zero value (no
// middleware) returns ErrNoState.
type LazyUser struct{ st *State }

// LazyUser returns the request's lazy request.user.
func (s *State) LazyUser() LazyUser { return LazyUser{s} }

// Get returns request.user, as State.User.
func (l LazyUser) Get(ctx context.Context) (*djangouser.User, error) {
	if l.st == nil {
		return nil, ErrNoState
	}
	return l.st.User(ctx)
}

// NoState logs the programming error of helper (an adapter's accessor or
// decorator) reached by a request that did not pass through the
// middleware, with the fix, and returns ErrNoState (500).
func NoState(ctx context.Context, helper, path string) error {
	logNoState(ctx, helper, path)
	return ErrNoState
}
