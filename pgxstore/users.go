package pgxstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// Users is the djangouser.Store of Django's user table (auth_user, or the
// custom table of Settings.UserModel) and of auth_group, auth_permission
// and django_content_type, over a pgx pool. Use the same pool as the
// session Store. It is safe for concurrent use.
type Users struct {
	pool  *pgxpool.Pool
	model djangobridge.UserModel
	cols  []string
	q     struct {
		byID, byUsername, groups string
		perms                    [4]string
	}
}

var _ djangouser.Store = (*Users)(nil)

// NewUsers returns the user store of pool for the UserModel of s. It does
// no I/O.
func NewUsers(pool *pgxpool.Pool, s *djangobridge.Settings) (*Users, error) {
	if pool == nil {
		return nil, errors.New("pgxstore: nil *pgxpool.Pool")
	}
	if s == nil {
		return nil, errors.New("pgxstore: nil Settings")
	}
	m, err := djangouser.ModelOf(s)
	if err != nil {
		return nil, err
	}
	u := &Users{pool: pool, model: m, cols: djangouser.UserColumns(m)}
	sel := []string{quote(m.PKColumn)}
	for _, c := range u.cols {
		sel = append(sel, quote(c))
	}
	base := "SELECT " + strings.Join(sel, ", ") + " FROM " + quote(m.Table) + " WHERE "
	u.q.byID = base + quote(m.PKColumn) + " = $1"
	u.q.byUsername = base + quote(m.UsernameField) + " = $1"
	perm := `SELECT ct.app_label, p.codename FROM auth_permission p INNER JOIN django_content_type ct ON p.content_type_id = ct.id`
	userPerms := perm + " INNER JOIN " + quote(m.UserPermissionsTable) + " up ON up.permission_id = p.id WHERE up." + quote(m.M2MColumn) + " = $1"
	groupPerms := perm + " INNER JOIN auth_group_permissions gp ON gp.permission_id = p.id INNER JOIN " + quote(m.GroupsTable) +
		" ug ON ug.group_id = gp.group_id WHERE ug." + quote(m.M2MColumn) + " = $1"
	u.q.perms[djangouser.PermsUser] = userPerms
	u.q.perms[djangouser.PermsGroups] = groupPerms
	u.q.perms[djangouser.PermsUserAndGroups] = userPerms + " UNION " + groupPerms
	u.q.perms[djangouser.PermsAll] = perm
	u.q.groups = "SELECT g.name FROM auth_group g INNER JOIN " + quote(m.GroupsTable) + " ug ON ug.group_id = g.id WHERE ug." +
		quote(m.M2MColumn) + " = $1"
	return u, nil
}

// Pool returns the pool the store was made with.
func (u *Users) Pool() *pgxpool.Pool { return u.pool }

func (u *Users) pkArg(id any) (any, error) {
	switch u.model.PKType {
	case djangouser.PKInt, djangouser.PKBigInt:
		var n int64
		switch v := id.(type) {
		case int64:
			n = v
		case int:
			n = int64(v)
		case int32:
			n = int64(v)
		default:
			return nil, fmt.Errorf("%s: user id %v (%T) does not fit primary key type %q", "pgxstore", id, id, u.model.PKType)
		}
		if u.model.PKType == djangouser.PKInt && (n > 1<<31-1 || n < -1<<31) {
			// No row can have it; PostgreSQL would refuse to bind it.
			return nil, fmt.Errorf("%w: id %d is out of range for an integer key", djangouser.ErrUserNotFound, n)
		}
		return n, nil
	case djangouser.PKUUID:
		if s, ok := id.(string); ok {
			return djangouser.ParsePK(djangouser.PKUUID, s)
		}
	case djangouser.PKText:
		if s, ok := id.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("pgxstore: user id %v (%T) does not fit primary key type %q", id, id, u.model.PKType)
}

func (u *Users) colArg(user *djangouser.User, c string) (any, error) {
	v, ok := user.Field(c)
	if !ok {
		return nil, fmt.Errorf("pgxstore: user has no value for column %q", c)
	}
	if t, ok := v.(time.Time); ok {
		return timeArg(t), nil
	}
	return v, nil
}

func (u *Users) scanUser(row pgx.Row) (*djangouser.User, error) {
	user := &djangouser.User{IsActive: true}
	var pk any
	var lastLogin *time.Time
	dest := []any{&pk}
	extras := make(map[string]*any)
	for _, c := range u.cols {
		switch c {
		case djangouser.ColPassword:
			dest = append(dest, &user.Password)
		case djangouser.ColUsername:
			dest = append(dest, &user.Username)
		case djangouser.ColFirstName:
			dest = append(dest, &user.FirstName)
		case djangouser.ColLastName:
			dest = append(dest, &user.LastName)
		case djangouser.ColEmail:
			dest = append(dest, &user.Email)
		case djangouser.ColIsSuperuser:
			dest = append(dest, &user.IsSuperuser)
		case djangouser.ColIsStaff:
			dest = append(dest, &user.IsStaff)
		case djangouser.ColIsActive:
			dest = append(dest, &user.IsActive)
		case djangouser.ColLastLogin:
			dest = append(dest, &lastLogin)
		case djangouser.ColDateJoined:
			dest = append(dest, &user.DateJoined)
		default:
			v := new(any)
			extras[c] = v
			dest = append(dest, v)
		}
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, djangouser.ErrUserNotFound
		}
		return nil, fmt.Errorf("pgxstore: read user: %w", err)
	}
	switch v := pk.(type) {
	case int64:
		user.ID = v
	case int32:
		user.ID = int64(v)
	case [16]byte:
		user.ID = djangouser.FormatUUID(v)
	case string:
		if u.model.PKType == djangouser.PKUUID {
			id, err := djangouser.ParsePK(djangouser.PKUUID, v)
			if err != nil {
				return nil, err
			}
			user.ID = id
		} else {
			user.ID = v
		}
	default:
		return nil, fmt.Errorf("pgxstore: cannot read a %s primary key from %T", u.model.PKType, pk)
	}
	user.LastLogin = lastLogin
	if len(extras) > 0 {
		user.Extra = make(map[string]any, len(extras))
		for c, v := range extras {
			x := *v
			switch b := x.(type) {
			case []byte:
				x = string(b)
			case [16]byte:
				x = djangouser.FormatUUID(b)
			case int32:
				x = int64(b)
			}
			user.Extra[c] = x
		}
	}
	return user, nil
}

