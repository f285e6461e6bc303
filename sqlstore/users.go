package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// Users is the djangouser.Store of Django's user table (auth_user, or the
// custom table of Settings.UserModel) and of auth_group, auth_permission
// and django_content_type, over database/sql. Use the same *sql.DB as the
// session Store: one pool for both. It is safe for concurrent use.
//
// Columns are bound and read with Django's conventions for the dialect:
// datetimes as for the session table (naive text in UTC or TIME_ZONE on
// SQLite and MySQL, timestamptz on PostgreSQL), booleans as 0/1 or bool,
// UUID keys as 32 hex digits on SQLite and MySQL (char(32)) and as uuid on
// PostgreSQL.
type Users struct {
	db    *sql.DB
	d     Dialect
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

// NewUsers returns the user store of db, which speaks d, for the
// UserModel, USE_TZ and TIME_ZONE of s. It does no I/O.
func NewUsers(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Users, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	if !d.valid() {
		return nil, fmt.Errorf("sqlstore: invalid dialect %v", d)
	}
	if s == nil {
		return nil, errors.New("sqlstore: nil Settings")
	}
	m, err := djangouser.ModelOf(s)
	if err != nil {
		return nil, err
	}
	loc, err := s.Location()
	if err != nil {
		return nil, err
	}
	u := &Users{db: db, d: d, loc: loc, model: m, cols: djangouser.UserColumns(m)}
	q := d.quote
	sel := make([]string, 0, len(u.cols)+1)
	sel = append(sel, q(m.PKColumn))
	for _, c := range u.cols {
		sel = append(sel, q(c))
	}
	base := "SELECT " + strings.Join(sel, ", ") + " FROM " + q(m.Table) + " WHERE "
	u.q.byID = d.rebind(base + q(m.PKColumn) + " = ?")
	u.q.byUsername = d.rebind(base + q(m.UsernameField) + " = ?")
	u.q.exists = d.rebind("SELECT 1 FROM " + q(m.Table) + " WHERE " + q(m.PKColumn) + " = ?")
	perm := "SELECT ct." + q("app_label") + ", p." + q("codename") + " FROM " + q("auth_permission") + " p INNER JOIN " +
		q("django_content_type") + " ct ON p." + q("content_type_id") + " = ct." + q("id")
	userPerms := perm + " INNER JOIN " + q(m.UserPermissionsTable) + " up ON up." + q("permission_id") + " = p." + q("id") +
		" WHERE up." + q(m.M2MColumn) + " = ?"
	groupPerms := perm + " INNER JOIN " + q("auth_group_permissions") + " gp ON gp." + q("permission_id") + " = p." + q("id") +
		" INNER JOIN " + q(m.GroupsTable) + " ug ON ug." + q("group_id") + " = gp." + q("group_id") +
		" WHERE ug." + q(m.M2MColumn) + " = ?"
	u.q.perms[djangouser.PermsUser] = d.rebind(userPerms)
	u.q.perms[djangouser.PermsGroups] = d.rebind(groupPerms)
	u.q.perms[djangouser.PermsUserAndGroups] = d.rebind(userPerms + " UNION " + groupPerms)
	u.q.perms[djangouser.PermsAll] = perm
	u.q.groups = d.rebind("SELECT g." + q("name") + " FROM " + q("auth_group") + " g INNER JOIN " + q(m.GroupsTable) +
		" ug ON ug." + q("group_id") + " = g." + q("id") + " WHERE ug." + q(m.M2MColumn) + " = ?")
	return u, nil
}

// DB returns the handle the store was made with.
func (u *Users) DB() *sql.DB { return u.db }

// pkArg is the value bound for the primary key id (as in User.ID).
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
			return nil, fmt.Errorf("%s: user id %v (%T) does not fit primary key type %q", "sqlstore", id, id, u.model.PKType)
		}
		if u.model.PKType == djangouser.PKInt && (n > 1<<31-1 || n < -1<<31) {
			// No row can have it; PostgreSQL would refuse to bind it.
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
		if u.d == PostgreSQL {
			return c, nil
		}
		// Django's UUIDField on a database without a uuid type: char(32) hex.
		return strings.ReplaceAll(c.(string), "-", ""), nil
	case djangouser.PKText:
		if s, ok := id.(string); ok {
			return s, nil
		}
	}
	return nil, fmt.Errorf("sqlstore: user id %v (%T) does not fit primary key type %q", id, id, u.model.PKType)
}

