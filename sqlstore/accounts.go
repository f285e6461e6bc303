package sqlstore

import (
	"database/sql"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

type accounts = sqlcore.Accounts

// Accounts manages users and groups over Django's tables through
// database/sql, writing the rows Django's ORM writes, so that Django's
// user.has_perm agrees with what Go set (and the reverse). Its methods,
// those of the SQL core shared with pgxstore:
//
//	CreateGroup, RenameGroup, DeleteGroup, Groups
//	AddMember, RemoveMember, Members
//	AddGroupPermission, RemoveGroupPermission, GroupPermissions ("app_label.codename")
//	AddUserPermission, RemoveUserPermission
//	Usernames, UserExists, SetActive, DeleteUser, UsernameTaken
//
// Errors: djangouser.ErrGroupNotFound, ErrGroupExists, ErrUserNotFound,
// ErrPermissionNotFound, ErrInvalidName, or the driver's, wrapped. Safe for
// concurrent use.
type Accounts struct {
	*accounts
	db *sql.DB
}

// NewAccounts returns the accounts store of db, which speaks d, for the
// UserModel of s. It does no I/O.
func NewAccounts(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Accounts, error) {
	return sqlcore.Open(handle(db, d), s, sqlcore.NewAccounts, func(c *accounts) *Accounts { return &Accounts{c, db} })
}
