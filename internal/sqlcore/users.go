package sqlcore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// Users is the djangouser.Store of Django's user table (auth_user, or the
// custom table of Settings.UserModel) and of auth_group, auth_permission
// and django_content_type. It is safe for concurrent use.
//
// Columns are bound and read with Django's conventions for the dialect:
// datetimes as for the session table (naive text in UTC or TIME_ZONE on
// SQLite and MySQL, timestamptz on PostgreSQL), booleans as 0/1 or bool,
// UUID keys as 32 hex digits on SQLite and MySQL (char(32)) and as uuid on
// PostgreSQL.
type Users struct {
	h     Handle
	loc   *time.Location
	model djangobridge.UserModel
	cols  []string // columns other than the pk, in SELECT order
	q     userQueries
}

var _ djangouser.Store = (*Users)(nil)

type userQueries struct {
	byID, byUsername, exists string
	perms                    [4]string // by djangouser.PermSource
	groups                   string
}

// NewUsers returns the user store of h for the UserModel, USE_TZ and
// TIME_ZONE of s. It does no I/O.
func NewUsers(h Handle, s *djangobridge.Settings) (*Users, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	m, err := djangouser.ModelOf(s) // a bad model or DjangoVersion is djangouser.ErrConfig
	if err != nil {
		return nil, err
	}
	loc, err := h.location(s)
	if err != nil {
		return nil, err
	}
	d := h.Dialect
	u := &Users{h: h, loc: loc, model: m, cols: djangouser.UserColumns(m)}
	q := d.Quote
	sel := make([]string, 0, len(u.cols)+1)
	sel = append(sel, q(m.PKColumn))
	for _, c := range u.cols {
		sel = append(sel, q(c))
	}
	base := "SELECT " + strings.Join(sel, ", ") + " FROM " + q(m.Table) + " WHERE "
	u.q.byID = d.Rebind(base + q(m.PKColumn) + " = ?")
	u.q.byUsername = d.Rebind(base + q(m.UsernameField) + " = ?")
	u.q.exists = d.Rebind("SELECT 1 FROM " + q(m.Table) + " WHERE " + q(m.PKColumn) + " = ?")
	perm := "SELECT ct." + q("app_label") + ", p." + q("codename") + " FROM " + q("auth_permission") + " p INNER JOIN " +
		q("django_content_type") + " ct ON p." + q("content_type_id") + " = ct." + q("id")
	userPerms := perm + " INNER JOIN " + q(m.UserPermissionsTable) + " up ON up." + q("permission_id") + " = p." + q("id") +
		" WHERE up." + q(m.M2MColumn) + " = ?"
	groupPerms := perm + " INNER JOIN " + q("auth_group_permissions") + " gp ON gp." + q("permission_id") + " = p." + q("id") +
		" INNER JOIN " + q(m.GroupsTable) + " ug ON ug." + q("group_id") + " = gp." + q("group_id") +
		" WHERE ug." + q(m.M2MColumn) + " = ?"
	u.q.perms[djangouser.PermsUser] = d.Rebind(userPerms)
	u.q.perms[djangouser.PermsGroups] = d.Rebind(groupPerms)
	u.q.perms[djangouser.PermsUserAndGroups] = d.Rebind(userPerms + " UNION " + groupPerms)
	u.q.perms[djangouser.PermsAll] = perm
	u.q.groups = d.Rebind("SELECT g." + q("name") + " FROM " + q("auth_group") + " g INNER JOIN " + q(m.GroupsTable) +
		" ug ON ug." + q("group_id") + " = g." + q("id") + " WHERE ug." + q(m.M2MColumn) + " = ?")
	return u, nil
}

// pkArg is the value bound for the primary key id (as in User.ID): an
// int64 for integer keys (an id out of range of an "int" key is
// djangouser.ErrUserNotFound: no row can have it, and PostgreSQL would
// refuse to bind it), the canonical UUID (32 hex digits on SQLite and
// MySQL, Django's char(32)), or the text.
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
			return nil, u.h.errorf("user id %v (%T) does not fit primary key type %q", id, id, u.model.PKType)
		}
		if u.model.PKType == djangouser.PKInt && (n > 1<<31-1 || n < -1<<31) {
			return nil, fmt.Errorf("%w: id %d is out of range for an integer key", djangouser.ErrUserNotFound, n)
		}
		return n, nil
	case djangouser.PKUUID:
		s, ok := id.(string)
		if !ok {
			break
		}
		c, err := djangouser.ParsePK(djangouser.PKUUID, s)
		if err != nil {
			return nil, err
		}
		if u.h.Dialect == PostgreSQL {
			return c, nil
		}
		// Django's UUIDField on a database without a uuid type: char(32) hex.
		return strings.ReplaceAll(c.(string), "-", ""), nil
	case djangouser.PKText:
		if s, ok := id.(string); ok {
			return s, nil
		}
	}
	return nil, u.h.errorf("user id %v (%T) does not fit primary key type %q", id, id, u.model.PKType)
}

