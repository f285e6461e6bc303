package sqlcore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// BackendDatabaseCache is the BACKEND of Django's database cache.
const BackendDatabaseCache = "django.core.cache.backends.db.DatabaseCache"

// ErrCacheUnsupported is wrapped by errors about a CACHES entry the
// database cache does not implement; the message names it.
var ErrCacheUnsupported = errors.New("unsupported cache setting")

// DBCache is Django's database cache (django.core.cache.backends.db.
// DatabaseCache, the table `manage.py createcachetable` makes) as the cache
// and cached_db session engines use it. It implements djangosession.Cache:
//
//   - row: cache_key (KEY_FUNCTION(key, KEY_PREFIX, VERSION), by default
//     "KEY_PREFIX:VERSION:key"), value (base64 of pickle.dumps(dict, 5)),
//     expires (now + timeout, whole seconds, bound as Django binds a
//     DateTimeField: naive text in UTC or TIME_ZONE on SQLite and MySQL,
//     timestamptz on PostgreSQL);
//   - get: a row whose expires < now is deleted and missing, as Django's
//     get_many does; has: expires > now (seconds);
//   - set and add first cull as _base_set does: over MAX_ENTRIES (300) rows,
//     delete the expired ones, then, still over, the first 1/CULL_FREQUENCY
//     (3) by cache_key (CULL_FREQUENCY 0: every row); add replaces an
//     expired row and fails on a live one;
//   - replace (the session engine's update) writes only a live row.
//
// Safe for concurrent use.
type DBCache struct {
	h          Handle
	loc        *time.Location
	now        func() time.Time
	prefix     string
	version    int
	keyFunc    func(key, keyPrefix string, version int) string
	maxEntries int64
	cullFreq   int64
	limit      int
	q          cacheQueries
	table      string
}

type cacheQueries struct {
	get, del, has, count, selectOne, insert, update, replace, existsLive, cullExpired, cullKey, cullBelow, clear string
	createTable, createIndex                                                                                     string
}