// pkValue turns a scanned primary key into User.ID.
func (u *Users) pkValue(src any) (any, error) {
	switch u.model.PKType {
	case djangouser.PKInt, djangouser.PKBigInt:
		switch v := src.(type) {
		case int64:
			return v, nil
		case []byte:
			return strconv.ParseInt(string(v), 10, 64)
		case string:
			return strconv.ParseInt(v, 10, 64)
		}
	case djangouser.PKUUID:
		switch v := src.(type) {
		case []byte:
			if len(v) == 16 {
				var b [16]byte
				copy(b[:], v)
				return djangouser.FormatUUID(b), nil
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
	return nil, fmt.Errorf("sqlstore: cannot read a %s primary key from %T", u.model.PKType, src)
}

// colArg is the value bound for column c of user.
func (u *Users) colArg(user *djangouser.User, c string) (any, error) {
	v, ok := user.Field(c)
	if !ok {
		return nil, fmt.Errorf("sqlstore: user has no value for column %q", c)
	}
	switch x := v.(type) {
	case time.Time:
		return u.d.timeArg(x, u.loc), nil
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return u.d.timeArg(*x, u.loc), nil
	}
	return v, nil
}

// anyScan reads a column into a plain Go value: []byte becomes a string.
type anyScan struct{ v any }

func (a *anyScan) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		a.v = string(b)
		return nil
	}
	a.v = src
	return nil
}

// boolScan reads a boolean column: bool, 0/1 integers, "0"/"1" text.
type boolScan struct{ b *bool }

func (s boolScan) Scan(src any) error {
	switch v := src.(type) {
	case bool:
		*s.b = v
	case int64:
		*s.b = v != 0
	case []byte:
		return s.text(string(v))
	case string:
		return s.text(v)
	default:
		return fmt.Errorf("sqlstore: cannot read a boolean from %T", src)
	}
	return nil
}

func (s boolScan) text(v string) error {
	switch strings.ToLower(v) {
	case "1", "t", "true":
		*s.b = true
	case "0", "f", "false":
		*s.b = false
	default:
		return fmt.Errorf("sqlstore: %q is not a boolean", v)
	}
	return nil
}

// strScan reads a text column (NULL reads as "").
type strScan struct{ s *string }

func (s strScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.s = ""
	case string:
		*s.s = v
	case []byte:
		*s.s = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot read text from %T", src)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }

func (u *Users) scanUser(row rowScanner) (*djangouser.User, error) {
	user := &djangouser.User{IsActive: true}
	var pk anyScan
	dest := make([]any, 0, len(u.cols)+1)
	dest = append(dest, &pk)
	lastLogin := u.d.scanTime(u.loc)
	dateJoined := u.d.scanTime(u.loc)
	extras := make(map[string]*anyScan)
	for _, c := range u.cols {
		switch c {
		case djangouser.ColPassword:
			dest = append(dest, strScan{&user.Password})
		case djangouser.ColUsername:
			dest = append(dest, strScan{&user.Username})
		case djangouser.ColFirstName:
			dest = append(dest, strScan{&user.FirstName})
		case djangouser.ColLastName:
			dest = append(dest, strScan{&user.LastName})
		case djangouser.ColEmail:
			dest = append(dest, strScan{&user.Email})
		case djangouser.ColIsSuperuser:
			dest = append(dest, boolScan{&user.IsSuperuser})
		case djangouser.ColIsStaff:
			dest = append(dest, boolScan{&user.IsStaff})
		case djangouser.ColIsActive:
			dest = append(dest, boolScan{&user.IsActive})
		case djangouser.ColLastLogin:
			dest = append(dest, lastLogin)
		case djangouser.ColDateJoined:
			dest = append(dest, dateJoined)
		default:
			a := &anyScan{}
			extras[c] = a
			dest = append(dest, a)
		}
	}
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, djangouser.ErrUserNotFound
		}
		return nil, fmt.Errorf("sqlstore: read user: %w", err)
	}
	id, err := u.pkValue(pk.v)
	if err != nil {
		return nil, err
	}
	user.ID = id
	if lastLogin.Valid {
		t := lastLogin.Time
		user.LastLogin = &t
	}
	if dateJoined.Valid {
		user.DateJoined = dateJoined.Time
	}
	if len(extras) > 0 {
		user.Extra = make(map[string]any, len(extras))
		for c, a := range extras {
			user.Extra[c] = a.v
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
	return u.scanUser(u.db.QueryRowContext(ctx, u.q.byID, arg))
}

// UserByUsername implements djangouser.Store.
func (u *Users) UserByUsername(ctx context.Context, username string) (*djangouser.User, error) {
	return u.scanUser(u.db.QueryRowContext(ctx, u.q.byUsername, username))
}

// SaveUser implements djangouser.Store: UPDATE of the named columns (all
// when none), as save(update_fields=…).
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
	for _, c := range columns {
		if !containsStr(u.cols, c) {
			return fmt.Errorf("sqlstore: %s has no column %q", u.model.Table, c)
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		set = append(set, u.d.quote(c)+" = ?")
		args = append(args, a)
	}
	args = append(args, pk)
	q := u.d.rebind("UPDATE " + u.d.quote(u.model.Table) + " SET " + strings.Join(set, ", ") +
		" WHERE " + u.d.quote(u.model.PKColumn) + " = ?")
	res, err := u.db.ExecContext(ctx, q, args...)
	if err != nil {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return fmt.Errorf("sqlstore: save user: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	// MySQL without clientFoundRows counts only changed rows: ask.
	var one int
	err = u.db.QueryRowContext(ctx, u.q.exists, pk).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return djangouser.ErrUserNotFound
	}
	if err != nil {
		return fmt.Errorf("sqlstore: save user: %w", err)
	}
	return nil
}

// CreateUser implements djangouser.Store: INSERT of every column; an
// integer key left nil is assigned by the database and set in user.ID.
func (u *Users) CreateUser(ctx context.Context, user *djangouser.User) error {
	cols := make([]string, 0, len(u.cols)+1)
	args := make([]any, 0, len(u.cols)+1)
	if user.ID != nil {
		pk, err := u.pkArg(user.ID)
		if err != nil {
			return err
		}
		cols = append(cols, u.d.quote(u.model.PKColumn))
		args = append(args, pk)
	} else if u.model.PKType != djangouser.PKInt && u.model.PKType != djangouser.PKBigInt {
		return fmt.Errorf("sqlstore: create user: a %s primary key must be set", u.model.PKType)
	}
	for _, c := range u.cols {
		if _, ok := user.Field(c); !ok {
			continue // an extra column the user does not carry: the database default
		}
		a, err := u.colArg(user, c)
		if err != nil {
			return err
		}
		cols = append(cols, u.d.quote(c))
		args = append(args, a)
	}
	q := "INSERT INTO " + u.d.quote(u.model.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	wrap := func(err error) error {
		if isUniqueViolation(err) {
			return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
		}
		return fmt.Errorf("sqlstore: create user: %w", err)
	}
	if user.ID == nil && u.d == PostgreSQL {
		var id int64
		if err := u.db.QueryRowContext(ctx, u.d.rebind(q+" RETURNING "+u.d.quote(u.model.PKColumn)), args...).Scan(&id); err != nil {
			return wrap(err)
		}
		user.ID = id
		return nil
	}
	res, err := u.db.ExecContext(ctx, u.d.rebind(q), args...)
	if err != nil {
		return wrap(err)
	}
	if user.ID == nil {
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("sqlstore: create user: new id: %w", err)
		}
		user.ID = id
	}
	return nil
}

// Permissions implements djangouser.Store.
func (u *Users) Permissions(ctx context.Context, user *djangouser.User, src djangouser.PermSource) ([]string, error) {
	if src < djangouser.PermsUser || src > djangouser.PermsAll {
		return nil, fmt.Errorf("sqlstore: unknown permission source %d", src)
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
	rows, err := u.db.QueryContext(ctx, u.q.perms[src], args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: permissions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var app, code string
		if err := rows.Scan(strScan{&app}, strScan{&code}); err != nil {
			return nil, fmt.Errorf("sqlstore: permissions: %w", err)
		}
		out = append(out, app+"."+code)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: permissions: %w", err)
	}
	return out, nil
}

// GroupNames implements djangouser.Store.
func (u *Users) GroupNames(ctx context.Context, user *djangouser.User) ([]string, error) {
	pk, err := u.pkArg(user.ID)
	if err != nil {
		return nil, err
	}
	rows, err := u.db.QueryContext(ctx, u.q.groups, pk)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: groups: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(strScan{&name}); err != nil {
			return nil, fmt.Errorf("sqlstore: groups: %w", err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: groups: %w", err)
	}
	return out, nil
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
