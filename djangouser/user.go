package djangouser

import (
	"strconv"
	"sync"
	"time"
)

// The auth_user columns, as Django names them. Store implementations map
// User's fields to these (Settings.UserModel.PKColumn replaces "id").
const (
	ColPassword    = "password"
	ColLastLogin   = "last_login"
	ColIsSuperuser = "is_superuser"
	ColUsername    = "username"
	ColFirstName   = "first_name"
	ColLastName    = "last_name"
	ColEmail       = "email"
	ColIsStaff     = "is_staff"
	ColIsActive    = "is_active"
	ColDateJoined  = "date_joined"
)

// Columns lists the auth_user columns other than the primary key, in the
// order Django's migrations create them.
var Columns = []string{
	ColPassword, ColLastLogin, ColIsSuperuser, ColUsername, ColFirstName,
	ColLastName, ColEmail, ColIsStaff, ColIsActive, ColDateJoined,
}

// User is a row of auth_user (or of a custom user table), or the anonymous
// user. The exported fields are the row; a User also caches its
// permissions and groups after their first use, as Django caches them on
// the user object, so one User belongs to one request. Methods are safe for
// concurrent use; the fields are not guarded: do not change them while
// other goroutines read them.
type User struct {
	// ID is the primary key: int64 for "int" and "bigint" keys, string for
	// "uuid" (canonical, lower case with dashes, as str(uuid.UUID)) and
	// "text". Nil for the anonymous user and for a user not yet created.
	ID          any
	Password    string
	LastLogin   *time.Time
	IsSuperuser bool
	Username    string
	FirstName   string
	LastName    string
	Email       string
	IsStaff     bool
	IsActive    bool
	DateJoined  time.Time
	// Extra holds Settings.UserModel.ExtraColumns by column name, as the
	// driver returned them (int64, float64, string, bool, time.Time, nil;
	// []byte is turned into string).
	Extra map[string]any
	// Backend is the dotted path of the backend that authenticated or
	// loaded the user (Django's user.backend), stored in the session at
	// login as _auth_user_backend.
	Backend string

	anonymous bool

	permMu sync.Mutex // guards the caches below
	perms  map[string]struct{}
	groups []string
}

// Anonymous returns a new anonymous user, Django's AnonymousUser: no id,
// an empty username, not active, staff or superuser, no permissions.
func Anonymous() *User { return &User{anonymous: true} }

// IsAnonymous reports whether u is the anonymous user (a nil *User is).
func (u *User) IsAnonymous() bool { return u == nil || u.anonymous }

// IsAuthenticated reports whether u is a real user: Django's
// user.is_authenticated, true for every user row, active or not.
func (u *User) IsAuthenticated() bool { return !u.IsAnonymous() }

// PK returns the primary key as Django stores it in the session under
// _auth_user_id (pk.value_to_string): "42", or the UUID's canonical text.
// It is "" for the anonymous user and for a user not yet saved.
func (u *User) PK() string {
	if u.IsAnonymous() {
		return ""
	}
	switch id := u.ID.(type) {
	case int64:
		return strconv.FormatInt(id, 10)
	case string:
		return id
	}
	return ""
}

// Field returns the value of column name of u's row: one of Columns, the
// primary key column ("id"), or an extra column. ok is false for a column u
// does not carry.
func (u *User) Field(name string) (v any, ok bool) {
	switch name {
	case ColPassword:
		return u.Password, true
	case ColLastLogin:
		if u.LastLogin == nil {
			return nil, true
		}
		return *u.LastLogin, true
	case ColIsSuperuser:
		return u.IsSuperuser, true
	case ColUsername:
		return u.Username, true
	case ColFirstName:
		return u.FirstName, true
	case ColLastName:
		return u.LastName, true
	case ColEmail:
		return u.Email, true
	case ColIsStaff:
		return u.IsStaff, true
	case ColIsActive:
		return u.IsActive, true
	case ColDateJoined:
		return u.DateJoined, true
	}
	v, ok = u.Extra[name]
	return v, ok
}

// SetField sets column name of u's row: a standard column (with a value of
// the field's Go type) or an extra column. It reports whether the value was
// taken.
func (u *User) SetField(name string, v any) bool {
	switch name {
	case ColPassword:
		s, ok := v.(string)
		if ok {
			u.Password = s
		}
		return ok
	case ColLastLogin:
		switch t := v.(type) {
		case nil:
			u.LastLogin = nil
		case time.Time:
			u.LastLogin = &t
		case *time.Time:
			u.LastLogin = t
		default:
			return false
		}
		return true
	case ColIsSuperuser, ColIsStaff, ColIsActive:
		b, ok := v.(bool)
		if !ok {
			return false
		}
		switch name {
		case ColIsSuperuser:
			u.IsSuperuser = b
		case ColIsStaff:
			u.IsStaff = b
		default:
			u.IsActive = b
		}
		return true
	case ColUsername, ColFirstName, ColLastName, ColEmail:
		s, ok := v.(string)
		if !ok {
			return false
		}
		switch name {
		case ColUsername:
			u.Username = s
		case ColFirstName:
			u.FirstName = s
		case ColLastName:
			u.LastName = s
		default:
			u.Email = s
		}
		return true
	case ColDateJoined:
		t, ok := v.(time.Time)
		if ok {
			u.DateJoined = t
		}
		return ok
	}
	if u.Extra == nil {
		u.Extra = make(map[string]any)
	}
	u.Extra[name] = v
	return true
}

// String returns the username, as Django's str(user), or "AnonymousUser".
func (u *User) String() string {
	if u.IsAnonymous() {
		return "AnonymousUser"
	}
	return u.Username
}