// NewDBCache returns the database cache of h for s.Cache: BACKEND must be
// BackendDatabaseCache, LOCATION the table name; OPTIONS MAX_ENTRIES and
// CULL_FREQUENCY are read (others are refused, naming them); KEY_PREFIX,
// VERSION, KEY_FUNCTION, USE_TZ, TIME_ZONE and SessionDataLimit too. It
// does no I/O.
func NewDBCache(h Handle, s *djangobridge.Settings) (*DBCache, error) {
	loc, err := h.location(s)
	if err != nil {
		return nil, err
	}
	cs := s.Cache
	if cs.Backend != BackendDatabaseCache {
		return nil, fmt.Errorf("%s: %w: BACKEND %q is not the database cache (%s)", h.Pkg, ErrCacheUnsupported, cs.Backend, BackendDatabaseCache)
	}
	if len(cs.Location) != 1 || cs.Location[0] == "" {
		return nil, fmt.Errorf("%s: the database cache's LOCATION is its table name (createcachetable), one string; got %q", h.Pkg, cs.Location)
	}
	c := &DBCache{h: h, loc: loc, now: time.Now, prefix: cs.KeyPrefix, version: cs.Version, keyFunc: cs.KeyFunc,
		maxEntries: 300, cullFreq: 3, limit: s.SessionDataLimit, table: cs.Location[0]}
	if c.version == 0 {
		c.version = 1
	}
	if c.limit <= 0 {
		c.limit = djangobridge.DefaultSessionDataLimit
	}
	for k, v := range cs.Options {
		n, err := optInt(v)
		switch {
		case k != "MAX_ENTRIES" && k != "CULL_FREQUENCY":
			return nil, fmt.Errorf("%s: %w: OPTIONS[%q] of DatabaseCache is not supported (supported: MAX_ENTRIES, CULL_FREQUENCY)", h.Pkg, ErrCacheUnsupported, k)
		case err != nil || n < 0:
			return nil, fmt.Errorf("%s: %w: OPTIONS[%q] must be a non-negative integer, not %v", h.Pkg, ErrCacheUnsupported, k, v)
		case k == "MAX_ENTRIES":
			c.maxEntries = n
		default:
			c.cullFreq = n
		}
	}
	d := h.Dialect
	t := d.Quote(c.table)
	ck, val, exp := d.Quote("cache_key"), d.Quote("value"), d.Quote("expires")
	c.q = cacheQueries{
		get:         d.Rebind("SELECT " + val + ", " + exp + " FROM " + t + " WHERE " + ck + " = ?"),
		del:         d.Rebind("DELETE FROM " + t + " WHERE " + ck + " = ?"),
		has:         d.Rebind("SELECT " + ck + " FROM " + t + " WHERE " + ck + " = ? and " + exp + " > ?"),
		count:       "SELECT COUNT(*) FROM " + t,
		selectOne:   d.Rebind("SELECT " + exp + " FROM " + t + " WHERE " + ck + " = ?"),
		insert:      d.Rebind("INSERT INTO " + t + " (" + ck + ", " + val + ", " + exp + ") VALUES (?, ?, ?)"),
		update:      d.Rebind("UPDATE " + t + " SET " + val + " = ?, " + exp + " = ? WHERE " + ck + " = ?"),
		replace:     d.Rebind("UPDATE " + t + " SET " + val + " = ?, " + exp + " = ? WHERE " + ck + " = ? AND " + exp + " >= ?"),
		existsLive:  d.Rebind("SELECT 1 FROM " + t + " WHERE " + ck + " = ? AND " + exp + " >= ?"),
		cullExpired: d.Rebind("DELETE FROM " + t + " WHERE " + exp + " < ?"),
		cullKey:     d.Rebind("SELECT " + ck + " FROM " + t + " ORDER BY " + ck + " LIMIT 1 OFFSET ?"),
		cullBelow:   d.Rebind("DELETE FROM " + t + " WHERE " + ck + " < ?"),
		clear:       "DELETE FROM " + t,
		createIndex: "CREATE INDEX " + d.Quote(c.table+"_expires") + " ON " + t + " (" + exp + ")",
	}
	// createcachetable's DDL: CharField(255, primary key), TextField,
	// DateTimeField(db_index=True), as each backend types them.
	switch d {
	case SQLite:
		c.q.createTable = "CREATE TABLE " + t + " (" + ck + " varchar(255) NOT NULL PRIMARY KEY, " + val + " text NOT NULL, " + exp + " datetime NOT NULL)"
	case PostgreSQL:
		c.q.createTable = "CREATE TABLE " + t + " (" + ck + " varchar(255) NOT NULL PRIMARY KEY, " + val + " text NOT NULL, " + exp + " timestamp with time zone NOT NULL)"
	case MySQL:
		c.q.createTable = "CREATE TABLE " + t + " (" + ck + " varchar(255) NOT NULL PRIMARY KEY, " + val + " longtext NOT NULL, " + exp + " datetime(6) NOT NULL)"
	}
	return c, nil
}

func optInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		if x != math.Trunc(x) {
			return 0, errors.New("not an integer")
		}
		return int64(x), nil
	case json.Number:
		return strconv.ParseInt(string(x), 10, 64)
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("%T", v)
}

// Key is the cache_key of a cache key (make_key).
func (c *DBCache) Key(key string) string {
	if c.keyFunc != nil {
		return c.keyFunc(key, c.prefix, c.version)
	}
	return c.prefix + ":" + strconv.Itoa(c.version) + ":" + key
}

// CreateTable is `manage.py createcachetable` for this cache's table: the
// table and its expires index, as Django creates them; a table that exists
// is left alone.
func (c *DBCache) CreateTable(ctx context.Context) error {
	var one int64
	err := c.h.DB.QueryRow(ctx, c.h.Dialect.Rebind(c.h.Dialect.tableExistsQuery()), c.table).Scan(&one)
	if err == nil {
		return nil
	}
	if !c.h.noRows(err) {
		return c.h.errorf("createcachetable: %w", err)
	}
	err = c.h.DB.InTx(ctx, func(tx Querier) error {
		if _, err := tx.Exec(ctx, c.q.createTable); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, c.q.createIndex)
		return err
	})
	if err != nil {
		return c.h.errorf("createcachetable %s: %w", c.table, err)
	}
	return nil
}

