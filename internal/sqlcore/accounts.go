package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// Accounts is the query set that manages users and groups over Django's
// tables as the ORM writes them: auth_group, auth_group_permissions, the
// user model's groups and user_permissions tables (Settings.UserModel),
// and the user table itself (list, exists, activate, delete). Every write
// is one statement, or one transaction where the ORM cascades (deleting a
// group or a user removes their many-to-many rows first, as Django's
// Collector does). Safe for concurrent use.
type Accounts struct {
	h     Handle
	users *Users // its key conversions
	model djangobridge.UserModel
	// mixin: the model has PermissionsMixin, hence its groups and
	// user_permissions tables (djangouser.HasPermissionsMixin).
	mixin bool
	q     accountQueries
}

type accountQueries struct {
	groupID, createGroup, renameGroup, deleteGroup, listGroups            string
	delGroupMembers, delGroupPerms                                        string
	userPK, listUsers, setActive, deleteUser, delUserGroups, delUserPerms string
	addMember, removeMember, members                                      string
	permID, addGroupPerm, removeGroupPerm, groupPerms                     string
	addUserPerm, removeUserPerm                                           string
}

// NewAccounts returns the accounts query set of h for the UserModel of s.
// It does no I/O.
func NewAccounts(h Handle, s *djangobridge.Settings) (*Accounts, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	m, err := djangouser.ModelOf(s)
	if err != nil {
		return nil, err
	}
	if _, err := h.location(s); err != nil {
		return nil, err
	}
	d := h.Dialect
	q := d.Quote
	r := d.Rebind
	users, err := NewUsers(h, s)
	if err != nil {
		return nil, err
	}
	a := &Accounts{h: h, users: users, model: m, mixin: djangouser.HasPermissionsMixin(m)}
	g, ug, gp, up := q("auth_group"), q(m.GroupsTable), q("auth_group_permissions"), q(m.UserPermissionsTable)
	uc := q(m.M2MColumn)
	a.q = accountQueries{
		groupID:         r("SELECT " + q("id") + " FROM " + g + " WHERE " + q("name") + " = ?"),
		createGroup:     r("INSERT INTO " + g + " (" + q("name") + ") VALUES (?)"),
		renameGroup:     r("UPDATE " + g + " SET " + q("name") + " = ? WHERE " + q("name") + " = ?"),
		deleteGroup:     r("DELETE FROM " + g + " WHERE " + q("id") + " = ?"),
		listGroups:      "SELECT " + q("name") + " FROM " + g + " ORDER BY " + q("name"),
		delGroupMembers: r("DELETE FROM " + ug + " WHERE " + q("group_id") + " = ?"),
		delGroupPerms:   r("DELETE FROM " + gp + " WHERE " + q("group_id") + " = ?"),
		userPK:          r("SELECT " + q(m.PKColumn) + " FROM " + q(m.Table) + " WHERE " + q(m.UsernameField) + " = ?"),
		listUsers:       "SELECT " + q(m.UsernameField) + " FROM " + q(m.Table) + " ORDER BY " + q(m.UsernameField),
		setActive:       r("UPDATE " + q(m.Table) + " SET " + q(djangouser.ColIsActive) + " = ? WHERE " + q(m.UsernameField) + " = ?"),
		deleteUser:      r("DELETE FROM " + q(m.Table) + " WHERE " + q(m.PKColumn) + " = ?"),
		delUserGroups:   r("DELETE FROM " + ug + " WHERE " + uc + " = ?"),
		delUserPerms:    r("DELETE FROM " + up + " WHERE " + uc + " = ?"),
		addMember:       r("INSERT INTO " + ug + " (" + uc + ", " + q("group_id") + ") VALUES (?, ?)"),
		removeMember:    r("DELETE FROM " + ug + " WHERE " + uc + " = ? AND " + q("group_id") + " = ?"),
		members: r("SELECT u." + q(m.UsernameField) + " FROM " + q(m.Table) + " u INNER JOIN " + ug + " ug ON ug." + uc +
			" = u." + q(m.PKColumn) + " WHERE ug." + q("group_id") + " = ? ORDER BY u." + q(m.UsernameField)),
		permID: r("SELECT p." + q("id") + " FROM " + q("auth_permission") + " p INNER JOIN " + q("django_content_type") +
			" ct ON p." + q("content_type_id") + " = ct." + q("id") + " WHERE ct." + q("app_label") + " = ? AND p." + q("codename") + " = ?"),
		addGroupPerm:    r("INSERT INTO " + gp + " (" + q("group_id") + ", " + q("permission_id") + ") VALUES (?, ?)"),
		removeGroupPerm: r("DELETE FROM " + gp + " WHERE " + q("group_id") + " = ? AND " + q("permission_id") + " = ?"),
		groupPerms: r("SELECT ct." + q("app_label") + ", p." + q("codename") + " FROM " + q("auth_permission") + " p INNER JOIN " +
			q("django_content_type") + " ct ON p." + q("content_type_id") + " = ct." + q("id") + " INNER JOIN " + gp +
			" gp ON gp." + q("permission_id") + " = p." + q("id") + " WHERE gp." + q("group_id") + " = ? ORDER BY ct." +
			q("app_label") + ", p." + q("codename")),
		addUserPerm:    r("INSERT INTO " + up + " (" + uc + ", " + q("permission_id") + ") VALUES (?, ?)"),
		removeUserPerm: r("DELETE FROM " + up + " WHERE " + uc + " = ? AND " + q("permission_id") + " = ?"),
	}
	return a, nil
}

