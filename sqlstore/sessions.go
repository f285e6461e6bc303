package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Store is the db session engine (django.contrib.sessions.backends.db) on
// django_session through database/sql. It implements djangosession.Store
// with Django's semantics: a session is live while expire_date > now, "now"
// being the Go process's clock (as Django uses its own, not the database's);
// expired rows stay until ClearExpired. It is safe for concurrent use.
type Store struct {
	db    *sql.DB
	d     Dialect
	codec *djangosession.Codec
	loc   *time.Location
	now   func() time.Time
	q     sessionQueries
}

var _ djangosession.Store = (*Store)(nil)

// sessionQueries are the statements on django_session, in d's placeholders.
type sessionQueries struct {
	load, loadRecord, exists, insert, update, delete, clear, existsAny string
}

// SessionTable is the table of Django's session model, django_session.
const SessionTable = "django_session"

// New returns the store of Django's tables in db, which speaks d, under
// settings s (SECRET_KEY and fallbacks, DjangoVersion, USE_TZ, TIME_ZONE
// and the session serializer are read from it). It does no I/O: the
// tables must exist (Django's migrate made them, or [Store.CreateSchema]).
func New(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: nil *sql.DB")
	}
	if !d.valid() {
		return nil, fmt.Errorf("sqlstore: invalid dialect %v", d)
	}
	if s == nil {
		return nil, errors.New("sqlstore: nil Settings")
	}
	codec, err := djangosession.NewCodec(s)
	if err != nil {
		return nil, err
	}
	loc, err := s.Location()
	if err != nil {
		return nil, err
	}
	t := d.quote(SessionTable)
	st := &Store{db: db, d: d, codec: codec, loc: loc, now: time.Now}
	st.q = sessionQueries{
		load:       d.rebind("SELECT session_data FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		loadRecord: d.rebind("SELECT session_data, expire_date FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		exists:     d.rebind("SELECT 1 FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		existsAny:  d.rebind("SELECT 1 FROM " + t + " WHERE session_key = ?"),
		update:     d.rebind("UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ?"),
		delete:     d.rebind("DELETE FROM " + t + " WHERE session_key = ?"),
		clear:      d.rebind("DELETE FROM " + t + " WHERE expire_date < ?"),
	}
	if d == MySQL {
		// MySQL has no ON CONFLICT: a duplicate key is error 1062.
		st.q.insert = "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?)"
	} else {
		st.q.insert = d.rebind("INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?) ON CONFLICT (session_key) DO NOTHING")
	}
	return st, nil
}

// DB returns the handle the store was made with.
func (st *Store) DB() *sql.DB { return st.db }

// Dialect returns the store's dialect.
func (st *Store) Dialect() Dialect { return st.d }

// nowArg is the current time as bound in a comparison with expire_date.
func (st *Store) nowArg() any { return st.d.timeArg(st.now(), st.loc) }

// Load returns the data of the live session key:
// SELECT ... WHERE session_key = key AND expire_date > now.
// A missing or expired row is djangosession.ErrNotFound; data that does not
// decode is an error djangosession.IsDataError recognises.
func (st *Store) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	var data string
	err := st.db.QueryRowContext(ctx, st.q.load, key, st.nowArg()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, djangosession.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: load session: %w", err)
	}
	return st.codec.Decode(data)
}

// LoadRecord is Load that also returns the row's expire_date, and the
// ExpiryAge Django's cached_db engine derives from it
// (get_expiry_age(expiry=expire_date)) to set the cache entry's timeout.
// On a data error the Record still carries Key and ExpireDate.
func (st *Store) LoadRecord(ctx context.Context, key string) (djangosession.Record, error) {
	var data string
	exp := st.d.scanTime(st.loc)
	now := st.now()
	err := st.db.QueryRowContext(ctx, st.q.loadRecord, key, st.d.timeArg(now, st.loc)).Scan(&data, exp)
	if errors.Is(err, sql.ErrNoRows) {
		return djangosession.Record{}, djangosession.ErrNotFound
	}
	if err != nil {
		return djangosession.Record{}, fmt.Errorf("sqlstore: load session: %w", err)
	}
	r := djangosession.Record{Key: key, ExpireDate: exp.Time, ExpiryAge: djangosession.ExpiryAgeAt(exp.Time, now)}
	r.Data, err = st.codec.Decode(data)
	return r, err
}

// Save writes r: with mustCreate an INSERT that fails with
// djangosession.ErrExists when the key is taken (Django's CreateError),
// otherwise an UPDATE of session_data and expire_date that fails with
// djangosession.ErrVanished when the row is gone (UpdateError). It returns
// r.Key. Each is one statement: nothing is half-written.
func (st *Store) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	if r.Data == nil {
		r.Data = &djangosession.Map{}
	}
	data, err := st.codec.Encode(r.Data)
	if err != nil {
		return "", err
	}
	exp := st.d.timeArg(r.ExpireDate, st.loc)
	if mustCreate {
		res, err := st.db.ExecContext(ctx, st.q.insert, r.Key, data, exp)
		if err != nil {
			if isUniqueViolation(err) {
				return "", djangosession.ErrExists
			}
			return "", fmt.Errorf("sqlstore: create session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return "", fmt.Errorf("sqlstore: create session: %w", err)
		} else if n == 0 {
			return "", djangosession.ErrExists
		}
		return r.Key, nil
	}
	res, err := st.db.ExecContext(ctx, st.q.update, data, exp, r.Key)
	if err != nil {
		return "", fmt.Errorf("sqlstore: update session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return "", fmt.Errorf("sqlstore: update session: %w", err)
	}
	if n == 0 {
		if st.d == MySQL {
			// Without clientFoundRows MySQL counts changed rows, not
			// matched ones: an UPDATE writing identical values reports 0.
			var one int
			err := st.db.QueryRowContext(ctx, st.q.existsAny, r.Key).Scan(&one)
			if err == nil {
				return r.Key, nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return "", fmt.Errorf("sqlstore: update session: %w", err)
			}
		}
		return "", djangosession.ErrVanished
	}
	return r.Key, nil
}

// Delete removes the row of key; a missing row is not an error.
func (st *Store) Delete(ctx context.Context, key string) error {
	if _, err := st.db.ExecContext(ctx, st.q.delete, key); err != nil {
		return fmt.Errorf("sqlstore: delete session: %w", err)
	}
	return nil
}

// Exists reports whether a live (unexpired) row of key exists.
func (st *Store) Exists(ctx context.Context, key string) (bool, error) {
	var one int
	err := st.db.QueryRowContext(ctx, st.q.exists, key, st.nowArg()).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: session exists: %w", err)
	}
	return true, nil
}

// ClearExpired deletes the rows with expire_date < now, as manage.py
// clearsessions does, and returns how many it deleted.
func (st *Store) ClearExpired(ctx context.Context) (int64, error) {
	res, err := st.db.ExecContext(ctx, st.q.clear, st.nowArg())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: clear expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: clear expired sessions: %w", err)
	}
	return n, nil
}