// nowSec is tz_now().replace(microsecond=0).
func (c *DBCache) nowSec() time.Time { return c.now().Truncate(time.Second) }

func (c *DBCache) timeArg(t time.Time) any { return c.h.Dialect.TimeArg(t, c.loc) }

// Get returns the dict under key: ErrNotFound when missing or expired (the
// expired row is deleted), a data error when the value is not base64 of a
// pickled dict.
func (c *DBCache) Get(ctx context.Context, key string) (*djangosession.Map, error) {
	k := c.Key(key)
	var value string
	var exp time.Time
	err := c.h.DB.QueryRow(ctx, c.q.get, k).Scan(c.h.Text(&value), c.h.Time(&exp, c.loc))
	if err != nil {
		if c.h.noRows(err) {
			return nil, djangosession.ErrNotFound
		}
		return nil, c.h.errorf("cache get: %w", err)
	}
	if exp.Before(c.now()) {
		if _, err := c.h.DB.Exec(ctx, c.q.del, k); err != nil {
			return nil, c.h.errorf("cache delete expired: %w", err)
		}
		return nil, djangosession.ErrNotFound
	}
	return c.decode(value)
}

// decode is pickle.loads(base64.b64decode(value, validate=True)).
func (c *DBCache) decode(value string) (*djangosession.Map, error) {
	if len(value) > c.limit*4/3+8 {
		return nil, fmt.Errorf("%w: cache value of %d bytes", djangosession.ErrTooLarge, len(value))
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil {
		return nil, fmt.Errorf("%w: cache value is not base64: %v", djangosession.ErrMalformed, err)
	}
	v, err := djangosession.Unpickle(raw, c.limit)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*djangosession.Map)
	if !ok {
		return nil, fmt.Errorf("%w: cached value is a %T, not a session dict", djangosession.ErrMalformed, v)
	}
	return m, nil
}

func encodeValue(m *djangosession.Map) (string, error) {
	if m == nil {
		m = &djangosession.Map{}
	}
	p, err := djangosession.Pickle(m)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(p), nil
}

// expires is datetime.fromtimestamp(time.time() + timeout).replace(microsecond=0).
func (c *DBCache) expires(timeout int) time.Time {
	return c.now().Add(time.Duration(timeout) * time.Second).Truncate(time.Second)
}

// Set is cache.set (after _base_set's cull). A timeout ≤ 0 deletes (Django
// writes a row already expired: the same to every reader).
func (c *DBCache) Set(ctx context.Context, key string, data *djangosession.Map, timeout int) error {
	k := c.Key(key)
	if timeout <= 0 {
		return c.Delete(ctx, key)
	}
	v, err := encodeValue(data)
	if err != nil {
		return err
	}
	exp := c.timeArg(c.expires(timeout))
	err = c.h.DB.InTx(ctx, func(tx Querier) error {
		if err := c.cull(ctx, tx); err != nil {
			return err
		}
		var cur time.Time
		err := tx.QueryRow(ctx, c.q.selectOne, k).Scan(c.h.Time(&cur, c.loc))
		if err == nil {
			_, err = tx.Exec(ctx, c.q.update, v, exp, k)
			return err
		}
		if !c.h.noRows(err) {
			return err
		}
		_, err = tx.Exec(ctx, c.q.insert, k, v, exp)
		return err
	})
	if err != nil {
		return c.h.errorf("cache set: %w", err)
	}
	return nil
}