// maxGroupName is auth_group.name's max_length (150, 3.2–6.1).
const maxGroupName = 150

func (a *Accounts) checkGroupName(name string) error {
	if name == "" || len([]rune(name)) > maxGroupName {
		return fmt.Errorf("%w: group name of %d characters (Django's auth_group.name takes 1 to %d)", djangouser.ErrInvalidName, len([]rune(name)), maxGroupName)
	}
	return nil
}

func (a *Accounts) groupID(ctx context.Context, q Querier, name string) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, a.q.groupID, name).Scan(&id); err != nil {
		if a.h.noRows(err) {
			return 0, fmt.Errorf("%w: %q", djangouser.ErrGroupNotFound, name)
		}
		return 0, a.h.errorf("group %q: %w", name, err)
	}
	return id, nil
}

func (a *Accounts) userPK(ctx context.Context, q Querier, username string) (any, error) {
	var pk any
	if err := q.QueryRow(ctx, a.q.userPK, username).Scan(&pk); err != nil {
		if a.h.noRows(err) {
			return nil, fmt.Errorf("%w: %q", djangouser.ErrUserNotFound, username)
		}
		return nil, a.h.errorf("user %q: %w", username, err)
	}
	id, err := a.users.pkValue(pk)
	if err != nil {
		return nil, a.h.errorf("user %q: %w", username, err)
	}
	return a.users.pkArg(id)
}

func (a *Accounts) permID(ctx context.Context, perm string) (int64, error) {
	app, code, ok := strings.Cut(perm, ".")
	if !ok || app == "" || code == "" {
		return 0, fmt.Errorf("%w: %q is not \"app_label.codename\"", djangouser.ErrPermissionNotFound, perm)
	}
	var id int64
	if err := a.h.DB.QueryRow(ctx, a.q.permID, app, code).Scan(&id); err != nil {
		if a.h.noRows(err) {
			return 0, fmt.Errorf("%w: %q", djangouser.ErrPermissionNotFound, perm)
		}
		return 0, a.h.errorf("permission %q: %w", perm, err)
	}
	return id, nil
}