// UserByID implements djangouser.Store.
func (u *Users) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	arg, err := u.pkArg(id)
	if err != nil {
		return nil, djangouser.ErrUserNotFound
	}
	return u.scanUser(u.pool.QueryRow(ctx, u.q.byID, arg))
}

// UserByUsername implements djangouser.Store.
func (u *Users) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	return u.scanUser(u.pool.QueryRow(ctx, u.q.byUsername, username))
}

// SaveUser implements djangouser.Store.
func (u *Users) SaveUser(ctx context.Context, user *djangouser.User, columns ...string) error {
	if len(columns) == 0 {
		for _, c := range u.cols {
			if _, ok := user.Field(c); ok {
				columns = append(columns, c) // extra columns the user does not carry are left alone
			}
		}
	}
	pk, err := u.pkArg(user.ID)
	if err != nil {
		return err
	}
	set := make([]string, 0, len(columns))
	args := make([]any, 0, len(columns)+1)
	for i, c := range columns {
		if !contains(u.cols, c) {
			return fmt.Errorf("pgxstore: %s has no column %q", u.model.Table, c)
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		set = append(set, fmt.Sprintf("%s = $%d", quote(c), i+1))
		args = append(args, a)
	}
	args = append(args, pk)
	q := "UPDATE " + quote(u.model.Table) + " SET " + strings.Join(set, ", ") +
		fmt.Sprintf(" WHERE %s = $%d", quote(u.model.PKColumn), len(args))
	tag, err := u.pool.Exec(ctx, q, args...)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return fmt.Errorf("pgxstore: save user: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return djangouser.ErrUserNotFound
	}
	return nil
}

// CreateUser implements djangouser.Store.
func (u *Users) CreateUser(ctx context.Context, user *djangouser.User) error {
	var cols []string
	var args []any
	if user.ID != nil {
		pk, err := u.pkArg(user.ID)
		if err != nil {
			return err
		}
		cols = append(cols, quote(u.model.PKColumn))
		args = append(args, pk)
	} else if u.model.PKType != djangouser.PKInt && u.model.PKType != djangouser.PKBigInt {
		return fmt.Errorf("pgxstore: create user: a %s primary key must be set", u.model.PKType)
	}
	for _, c := range u.cols {
		if _, ok := user.Field(c); !ok {
			continue // an extra column the user does not carry: the database default
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		cols = append(cols, quote(c))
		args = append(args, a)
	}
	ph := make([]string, len(cols))
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", i+1)
	}
	q := "INSERT INTO " + quote(u.model.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" + strings.Join(ph, ", ") +
		") RETURNING " + quote(u.model.PKColumn) + "::text"
	var id string
	if err := u.pool.QueryRow(ctx, q, args...).Scan(&id); err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return fmt.Errorf("pgxstore: create user: %w", err)
	}
	if user.ID == nil {
		v, err := djangouser.ParsePK(u.model.PKType, id)
		if err != nil {
			return err
		}
		user.ID = v
	}
	return nil
}

// Permissions implements djangouser.Store.
func (u *Users) Permissions(ctx context.Context, user *djangouser.User, src djangouser.PermSource) ([]string, error) {
	if src < djangouser.PermsUser || src > djangouser.PermsAll {
		return nil, fmt.Errorf("pgxstore: unknown permission source %d", src)
	}
	var args []any
	if src != djangouser.PermsAll {
		pk, err := u.pkArg(user.ID)
		if err != nil {
			return nil, err
		}
		args = append(args, pk)
	}
	rows, err := u.pool.Query(ctx, u.q.perms[src], args...)
	if err != nil {
		return nil, fmt.Errorf("pgxstore: permissions: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (string, error) {
		var app, code string
		err := r.Scan(&app, &code)
		return app + "." + code, err
	})
	if err != nil {
		return nil, fmt.Errorf("pgxstore: permissions: %w", err)
	}
	return out, nil
}

// GroupNames implements djangouser.Store.
func (u *Users) GroupNames(ctx context.Context, user *djangouser.User) ([]string, error) {
	pk, err := u.pkArg(user.ID)
	if err != nil {
		return nil, err
	}
	rows, err := u.pool.Query(ctx, u.q.groups, pk)
	if err != nil {
		return nil, fmt.Errorf("pgxstore: groups: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("pgxstore: groups: %w", err)
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
