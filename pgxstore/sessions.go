// Package pgxstore keeps Django's tables on PostgreSQL through pgx/v5's
// native interface (*pgxpool.Pool): the db session engine on
// django_session and, for djangouser, auth_user and the permission tables.
// A user of database/sql (or of SQLite or MySQL) uses package sqlstore.
package pgxstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Store is the db session engine (django.contrib.sessions.backends.db) on
// django_session over a pgx pool. It implements djangosession.Store with
// Django's semantics: a session is live while expire_date > now, "now"
// being the Go process's clock (as Django uses its own, not the
// database's); expired rows stay until ClearExpired. It is safe for
// concurrent use.
type Store struct {
	pool  *pgxpool.Pool
	codec *djangosession.Codec
	now   func() time.Time
	q     sessionQueries
}

var _ djangosession.Store = (*Store)(nil)

type sessionQueries struct {
	load, loadRecord, exists, insert, update, delete, clear string
}

// SessionTable is the table of Django's session model, django_session.
const SessionTable = "django_session"

// New returns the store of Django's tables in pool under settings s
// (SECRET_KEY and fallbacks, DjangoVersion and the session serializer are
// read from it). It does no I/O: the tables must exist (Django's migrate
// made them, or [Store.CreateSchema]).
func New(pool *pgxpool.Pool, s *djangobridge.Settings) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgxstore: nil *pgxpool.Pool")
	}
	if s == nil {
		return nil, errors.New("pgxstore: nil Settings")
	}
	codec, err := djangosession.NewCodec(s)
	if err != nil {
		return nil, err
	}
	if _, err := s.Location(); err != nil {
		return nil, err
	}
	t := quote(SessionTable)
	return &Store{pool: pool, codec: codec, now: time.Now, q: sessionQueries{
		load:       "SELECT session_data FROM " + t + " WHERE session_key = $1 AND expire_date > $2",
		loadRecord: "SELECT session_data, expire_date FROM " + t + " WHERE session_key = $1 AND expire_date > $2",
		exists:     "SELECT 1 FROM " + t + " WHERE session_key = $1 AND expire_date > $2",
		insert:     "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES ($1, $2, $3) ON CONFLICT (session_key) DO NOTHING",
		update:     "UPDATE " + t + " SET session_data = $1, expire_date = $2 WHERE session_key = $3",
		delete:     "DELETE FROM " + t + " WHERE session_key = $1",
		clear:      "DELETE FROM " + t + " WHERE expire_date < $1",
	}}, nil
}

// Pool returns the pool the store was made with.
func (st *Store) Pool() *pgxpool.Pool { return st.pool }

// Load returns the data of the live session key:
// SELECT ... WHERE session_key = key AND expire_date > now.
// A missing or expired row is djangosession.ErrNotFound; data that does not
// decode is an error djangosession.IsDataError recognises.
func (st *Store) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	var data string
	err := st.pool.QueryRow(ctx, st.q.load, key, timeArg(st.now())).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, djangosession.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("pgxstore: load session: %w", err)
	}
	return st.codec.Decode(data)
}

// LoadRecord is Load that also returns the row's expire_date, and the
// ExpiryAge Django's cached_db engine derives from it
// (get_expiry_age(expiry=expire_date)) to set the cache entry's timeout.
// On a data error the Record still carries Key and ExpireDate.
func (st *Store) LoadRecord(ctx context.Context, key string) (djangosession.Record, error) {
	var data string
	var exp time.Time
	now := st.now()
	err := st.pool.QueryRow(ctx, st.q.loadRecord, key, timeArg(now)).Scan(&data, &exp)
	if errors.Is(err, pgx.ErrNoRows) {
		return djangosession.Record{}, djangosession.ErrNotFound
	}
	if err != nil {
		return djangosession.Record{}, fmt.Errorf("pgxstore: load session: %w", err)
	}
	r := djangosession.Record{Key: key, ExpireDate: exp, ExpiryAge: djangosession.ExpiryAgeAt(exp, now)}
	r.Data, err = st.codec.Decode(data)
	return r, err
}

// Save writes r: with mustCreate an INSERT ... ON CONFLICT DO NOTHING that
// fails with djangosession.ErrExists when the key is taken (Django's
// CreateError), otherwise an UPDATE of session_data and expire_date that
// fails with djangosession.ErrVanished when the row is gone (UpdateError).
// It returns r.Key. Each is one statement: nothing is half-written.
func (st *Store) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	if r.Data == nil {
		r.Data = &djangosession.Map{}
	}
	data, err := st.codec.Encode(r.Data)
	if err != nil {
		return "", err
	}
	if mustCreate {
		tag, err := st.pool.Exec(ctx, st.q.insert, r.Key, data, timeArg(r.ExpireDate))
		if err != nil {
			if isUniqueViolation(err) {
				return "", djangosession.ErrExists
			}
			return "", fmt.Errorf("pgxstore: create session: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return "", djangosession.ErrExists
		}
		return r.Key, nil
	}
	tag, err := st.pool.Exec(ctx, st.q.update, data, timeArg(r.ExpireDate), r.Key)
	if err != nil {
		return "", fmt.Errorf("pgxstore: update session: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return "", djangosession.ErrVanished
	}
	return r.Key, nil
}

// Delete removes the row of key; a missing row is not an error.
func (st *Store) Delete(ctx context.Context, key string) error {
	if _, err := st.pool.Exec(ctx, st.q.delete, key); err != nil {
		return fmt.Errorf("pgxstore: delete session: %w", err)
	}
	return nil
}

// Exists reports whether a live (unexpired) row of key exists.
func (st *Store) Exists(ctx context.Context, key string) (bool, error) {
	var one int
	err := st.pool.QueryRow(ctx, st.q.exists, key, timeArg(st.now())).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("pgxstore: session exists: %w", err)
	}
	return true, nil
}

// ClearExpired deletes the rows with expire_date < now, as manage.py
// clearsessions does, and returns how many it deleted.
func (st *Store) ClearExpired(ctx context.Context) (int64, error) {
	tag, err := st.pool.Exec(ctx, st.q.clear, timeArg(st.now()))
	if err != nil {
		return 0, fmt.Errorf("pgxstore: clear expired sessions: %w", err)
	}
	return tag.RowsAffected(), nil
}