// CreateGroup is Group.objects.create(name=name); a taken name is
// djangouser.ErrGroupExists.
func (a *Accounts) CreateGroup(ctx context.Context, name string) error {
	if err := a.checkGroupName(name); err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.createGroup, name); err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("%w: %q", djangouser.ErrGroupExists, name)
		}
		return a.h.errorf("create group %q: %w", name, err)
	}
	return nil
}

// RenameGroup renames group from to to: ErrGroupNotFound, ErrGroupExists.
func (a *Accounts) RenameGroup(ctx context.Context, from, to string) error {
	if err := a.checkGroupName(to); err != nil {
		return err
	}
	res, err := a.h.DB.Exec(ctx, a.q.renameGroup, to, from)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("%w: %q", djangouser.ErrGroupExists, to)
		}
		return a.h.errorf("rename group %q: %w", from, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		if from == to {
			_, err := a.groupID(ctx, a.h.DB, from) // MySQL counts changed rows only
			return err
		}
		return fmt.Errorf("%w: %q", djangouser.ErrGroupNotFound, from)
	}
	return nil
}

// DeleteGroup is group.delete(): its memberships and permissions, then
// the group, in one transaction. ErrGroupNotFound when there is none.
func (a *Accounts) DeleteGroup(ctx context.Context, name string) error {
	return a.h.DB.InTx(ctx, func(q Querier) error {
		id, err := a.groupID(ctx, q, name)
		if err != nil {
			return err
		}
		stmts := []string{a.q.delGroupMembers, a.q.delGroupPerms, a.q.deleteGroup}
		if !a.mixin {
			stmts = stmts[1:] // the user model has no groups table
		}
		for _, stmt := range stmts {
			if _, err := q.Exec(ctx, stmt, id); err != nil {
				return a.h.errorf("delete group %q: %w", name, err)
			}
		}
		return nil
	})
}

// Groups lists every group name, sorted.
func (a *Accounts) Groups(ctx context.Context) ([]string, error) {
	var name string
	return collect(ctx, a.h, "list groups", a.q.listGroups, nil, []any{a.h.Text(&name)}, func() string { return name })
}

// AddMember is user.groups.add(group): adding a member twice is not an
// error. ErrGroupNotFound, ErrUserNotFound; djangouser.ErrNoPermissionsMixin
// for a user model without PermissionsMixin (no groups), as here and in
// RemoveMember, Members, AddUserPermission and RemoveUserPermission.
func (a *Accounts) AddMember(ctx context.Context, group, username string) error {
	if !a.mixin {
		return djangouser.ErrNoPermissionsMixin // Django: AttributeError, the model has no groups / user_permissions
	}
	gid, pk, err := a.groupAndUser(ctx, group, username)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.addMember, pk, gid); err != nil && !IsUniqueViolation(err) {
		return a.h.errorf("add %q to group %q: %w", username, group, err)
	}
	return nil
}

// RemoveMember is user.groups.remove(group); not a member is not an error.
func (a *Accounts) RemoveMember(ctx context.Context, group, username string) error {
	if !a.mixin {
		return djangouser.ErrNoPermissionsMixin // Django: AttributeError, the model has no groups / user_permissions
	}
	gid, pk, err := a.groupAndUser(ctx, group, username)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.removeMember, pk, gid); err != nil {
		return a.h.errorf("remove %q from group %q: %w", username, group, err)
	}
	return nil
}

func (a *Accounts) groupAndUser(ctx context.Context, group, username string) (int64, any, error) {
	gid, err := a.groupID(ctx, a.h.DB, group)
	if err != nil {
		return 0, nil, err
	}
	pk, err := a.userPK(ctx, a.h.DB, username)
	return gid, pk, err
}

// Members lists the usernames of group's members, sorted.
func (a *Accounts) Members(ctx context.Context, group string) ([]string, error) {
	if !a.mixin {
		return nil, djangouser.ErrNoPermissionsMixin // Django: AttributeError, the model has no groups / user_permissions
	}
	gid, err := a.groupID(ctx, a.h.DB, group)
	if err != nil {
		return nil, err
	}
	var name string
	return collect(ctx, a.h, "group members", a.q.members, []any{gid}, []any{a.h.Text(&name)}, func() string { return name })
}

