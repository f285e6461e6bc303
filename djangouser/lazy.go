package djangouser

import (
	"context"
	"sync"

	"github.com/djangobridge/djangobridge/djangosession"
)

// LazyUser is request.user: the user behind a session, loaded on first
// Get. Creating one costs nothing; the first Get costs the session load (if
// not done yet) and one user query; later Gets cost nothing. Goroutines
// calling Get at once share one load. A load that fails (the database is
// down, the context ended) is not remembered: the next Get tries again.
type LazyUser struct {
	a    *Auth
	sess *djangosession.Session

	mu   sync.Mutex
	user *User
}

// Lazy returns the lazy request.user of sess.
func (a *Auth) Lazy(sess *djangosession.Session) *LazyUser {
	return &LazyUser{a: a, sess: sess}
}

// Get returns the user (GetUser on first call).
func (l *LazyUser) Get(ctx context.Context) (*User, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.user != nil {
		return l.user, nil
	}
	u, err := l.a.GetUser(ctx, l.sess)
	if err != nil {
		return nil, err
	}
	l.user = u
	return u, nil
}

// Set replaces the user, as Django's login and logout assign request.user:
// after Login pass the user, after Logout Anonymous().
func (l *LazyUser) Set(u *User) {
	if u == nil {
		u = Anonymous()
	}
	l.mu.Lock()
	l.user = u
	l.mu.Unlock()
}

// Loaded reports whether the user has been loaded (or Set).
func (l *LazyUser) Loaded() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.user != nil
}

// Session returns the session the user comes from.
func (l *LazyUser) Session() *djangosession.Session { return l.sess }
