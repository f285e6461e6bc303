package sqlstore

import (
	"context"
	"database/sql"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// The SQL core's query sets, shared with pgxstore: their methods are
// Store's and Users'.
type (
	sessions = sqlcore.Sessions
	users    = sqlcore.Users
)

var (
	_ djangosession.Store = (*Store)(nil)
	_ djangouser.Store    = (*Users)(nil)
)

// SessionTable is the table of Django's session model, django_session.
const SessionTable = sqlcore.SessionTable

// Store is the db session engine (django.contrib.sessions.backends.db) on
// django_session through database/sql. It implements djangosession.Store
// with Django's semantics: a session is live while expire_date > now, "now"
// being the Go process's clock (as Django uses its own, not the database's);
// expired rows stay until ClearExpired. It is safe for concurrent use.
//
// Its methods, those of the SQL core shared with pgxstore:
//
//	Load(ctx, key) (*djangosession.Map, error)
//	    the data of the live row (expire_date > now); a missing or expired
//	    row is djangosession.ErrNotFound, data that does not decode an
//	    error djangosession.IsDataError recognises
//	LoadRecord(ctx, key) (djangosession.Record, error)
//	    Load with the row's expire_date and the ExpiryAge Django's cached_db
//	    engine derives from it (get_expiry_age(expiry=expire_date))
//	Save(ctx, record, mustCreate) (key string, error)
//	    with mustCreate an INSERT failing with djangosession.ErrExists when
//	    the key is taken (Django's CreateError), else an UPDATE failing with
//	    djangosession.ErrVanished when the row is gone (UpdateError); one
//	    statement each, nothing is half-written
//	Delete(ctx, key) error
//	    removes the row; a missing row is not an error
//	Exists(ctx, key) (bool, error)
//	    whether a live row of key exists
//	ClearExpired(ctx) (int64, error)
//	    manage.py clearsessions: deletes the rows with expire_date < now
//	    and counts them
//
// Other errors are the driver's, wrapped as "sqlstore: load session: ...".
type Store struct {
	*sessions
	db *sql.DB
	d  Dialect
}

// New returns the store of Django's tables in db, which speaks d, under
// settings s (SECRET_KEY and fallbacks, DjangoVersion, USE_TZ, TIME_ZONE
// and the session serializer are read from it). It does no I/O: the
// tables must exist (Django's migrate made them, or [Store.CreateSchema]).
// A d that db's driver does not speak is [ErrDialectMismatch].
func New(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Store, error) {
	return sqlcore.Open(handle(db, d), s, sqlcore.NewSessions, func(c *sessions) *Store { return &Store{c, db, d} })
}

// DB returns the handle the store was made with.
func (st *Store) DB() *sql.DB { return st.db }

// Dialect returns the store's dialect.
func (st *Store) Dialect() Dialect { return st.d }

// CreateSchema creates the tables Django's migrate creates for
// contenttypes, auth and sessions (django_session, auth_user, auth_group,
// auth_permission with the permission rows, django_content_type,
// django_migrations...), exactly as Django 5.2 makes them, so a database
// can be shared with Django or set up with no Python. Django 3.2 to 6.1
// use the same tables, and a later `manage.py migrate` finds nothing to do
// for these apps.
//
// A database that already has django_migrations is left alone (nil
// error). On SQLite and PostgreSQL the tables are created in one
// transaction; MySQL commits each DDL statement on its own, so a failure
// there can leave some tables behind.
func (st *Store) CreateSchema(ctx context.Context) error {
	return sqlcore.CreateSchema(ctx, handle(st.db, st.d))
}

// Users is the djangouser.Store of Django's user table (auth_user, or the
// custom table of Settings.UserModel) and of auth_group, auth_permission
// and django_content_type, over database/sql. Use the same *sql.DB as the
// session Store: one pool for both. It is safe for concurrent use.
//
// Its methods are djangouser.Store's (UserByID, UserByUsername, SaveUser,
// CreateUser, Permissions, GroupNames), from the SQL core shared with
// pgxstore. Columns are bound and read with Django's conventions for the
// dialect: datetimes as for the session table (naive text in UTC or
// TIME_ZONE on SQLite and MySQL, timestamptz on PostgreSQL), booleans as
// 0/1 or bool, UUID keys as 32 hex digits on SQLite and MySQL (char(32))
// and as uuid on PostgreSQL. An id that cannot be a key (of the wrong type,
// or out of range of an integer key) is djangouser.ErrUserNotFound.
type Users struct {
	*users
	db *sql.DB
}

// NewUsers returns the user store of db, which speaks d, for the
// UserModel, USE_TZ and TIME_ZONE of s. It does no I/O. A d that db's
// driver does not speak is [ErrDialectMismatch].
func NewUsers(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Users, error) {
	return sqlcore.Open(handle(db, d), s, sqlcore.NewUsers, func(c *users) *Users { return &Users{c, db} })
}

// DB returns the handle the store was made with.
func (u *Users) DB() *sql.DB { return u.db }
