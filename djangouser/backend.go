package djangouser

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/djangobridge/djangobridge"
)

// Backend is an entry of AUTHENTICATION_BACKENDS.
type Backend interface {
	// Path is the dotted path Django knows the backend by, stored in the
	// session as _auth_user_backend; get_user accepts a session only if
	// this path is configured.
	Path() string
	// Authenticate returns the user the credentials identify. nil, nil
	// means "not mine, ask the next backend"; ErrPermissionDenied stops
	// the chain (no further backend is asked).
	Authenticate(ctx context.Context, credentials map[string]string) (*User, error)
	// GetUser returns the user whose primary key is id, the session's
	// _auth_user_id as text; nil, nil means none (anonymous).
	GetUser(ctx context.Context, id string) (*User, error)
}

// PermissionBackend is a Backend that also grants permissions, as
// ModelBackend does. A backend without it grants none.
type PermissionBackend interface {
	Backend
	// AllPermissions returns u's permissions ("app_label.codename") from
	// this backend (get_all_permissions). u is an authenticated user.
	AllPermissions(ctx context.Context, u *User) ([]string, error)
}

// Dotted paths of the backends djangouser implements.
const (
	ModelBackendPath              = djangobridge.DefaultModelBackend
	AllowAllUsersModelBackendPath = "django.contrib.auth.backends.AllowAllUsersModelBackend"
)

// ModelBackend is django.contrib.auth.backends.ModelBackend: users from the
// user table, passwords checked (and upgraded) with the configured hashers,
// permissions from auth_permission. With AllowInactive it is
// AllowAllUsersModelBackend, which lets inactive users in.
type ModelBackend struct {
	users         Store
	pw            Passwords
	model         djangobridge.UserModel
	path          string
	allowInactive bool
	log           *slog.Logger
}

// NewModelBackend returns Django's ModelBackend over users and pw, for the
// UserModel of s.
func NewModelBackend(s *djangobridge.Settings, users Store, pw Passwords) (*ModelBackend, error) {
	return newModelBackend(s, users, pw, false)
}

// NewAllowAllUsersModelBackend returns Django's AllowAllUsersModelBackend:
// ModelBackend without the is_active check.
func NewAllowAllUsersModelBackend(s *djangobridge.Settings, users Store, pw Passwords) (*ModelBackend, error) {
	return newModelBackend(s, users, pw, true)
}

func newModelBackend(s *djangobridge.Settings, users Store, pw Passwords, allowInactive bool) (*ModelBackend, error) {
	if s == nil || users == nil || pw == nil {
		return nil, fmt.Errorf("%w: ModelBackend needs Settings, a Store and Passwords", ErrConfig)
	}
	if _, err := s.Release(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m, err := ModelOf(s)
	if err != nil {
		return nil, err
	}
	b := &ModelBackend{users: users, pw: pw, model: m, path: ModelBackendPath, allowInactive: allowInactive, log: s.Logger}
	if b.log == nil {
		b.log = slog.Default()
	}
	if allowInactive {
		b.path = AllowAllUsersModelBackendPath
	}
	return b, nil
}

// Path implements Backend.
func (b *ModelBackend) Path() string { return b.path }

// canAuthenticate is user_can_authenticate: is_active, or true when the
// model has no is_active column.
func (b *ModelBackend) canAuthenticate(u *User) bool {
	return b.allowInactive || u.IsActive || contains(b.model.OmitColumns, ColIsActive)
}

// Authenticate implements Backend as ModelBackend.authenticate: the user is
// looked up by USERNAME_FIELD (credential "username", or the
// USERNAME_FIELD's name); an unknown user still costs one run of the
// preferred hasher, so that timing does not tell which usernames exist; the
// password is checked, and upgraded when Django would (see CheckPassword);
// inactive users are refused.
func (b *ModelBackend) Authenticate(ctx context.Context, credentials map[string]string) (*User, error) {
	username, ok := credentials["username"]
	if !ok {
		username, ok = credentials[b.model.UsernameField]
	}
	password, pok := credentials["password"]
	if !ok || !pok {
		return nil, nil
	}
	u, err := b.users.UserByUsername(ctx, username)
	if errors.Is(err, ErrUserNotFound) {
		if err := b.pw.RunDummy(ctx); err != nil && ctx.Err() != nil {
			return nil, err
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ok, err = checkPassword(ctx, b.log, b.users, b.pw, u, password)
	if err != nil {
		return nil, err
	}
	if ok && b.canAuthenticate(u) {
		u.Backend = b.path
		return u, nil
	}
	return nil, nil
}

// GetUser implements Backend as ModelBackend.get_user: the user with that
// primary key, or nil when there is none or it may not authenticate
// (inactive). An id that is not a valid key of the model's type is no user.
func (b *ModelBackend) GetUser(ctx context.Context, id string) (*User, error) {
	pk, err := ParsePK(b.model.PKType, id)
	if err != nil {
		return nil, nil
	}
	u, err := b.users.UserByID(ctx, pk)
	if errors.Is(err, ErrUserNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !b.canAuthenticate(u) {
		return nil, nil
	}
	u.Backend = b.path
	return u, nil
}

// AllPermissions implements PermissionBackend as ModelBackend's
// get_all_permissions: none for an inactive user; every auth_permission
// row for a superuser; else the user's own permissions and those of the
// user's groups. For a model without PermissionsMixin
// (HasPermissionsMixin false) it answers as ModelBackend does for such a
// user: none when inactive; every permission for a model that has its own
// is_superuser column set; else ErrNoPermissionsMixin, where Django raises
// AttributeError (no is_superuser, no user_permissions).
func (b *ModelBackend) AllPermissions(ctx context.Context, u *User) ([]string, error) {
	if u.IsAnonymous() || !(u.IsActive || contains(b.model.OmitColumns, ColIsActive)) {
		return nil, nil
	}
	src := PermsUserAndGroups
	if u.IsSuperuser {
		src = PermsAll
	} else if !HasPermissionsMixin(b.model) {
		return nil, ErrNoPermissionsMixin
	}
	return b.users.Permissions(ctx, u, src)
}