// AddGroupPermission is group.permissions.add(perm) for perm
// "app_label.codename": ErrGroupNotFound, ErrPermissionNotFound; adding it
// twice is not an error.
func (a *Accounts) AddGroupPermission(ctx context.Context, group, perm string) error {
	gid, err := a.groupID(ctx, a.h.DB, group)
	if err != nil {
		return err
	}
	pid, err := a.permID(ctx, perm)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.addGroupPerm, gid, pid); err != nil && !IsUniqueViolation(err) {
		return a.h.errorf("add %q to group %q: %w", perm, group, err)
	}
	return nil
}

// RemoveGroupPermission is group.permissions.remove(perm).
func (a *Accounts) RemoveGroupPermission(ctx context.Context, group, perm string) error {
	gid, err := a.groupID(ctx, a.h.DB, group)
	if err != nil {
		return err
	}
	pid, err := a.permID(ctx, perm)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.removeGroupPerm, gid, pid); err != nil {
		return a.h.errorf("remove %q from group %q: %w", perm, group, err)
	}
	return nil
}

// GroupPermissions lists group's permissions as "app_label.codename", sorted.
func (a *Accounts) GroupPermissions(ctx context.Context, group string) ([]string, error) {
	gid, err := a.groupID(ctx, a.h.DB, group)
	if err != nil {
		return nil, err
	}
	var app, code string
	return collect(ctx, a.h, "group permissions", a.q.groupPerms, []any{gid}, []any{a.h.Text(&app), a.h.Text(&code)},
		func() string { return app + "." + code })
}

// AddUserPermission is user.user_permissions.add(perm).
func (a *Accounts) AddUserPermission(ctx context.Context, username, perm string) error {
	if !a.mixin {
		return djangouser.ErrNoPermissionsMixin // Django: AttributeError, the model has no groups / user_permissions
	}
	pk, err := a.userPK(ctx, a.h.DB, username)
	if err != nil {
		return err
	}
	pid, err := a.permID(ctx, perm)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.addUserPerm, pk, pid); err != nil && !IsUniqueViolation(err) {
		return a.h.errorf("give %q %q: %w", username, perm, err)
	}
	return nil
}

// RemoveUserPermission is user.user_permissions.remove(perm).
func (a *Accounts) RemoveUserPermission(ctx context.Context, username, perm string) error {
	if !a.mixin {
		return djangouser.ErrNoPermissionsMixin // Django: AttributeError, the model has no groups / user_permissions
	}
	pk, err := a.userPK(ctx, a.h.DB, username)
	if err != nil {
		return err
	}
	pid, err := a.permID(ctx, perm)
	if err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.removeUserPerm, pk, pid); err != nil {
		return a.h.errorf("take %q from %q: %w", perm, username, err)
	}
	return nil
}

// Usernames lists every user's USERNAME_FIELD, sorted.
func (a *Accounts) Usernames(ctx context.Context) ([]string, error) {
	var name string
	return collect(ctx, a.h, "list users", a.q.listUsers, nil, []any{a.h.Text(&name)}, func() string { return name })
}

// UserExists reports whether a user has this username (exactly).
func (a *Accounts) UserExists(ctx context.Context, username string) (bool, error) {
	_, err := a.userPK(ctx, a.h.DB, username)
	if errors.Is(err, djangouser.ErrUserNotFound) {
		return false, nil
	}
	return err == nil, err
}

// SetActive sets is_active of the user (activate / deactivate).
// ErrUserNotFound when there is none.
func (a *Accounts) SetActive(ctx context.Context, username string, active bool) error {
	if _, err := a.userPK(ctx, a.h.DB, username); err != nil {
		return err
	}
	if _, err := a.h.DB.Exec(ctx, a.q.setActive, active, username); err != nil {
		return a.h.errorf("set is_active of %q: %w", username, err)
	}
	return nil
}