// Add is cache.add: it writes when the key is free or its row expired, and
// reports whether it did. With a timeout ≤ 0 it writes nothing and reports
// whether the key was free.
func (c *DBCache) Add(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	k := c.Key(key)
	v, err := encodeValue(data)
	if err != nil {
		return false, err
	}
	added := false
	err = c.h.DB.InTx(ctx, func(tx Querier) error {
		if err := c.cull(ctx, tx); err != nil {
			return err
		}
		now := c.nowSec()
		var cur time.Time
		err := tx.QueryRow(ctx, c.q.selectOne, k).Scan(c.h.Time(&cur, c.loc))
		switch {
		case err == nil && !cur.Before(now):
			return nil // live: Django's INSERT fails, add returns False
		case err == nil:
			added = true
			if timeout <= 0 {
				_, err = tx.Exec(ctx, c.q.del, k)
				return err
			}
			_, err = tx.Exec(ctx, c.q.update, v, c.timeArg(c.expires(timeout)), k)
			return err
		case !c.h.noRows(err):
			return err
		}
		added = true
		if timeout <= 0 {
			return nil
		}
		_, err = tx.Exec(ctx, c.q.insert, k, v, c.timeArg(c.expires(timeout)))
		if err != nil && IsUniqueViolation(err) {
			added = false // another writer won
			return nil
		}
		return err
	})
	if err != nil {
		return false, c.h.errorf("cache add: %w", err)
	}
	return added, nil
}

// Replace writes data only over a live row and reports whether there was
// one; a timeout ≤ 0 deletes.
func (c *DBCache) Replace(ctx context.Context, key string, data *djangosession.Map, timeout int) (bool, error) {
	k := c.Key(key)
	now := c.timeArg(c.nowSec())
	if timeout <= 0 {
		var one int64
		err := c.h.DB.QueryRow(ctx, c.q.existsLive, k, now).Scan(&one)
		if err != nil && !c.h.noRows(err) {
			return false, c.h.errorf("cache replace: %w", err)
		}
		return err == nil, c.Delete(ctx, key)
	}
	v, err := encodeValue(data)
	if err != nil {
		return false, err
	}
	res, err := c.h.DB.Exec(ctx, c.q.replace, v, c.timeArg(c.expires(timeout)), k, now)
	if err != nil {
		return false, c.h.errorf("cache replace: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, c.h.errorf("cache replace: %w", err)
	}
	if n > 0 {
		return true, nil
	}
	if c.h.Dialect == MySQL {
		// MySQL counts changed rows: the same value and expiry report 0.
		var one int64
		err := c.h.DB.QueryRow(ctx, c.q.existsLive, k, now).Scan(&one)
		if err == nil {
			return true, nil
		}
		if !c.h.noRows(err) {
			return false, c.h.errorf("cache replace: %w", err)
		}
	}
	return false, nil
}

// Delete is cache.delete.
func (c *DBCache) Delete(ctx context.Context, key string) error {
	if _, err := c.h.DB.Exec(ctx, c.q.del, c.Key(key)); err != nil {
		return c.h.errorf("cache delete: %w", err)
	}
	return nil
}

// Has is cache.has_key: a row with expires > now (whole seconds).
func (c *DBCache) Has(ctx context.Context, key string) (bool, error) {
	var k string
	err := c.h.DB.QueryRow(ctx, c.q.has, c.Key(key), c.timeArg(c.nowSec())).Scan(c.h.Text(&k))
	if err == nil {
		return true, nil
	}
	if c.h.noRows(err) {
		return false, nil
	}
	return false, c.h.errorf("cache has_key: %w", err)
}

// cull is _base_set's: over MAX_ENTRIES rows, _cull.
func (c *DBCache) cull(ctx context.Context, tx Querier) error {
	var num int64
	if err := tx.QueryRow(ctx, c.q.count).Scan(&num); err != nil {
		return err
	}
	if num <= c.maxEntries {
		return nil
	}
	if c.cullFreq == 0 {
		_, err := tx.Exec(ctx, c.q.clear)
		return err
	}
	res, err := tx.Exec(ctx, c.q.cullExpired, c.timeArg(c.nowSec()))
	if err != nil {
		return err
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return err
	}
	remaining := num - deleted
	if remaining <= c.maxEntries {
		return nil
	}
	var last string
	err = tx.QueryRow(ctx, c.q.cullKey, remaining/c.cullFreq).Scan(c.h.Text(&last))
	if c.h.noRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, c.q.cullBelow, last)
	return err
}

var _ djangosession.Cache = (*DBCache)(nil)
