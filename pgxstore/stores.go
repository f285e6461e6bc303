// Package pgxstore keeps Django's tables on PostgreSQL through pgx/v5's
// native interface (*pgxpool.Pool): the db session engine on
// django_session and, for djangouser, auth_user and the permission tables.
// A user of database/sql (or of SQLite or MySQL) uses package sqlstore;
// both run the same SQL core, so they read and write the same rows by the
// same rules.
package pgxstore

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// SessionTable is the table of Django's session model, django_session.
const SessionTable = sqlcore.SessionTable

// Store is the db session engine (django.contrib.sessions.backends.db) on
// django_session over a pgx pool. It implements djangosession.Store with
// Django's semantics: a session is live while expire_date > now, "now"
// being the Go process's clock (as Django uses its own, not the
// database's); expired rows stay until ClearExpired. It is safe for
// concurrent use.
//
// Load, LoadRecord, Save, Delete, Exists and ClearExpired are those of
// sqlstore.Store, from the SQL core both share: Load of a missing or
// expired row is djangosession.ErrNotFound; Save with mustCreate is an
// INSERT ... ON CONFLICT DO NOTHING failing with djangosession.ErrExists
// when the key is taken, without it an UPDATE failing with
// djangosession.ErrVanished when the row is gone; ClearExpired deletes
// the rows with expire_date < now (manage.py clearsessions). Driver
// errors are wrapped as "pgxstore: load session: ...".
type Store struct {
	*sessions
	pool *pgxpool.Pool
}

// Users is the djangouser.Store of Django's user table (auth_user, or the
// custom table of Settings.UserModel) and of auth_group, auth_permission
// and django_content_type, over a pgx pool. Use the same pool as the
// session Store. It is safe for concurrent use. Its methods are
// djangouser.Store's, from the SQL core it shares with sqlstore.
type Users struct {
	*users
	pool *pgxpool.Pool
}

var (
	_ djangosession.Store = (*Store)(nil)
	_ djangouser.Store    = (*Users)(nil)
)

// The SQL core's query sets, whose methods are Store's and Users'.
type (
	sessions = sqlcore.Sessions
	users    = sqlcore.Users
)

// New returns the store of Django's tables in pool under settings s
// (SECRET_KEY and fallbacks, DjangoVersion and the session serializer are
// read from it). It does no I/O: the tables must exist (Django's migrate
// made them, or [Store.CreateSchema]).
func New(pool *pgxpool.Pool, s *djangobridge.Settings) (*Store, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewSessions, func(c *sessions) *Store { return &Store{c, pool} })
}

// NewUsers returns the user store of pool for the UserModel of s. It does
// no I/O.
func NewUsers(pool *pgxpool.Pool, s *djangobridge.Settings) (*Users, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewUsers, func(c *users) *Users { return &Users{c, pool} })
}

// Pool returns the pool the store was made with.
func (st *Store) Pool() *pgxpool.Pool { return st.pool }

// Pool returns the pool the store was made with.
func (u *Users) Pool() *pgxpool.Pool { return u.pool }

// CreateSchema creates the tables Django's migrate creates for
// contenttypes, auth and sessions (django_session, auth_user, auth_group,
// auth_permission with the permission rows, django_content_type,
// django_migrations...), exactly as Django 5.2 makes them on PostgreSQL,
// in one transaction. Django 3.2 to 6.1 use the same tables, and a later
// `manage.py migrate` finds nothing to do for these apps. A database
// (schema) that already has django_migrations is left alone (nil error).
func (st *Store) CreateSchema(ctx context.Context) error {
	return sqlcore.CreateSchema(ctx, handle(st.pool))
}
