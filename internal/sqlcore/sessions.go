package sqlcore

import (
	"context"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// SessionTable is the table of Django's session model.
const SessionTable = "django_session"

// Sessions is the db session engine (django.contrib.sessions.backends.db)
// on django_session. It implements djangosession.Store with Django's
// semantics: a session is live while expire_date > now, "now" being the Go
// process's clock (as Django uses its own, not the database's); expired
// rows stay until ClearExpired. It is safe for concurrent use.
type Sessions struct {
	h     Handle
	codec *djangosession.Codec
	loc   *time.Location
	now   func() time.Time
	q     sessionQueries
}

var _ djangosession.Store = (*Sessions)(nil)

// sessionQueries are the statements on django_session, in the dialect's
// placeholders.
type sessionQueries struct {
	load, loadRecord, exists, existsAny, insert, update, delete, clear string
}

// NewSessions returns the session engine of h under settings s (SECRET_KEY
// and fallbacks, DjangoVersion, USE_TZ, TIME_ZONE and the session
// serializer are read from it). It does no I/O.
func NewSessions(h Handle, s *djangobridge.Settings) (*Sessions, error) {
	loc, err := h.location(s)
	if err != nil {
		return nil, err
	}
	codec, err := djangosession.NewCodec(s)
	if err != nil {
		return nil, err
	}
	d := h.Dialect
	t := d.Quote(SessionTable)
	st := &Sessions{h: h, codec: codec, loc: loc, now: time.Now}
	st.q = sessionQueries{
		load:       d.Rebind("SELECT session_data FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		loadRecord: d.Rebind("SELECT session_data, expire_date FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		exists:     d.Rebind("SELECT 1 FROM " + t + " WHERE session_key = ? AND expire_date > ?"),
		existsAny:  d.Rebind("SELECT 1 FROM " + t + " WHERE session_key = ?"),
		update:     d.Rebind("UPDATE " + t + " SET session_data = ?, expire_date = ? WHERE session_key = ?"),
		delete:     d.Rebind("DELETE FROM " + t + " WHERE session_key = ?"),
		clear:      d.Rebind("DELETE FROM " + t + " WHERE expire_date < ?"),
	}
	if d == MySQL {
		// MySQL has no ON CONFLICT: a duplicate key is error 1062.
		st.q.insert = "INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?)"
	} else {
		st.q.insert = d.Rebind("INSERT INTO " + t + " (session_key, session_data, expire_date) VALUES (?, ?, ?) ON CONFLICT (session_key) DO NOTHING")
	}
	return st, nil
}

// nowArg is the current time as bound in a comparison with expire_date.
func (st *Sessions) nowArg() any { return st.h.Dialect.TimeArg(st.now(), st.loc) }

// Load returns the data of the live session key:
// SELECT ... WHERE session_key = key AND expire_date > now.
// A missing or expired row is djangosession.ErrNotFound; data that does not
// decode is an error djangosession.IsDataError recognises.
func (st *Sessions) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	// One allocation for what the driver's interface makes escape: the
	// arguments, the destination and the text.
	c := &struct {
		args [2]any
		dest [1]any
		data string
	}{args: [2]any{key, st.nowArg()}}
	c.dest[0] = st.h.Text(&c.data)
	err := st.h.DB.QueryRow(ctx, st.q.load, c.args[:]...).Scan(c.dest[:]...)
	if err != nil {
		if st.h.noRows(err) {
			return nil, djangosession.ErrNotFound
		}
		return nil, st.h.errorf("load session: %w", err)
	}
	return st.codec.Decode(c.data)
}

// LoadRecord is Load that also returns the row's expire_date, and the
// ExpiryAge Django's cached_db engine derives from it
// (get_expiry_age(expiry=expire_date)) to set the cache entry's timeout.
// On a data error the Record still carries Key and ExpireDate.
func (st *Sessions) LoadRecord(ctx context.Context, key string) (djangosession.Record, error) {
	var data string
	var exp time.Time
	now := st.now()
	err := st.h.DB.QueryRow(ctx, st.q.loadRecord, key, st.h.Dialect.TimeArg(now, st.loc)).Scan(st.h.Text(&data), st.h.Time(&exp, st.loc))
	if err != nil {
		if st.h.noRows(err) {
			return djangosession.Record{}, djangosession.ErrNotFound
		}
		return djangosession.Record{}, st.h.errorf("load session: %w", err)
	}
	r := djangosession.Record{Key: key, ExpireDate: exp, ExpiryAge: djangosession.ExpiryAgeIn(exp, now, st.loc)}
	r.Data, err = st.codec.Decode(data)
	return r, err
}

// Save writes r: with mustCreate an INSERT (ON CONFLICT DO NOTHING where
// the dialect has it) that fails with djangosession.ErrExists when the key
// is taken (Django's CreateError), otherwise an UPDATE of session_data and
// expire_date that fails with djangosession.ErrVanished when the row is
// gone (UpdateError). It returns r.Key. Each is one statement: nothing is
// half-written.
func (st *Sessions) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	if r.Data == nil {
		r.Data = &djangosession.Map{}
	}
	data, err := st.codec.Encode(r.Data)
	if err != nil {
		return "", err
	}
	exp := st.h.Dialect.TimeArg(r.ExpireDate, st.loc)
	if mustCreate {
		res, err := st.h.DB.Exec(ctx, st.q.insert, r.Key, data, exp)
		if err != nil {
			if IsUniqueViolation(err) {
				return "", djangosession.ErrExists
			}
			return "", st.h.errorf("create session: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return "", st.h.errorf("create session: %w", err)
		} else if n == 0 {
			return "", djangosession.ErrExists
		}
		return r.Key, nil
	}
	res, err := st.h.DB.Exec(ctx, st.q.update, data, exp, r.Key)
	if err != nil {
		return "", st.h.errorf("update session: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return "", st.h.errorf("update session: %w", err)
	}
	if n > 0 {
		return r.Key, nil
	}
	if st.h.Dialect == MySQL {
		// Without clientFoundRows MySQL counts changed rows, not matched
		// ones: an UPDATE writing identical values reports 0.
		var one int64
		err := st.h.DB.QueryRow(ctx, st.q.existsAny, r.Key).Scan(&one)
		if err == nil {
			return r.Key, nil
		}
		if !st.h.noRows(err) {
			return "", st.h.errorf("update session: %w", err)
		}
	}
	return "", djangosession.ErrVanished
}

// Delete removes the row of key; a missing row is not an error.
func (st *Sessions) Delete(ctx context.Context, key string) error {
	if _, err := st.h.DB.Exec(ctx, st.q.delete, key); err != nil {
		return st.h.errorf("delete session: %w", err)
	}
	return nil
}

// Exists reports whether a live (unexpired) row of key exists.
func (st *Sessions) Exists(ctx context.Context, key string) (bool, error) {
	var one int64
	err := st.h.DB.QueryRow(ctx, st.q.exists, key, st.nowArg()).Scan(&one)
	if err == nil {
		return true, nil
	}
	if st.h.noRows(err) {
		return false, nil
	}
	return false, st.h.errorf("session exists: %w", err)
}

// ClearExpired deletes the rows with expire_date < now, as manage.py
// clearsessions does, and returns how many it deleted.
func (st *Sessions) ClearExpired(ctx context.Context) (int64, error) {
	res, err := st.h.DB.Exec(ctx, st.q.clear, st.nowArg())
	if err != nil {
		return 0, st.h.errorf("clear expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, st.h.errorf("clear expired sessions: %w", err)
	}
	return n, nil
}
