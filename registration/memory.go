package registration

import (
	"context"
	"strings"
	"sync"

	"github.com/djangobridge/djangobridge/djangouser"
)

// MemoryUsers is an in-memory Users for tests and demos: integer keys from
// 1, the username unique as the database's constraint makes it. iexact
// compares with Unicode simple case folding (PostgreSQL's UPPER() does the
// same for most text; SQLite's LIKE folds ASCII only). Safe for concurrent
// use; users are copied in and out.
type MemoryUsers struct {
	mu     sync.Mutex
	byName map[string]*djangouser.User
	nextID int64
}

// NewMemoryUsers returns an empty MemoryUsers.
func NewMemoryUsers() *MemoryUsers { return &MemoryUsers{byName: map[string]*djangouser.User{}} }

func clone(u *djangouser.User) *djangouser.User {
	return &djangouser.User{ID: u.ID, Password: u.Password, LastLogin: u.LastLogin, IsSuperuser: u.IsSuperuser,
		Username: u.Username, FirstName: u.FirstName, LastName: u.LastName, Email: u.Email, IsStaff: u.IsStaff,
		IsActive: u.IsActive, DateJoined: u.DateJoined, Backend: u.Backend}
}

// CreateUser implements Users.
func (m *MemoryUsers) CreateUser(_ context.Context, u *djangouser.User) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byName[u.Username]; ok {
		return djangouser.ErrUserExists
	}
	m.nextID++
	u.ID = m.nextID
	m.byName[u.Username] = clone(u)
	return nil
}

// UserByUsername implements Users.
func (m *MemoryUsers) UserByUsername(_ context.Context, username string) (*djangouser.User, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, ok := m.byName[username]
	if !ok {
		return nil, djangouser.ErrUserNotFound
	}
	return clone(u), nil
}

// SaveUser implements Users (every column is saved).
func (m *MemoryUsers) SaveUser(_ context.Context, u *djangouser.User, _ ...string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for name, old := range m.byName {
		if old.ID == u.ID {
			delete(m.byName, name)
			m.byName[u.Username] = clone(u)
			return nil
		}
	}
	return djangouser.ErrUserNotFound
}

// UsernameTaken implements Users.
func (m *MemoryUsers) UsernameTaken(_ context.Context, username string, iexact bool) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byName[username]; ok {
		return true, nil
	}
	if iexact {
		for name := range m.byName {
			if strings.EqualFold(name, username) {
				return true, nil
			}
		}
	}
	return false, nil
}

// Len returns the number of users.
func (m *MemoryUsers) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.byName)
}

// StoreUsers makes Users of a djangouser.Store (sqlstore.Users,
// pgxstore.Users) and the UsernameTaken of an accounts store
// (sqlstore.Accounts, pgxstore.Accounts) over the same database. From a
// *bridge.Bridge b (examples/register):
//
//	db, dialect := b.DB()
//	accounts, err := sqlstore.NewAccounts(db, dialect, b.Settings)
//	users := registration.StoreUsers{Store: b.Auth.Store(), Accounts: accounts}
type StoreUsers struct {
	djangouser.Store
	Accounts interface {
		UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error)
	}
}

// UsernameTaken implements Users.
func (s StoreUsers) UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error) {
	return s.Accounts.UsernameTaken(ctx, username, iexact)
}