// pkValue turns a scanned primary key into User.ID.
func (u *Users) pkValue(src any) (any, error) {
	switch u.model.PKType {
	case djangouser.PKInt, djangouser.PKBigInt:
		switch v := src.(type) {
		case int64:
			return v, nil
		case int32:
			return int64(v), nil
		case []byte:
			return strconv.ParseInt(string(v), 10, 64)
		case string:
			return strconv.ParseInt(v, 10, 64)
		}
	case djangouser.PKUUID:
		switch v := src.(type) {
		case []byte:
			if len(v) == 16 {
				return djangouser.FormatUUID([16]byte(v)), nil
			}
			return djangouser.ParsePK(djangouser.PKUUID, string(v))
		case [16]byte:
			return djangouser.FormatUUID(v), nil
		case string:
			return djangouser.ParsePK(djangouser.PKUUID, v)
		}
	case djangouser.PKText:
		switch v := src.(type) {
		case []byte:
			return string(v), nil
		case string:
			return v, nil
		}
	}
	return nil, u.h.errorf("cannot read a %s primary key from %T", u.model.PKType, src)
}

// extraValue is an extra column's value as User.Extra holds it: []byte
// as string, a uuid as its canonical text, int32 widened to int64.
func extraValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case [16]byte:
		return djangouser.FormatUUID(x)
	case int32:
		return int64(x)
	}
	return v
}

// colArg is the value bound for column c of user.
func (u *Users) colArg(user *djangouser.User, c string) (any, error) {
	v, ok := user.Field(c)
	if !ok {
		return nil, u.h.errorf("user has no value for column %q", c)
	}
	switch x := v.(type) {
	case time.Time:
		return u.h.Dialect.TimeArg(x, u.loc), nil
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return u.h.Dialect.TimeArg(*x, u.loc), nil
	}
	return v, nil
}

// userRow is what reading one user allocates besides the User: the
// query's argument, the scan destinations and their scanners, in one
// allocation (a driver's interface makes them all escape).
type userRow struct {
	args         [1]any
	pk           any
	last, joined timeScan
	dest         [12]any // the default user model's columns
}

// readUser runs query (byID or byUsername) with arg and reads its row.
func (u *Users) readUser(ctx context.Context, query string, arg any) (*djangouser.User, error) {
	user := &djangouser.User{IsActive: true}
	r := &userRow{args: [1]any{arg}}
	dest := append(r.dest[:0], &r.pk)
	var extras map[string]*any
	for _, c := range u.cols {
		switch c {
		case djangouser.ColPassword:
			dest = append(dest, u.h.Text(&user.Password))
		case djangouser.ColUsername:
			dest = append(dest, u.h.Text(&user.Username))
		case djangouser.ColFirstName:
			dest = append(dest, u.h.Text(&user.FirstName))
		case djangouser.ColLastName:
			dest = append(dest, u.h.Text(&user.LastName))
		case djangouser.ColEmail:
			dest = append(dest, u.h.Text(&user.Email))
		case djangouser.ColIsSuperuser:
			dest = append(dest, u.h.Bool(&user.IsSuperuser))
		case djangouser.ColIsStaff:
			dest = append(dest, u.h.Bool(&user.IsStaff))
		case djangouser.ColIsActive:
			dest = append(dest, u.h.Bool(&user.IsActive))
		case djangouser.ColLastLogin:
			dest = append(dest, u.h.timeDest(&r.last, nil, &user.LastLogin, u.loc))
		case djangouser.ColDateJoined:
			dest = append(dest, u.h.timeDest(&r.joined, &user.DateJoined, nil, u.loc))
		default:
			if extras == nil {
				extras = make(map[string]*any)
			}
			v := new(any)
			extras[c] = v
			dest = append(dest, v)
		}
	}
	if err := u.h.DB.QueryRow(ctx, query, r.args[:]...).Scan(dest...); err != nil {
		if u.h.noRows(err) {
			return nil, djangouser.ErrUserNotFound
		}
		return nil, u.h.errorf("read user: %w", err)
	}
	id, err := u.pkValue(r.pk)
	if err != nil {
		return nil, err
	}
	user.ID = id
	if len(extras) > 0 {
		user.Extra = make(map[string]any, len(extras))
		for c, v := range extras {
			user.Extra[c] = extraValue(*v)
		}
	}
	return user, nil
}

// UserByID implements djangouser.Store: an id that does not fit the
// primary key's type is djangouser.ErrUserNotFound.
func (u *Users) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	arg, err := u.pkArg(id)
	if err != nil {
		return nil, djangouser.ErrUserNotFound
	}
	return u.readUser(ctx, u.q.byID, arg)
}

// UserByUsername implements djangouser.Store.
func (u *Users) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	return u.readUser(ctx, u.q.byUsername, username)
}

