package djangouser

import (
	"context"

	"github.com/djangobridge/djangobridge/hashers"
)

// PermSource selects the permissions Store.Permissions returns, the
// querysets ModelBackend reads.
type PermSource int

const (
	// PermsUser: the user's own permissions (auth_user_user_permissions).
	PermsUser PermSource = iota
	// PermsGroups: the permissions of the user's groups
	// (auth_user_groups → auth_group_permissions).
	PermsGroups
	// PermsUserAndGroups: both, in one query.
	PermsUserAndGroups
	// PermsAll: every auth_permission row (an active superuser's).
	PermsAll
)

// Store is what a database gives djangouser: the user table described by
// Settings.UserModel, and auth_group, auth_permission and
// django_content_type. The sqlstore (database/sql: SQLite, MySQL/MariaDB,
// PostgreSQL) and pgxstore (pgx/v5) packages implement it over the same
// handle as their session engine. Implementations must be safe for
// concurrent use.
type Store interface {
	// UserByID returns the user whose primary key is id (an int64 for
	// int/bigint keys, a canonical UUID or text string otherwise), or
	// ErrUserNotFound. One query.
	UserByID(ctx context.Context, id any) (*User, error)
	// UserByUsername returns the user whose USERNAME_FIELD equals username
	// (exactly, in the database's collation, as get_by_natural_key), or
	// ErrUserNotFound. One query.
	UserByUsername(ctx context.Context, username string) (*User, error)
	// SaveUser updates the row of u: the named columns (save(update_fields=…)),
	// or every column but the primary key when none are named (extra
	// columns only when u.Extra has them). A vanished
	// row is ErrUserNotFound; a unique violation is ErrUserExists.
	SaveUser(ctx context.Context, u *User, columns ...string) error
	// CreateUser inserts u. With a nil ID the database assigns it (int and
	// bigint keys) and CreateUser sets u.ID; uuid and text keys must be
	// set. Extra columns missing from u.Extra are left to the database's
	// defaults. A taken username or key is ErrUserExists.
	CreateUser(ctx context.Context, u *User) error
	// Permissions returns the permissions of u from src as
	// "app_label.codename" strings (any order, no duplicates needed).
	Permissions(ctx context.Context, u *User, src PermSource) ([]string, error)
	// GroupNames returns the names of u's groups (auth_group.name).
	GroupNames(ctx context.Context, u *User) ([]string, error)
}

// Passwords is what djangouser needs of a password hasher list: a
// *hashers.Set (hashers.New(settings)) is one.
type Passwords interface {
	// Check is Django's check_password/verify_password: whether password
	// matches encoded, and whether encoded should be re-hashed with the
	// preferred hasher (must_update, or another algorithm).
	Check(ctx context.Context, password, encoded string) (ok, mustUpdate bool, err error)
	// Make is make_password with the preferred hasher.
	Make(ctx context.Context, password string) (string, error)
	// RunDummy runs the preferred hasher once, for the timing of an
	// unknown user (ModelBackend's UserModel().set_password(password)).
	RunDummy(ctx context.Context) error
}

var _ Passwords = (*hashers.Set)(nil)