// DeleteUser is user.delete() for the tables djangobridge knows: the
// user's group memberships and permissions, then the row, in one
// transaction. A row other tables still point at (django_admin_log, your
// apps) makes the database refuse and nothing is deleted.
func (a *Accounts) DeleteUser(ctx context.Context, username string) error {
	return a.h.DB.InTx(ctx, func(q Querier) error {
		pk, err := a.userPK(ctx, q, username)
		if err != nil {
			return err
		}
		stmts := []string{a.q.delUserGroups, a.q.delUserPerms, a.q.deleteUser}
		if !a.mixin {
			stmts = stmts[2:] // no groups or user_permissions tables
		}
		for _, stmt := range stmts {
			if _, err := q.Exec(ctx, stmt, pk); err != nil {
				return a.h.errorf("delete user %q: %w", username, err)
			}
		}
		return nil
	})
}

// UsernameTaken reports whether a user has username: exactly, or with
// iexact as Django's lookup compiles it (UPPER(col) = UPPER(?) on
// PostgreSQL, LIKE with ESCAPE on SQLite — ASCII case only — and the
// column's case-insensitive collation on MySQL).
func (a *Accounts) UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error) {
	if !iexact {
		return a.UserExists(ctx, username)
	}
	d, q := a.h.Dialect, a.h.Dialect.Quote
	where, arg := a.iexact(q(a.model.UsernameField), username)
	var one int64
	err := a.h.DB.QueryRow(ctx, d.Rebind("SELECT 1 FROM "+q(a.model.Table)+" WHERE "+where+" LIMIT 1"), arg).Scan(&one)
	if a.h.noRows(err) {
		return false, nil
	}
	if err != nil {
		return false, a.h.errorf("username iexact: %w", err)
	}
	return true, nil
}

// iexact returns the WHERE condition of col__iexact=value as Django
// compiles it for the dialect, and the argument to bind.
func (a *Accounts) iexact(col, value string) (string, string) {
	switch a.h.Dialect {
	case PostgreSQL:
		return "UPPER(" + col + "::text) = UPPER(?)", value
	case SQLite:
		return col + " LIKE ? ESCAPE '\\'", likeEscape(value)
	}
	return col + " LIKE ?", likeEscape(value)
}

// ActiveUsersByEmail returns the active users whose email field (EMAIL_FIELD,
// "email" by default) equals email ignoring case (email__iexact, as
// PasswordResetForm.get_users queries them). The caller still applies
// Django's has_usable_password and NFKC/casefold comparison.
func (a *Accounts) ActiveUsersByEmail(ctx context.Context, email string) ([]*djangouser.User, error) {
	d, q := a.h.Dialect, a.h.Dialect.Quote
	sel := []string{q(a.model.PKColumn)}
	for _, c := range a.users.cols {
		sel = append(sel, q(c))
	}
	cond, arg := a.iexact(q(djangouser.ColEmail), email)
	query := "SELECT " + strings.Join(sel, ", ") + " FROM " + q(a.model.Table) + " WHERE " + cond
	args := []any{arg}
	if !slices.Contains(a.model.OmitColumns, djangouser.ColIsActive) {
		query += " AND " + q(djangouser.ColIsActive) + " = ?"
		args = append(args, true)
	}
	rows, err := a.h.DB.Query(ctx, d.Rebind(query), args...)
	if err != nil {
		return nil, a.h.errorf("users by email: %w", err)
	}
	defer rows.Close()
	var out []*djangouser.User
	for rows.Next() {
		u, err := a.users.scanUser(rows, nil)
		if err != nil {
			return nil, a.h.errorf("users by email: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, a.h.errorf("users by email: %w", err)
	}
	return out, nil
}

// likeEscape escapes LIKE's wildcards as Django's prep_for_like_query does.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