// SaveUser implements djangouser.Store: UPDATE of the named columns (all
// the user carries when none), as save(update_fields=…). A taken username
// is djangouser.ErrUserExists, a vanished row djangouser.ErrUserNotFound.
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
	d := u.h.Dialect
	set := make([]string, 0, len(columns))
	args := make([]any, 0, len(columns)+1)
	for _, c := range columns {
		if !slices.Contains(u.cols, c) {
			return u.h.errorf("%s has no column %q", u.model.Table, c)
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		set = append(set, d.Quote(c)+" = ?")
		args = append(args, a)
	}
	args = append(args, pk)
	q := d.Rebind("UPDATE " + d.Quote(u.model.Table) + " SET " + strings.Join(set, ", ") +
		" WHERE " + d.Quote(u.model.PKColumn) + " = ?")
	res, err := u.h.DB.Exec(ctx, q, args...)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return u.h.errorf("save user: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && (n > 0 || d != MySQL) {
		if n == 0 {
			return djangouser.ErrUserNotFound
		}
		return nil
	}
	// MySQL without clientFoundRows counts only changed rows: ask.
	var one int64
	err = u.h.DB.QueryRow(ctx, u.q.exists, pk).Scan(&one)
	if u.h.noRows(err) {
		return djangouser.ErrUserNotFound
	}
	if err != nil {
		return u.h.errorf("save user: %w", err)
	}
	return nil
}

// CreateUser implements djangouser.Store: INSERT of every column the user
// carries; an integer key left nil is assigned by the database and set in
// user.ID (RETURNING on PostgreSQL, the last insert id elsewhere). A taken
// username or id is djangouser.ErrUserExists.
func (u *Users) CreateUser(ctx context.Context, user *djangouser.User) error {
	d := u.h.Dialect
	cols := make([]string, 0, len(u.cols)+1)
	args := make([]any, 0, len(u.cols)+1)
	if user.ID != nil {
		pk, err := u.pkArg(user.ID)
		if err != nil {
			return err
		}
		cols = append(cols, d.Quote(u.model.PKColumn))
		args = append(args, pk)
	} else if u.model.PKType != djangouser.PKInt && u.model.PKType != djangouser.PKBigInt {
		return u.h.errorf("create user: a %s primary key must be set", u.model.PKType)
	}
	for _, c := range u.cols {
		if _, ok := user.Field(c); !ok {
			continue // an extra column the user does not carry: the database default
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		cols = append(cols, d.Quote(c))
		args = append(args, a)
	}
	q := "INSERT INTO " + d.Quote(u.model.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	wrap := func(err error) error {
		if IsUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return u.h.errorf("create user: %w", err)
	}
	if user.ID == nil && d == PostgreSQL {
		var id int64
		if err := u.h.DB.QueryRow(ctx, d.Rebind(q+" RETURNING "+d.Quote(u.model.PKColumn)), args...).Scan(&id); err != nil {
			return wrap(err)
		}
		user.ID = id
		return nil
	}
	res, err := u.h.DB.Exec(ctx, d.Rebind(q), args...)
	if err != nil {
		return wrap(err)
	}
	if user.ID == nil {
		id, err := res.LastInsertId()
		if err != nil {
			return u.h.errorf("create user: new id: %w", err)
		}
		user.ID = id
	}
	return nil
}

// Permissions implements djangouser.Store: "app_label.codename" of the
// user's own permissions, its groups', both, or every permission.
func (u *Users) Permissions(ctx context.Context, user *djangouser.User, src djangouser.PermSource) ([]string, error) {
	if src < djangouser.PermsUser || src > djangouser.PermsAll {
		return nil, u.h.errorf("unknown permission source %d", src)
	}
	var args []any
	if src != djangouser.PermsAll {
		pk, err := u.pkArg(user.ID)
		if err != nil {
			return nil, err
		}
		args = append(args, pk)
		if src == djangouser.PermsUserAndGroups {
			args = append(args, pk)
		}
	}
	var app, code string
	return collect(ctx, u.h, "permissions", u.q.perms[src], args, []any{u.h.Text(&app), u.h.Text(&code)},
		func() string { return app + "." + code })
}

// GroupNames implements djangouser.Store: the names of the user's groups.
func (u *Users) GroupNames(ctx context.Context, user *djangouser.User) ([]string, error) {
	pk, err := u.pkArg(user.ID)
	if err != nil {
		return nil, err
	}
	var name string
	return collect(ctx, u.h, "groups", u.q.groups, []any{pk}, []any{u.h.Text(&name)}, func() string { return name })
}

// collect runs query and returns value() after scanning each row into
// dest; what names the operation in errors.
func collect[T any](ctx context.Context, h Handle, what, query string, args, dest []any, value func() T) ([]T, error) {
	rows, err := h.DB.Query(ctx, query, args...)
	if err != nil {
		return nil, h.errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, h.errorf("%s: %w", what, err)
		}
		out = append(out, value())
	}
	if err := rows.Err(); err != nil {
		return nil, h.errorf("%s: %w", what, err)
	}
	return out, nil
}
