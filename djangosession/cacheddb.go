package djangosession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/djangobridge/djangobridge"
)

// RecordLoader is a Store that can also return the expiry of the session
// it loads: the db engines (sqlstore, pgxstore) implement it, and the
// cached_db engine needs it to give the cache entry it fills the row's
// remaining lifetime (get_expiry_age(expiry=s.expire_date)).
type RecordLoader interface {
	LoadRecord(ctx context.Context, key string) (Record, error)
}

// CachedDBStore is the cached_db engine
// (django.contrib.sessions.backends.cached_db): the database row is the
// truth and the cache, under CachedDBKeyPrefix+key, a write-through copy.
//
//   - Load reads the cache; on a miss it reads the row and refills the
//     cache with the row's remaining lifetime as timeout.
//   - Save writes the row, then the cache entry.
//   - Delete removes the row, then the cache entry.
//
// A cache that fails (Redis down) is logged to Settings.Logger and the
// database answers alone, as Django 5.1+ does for saves and every release
// does for reads; djangobridge also tolerates a failing refill, which
// Django does not. Only Delete returns a cache error: a session that
// lived on in the cache after a logout would still log the user in.
type CachedDBStore struct {
	cache Cache
	db    Store
	rl    RecordLoader
	log   *slog.Logger
	now   func() time.Time
}

// NewCachedDBStore returns the cached_db engine over cache and db, the
// database store (which must implement RecordLoader, as sqlstore and
// pgxstore do). s provides the Logger.
func NewCachedDBStore(cache Cache, db Store, s *djangobridge.Settings) (*CachedDBStore, error) {
	if cache == nil || db == nil {
		return nil, errors.New("djangosession: cached_db needs a cache and a database store")
	}
	rl, ok := db.(RecordLoader)
	if !ok {
		return nil, fmt.Errorf("djangosession: cached_db: %T does not implement RecordLoader", db)
	}
	st := &CachedDBStore{cache: cache, db: db, rl: rl, now: time.Now}
	if s != nil {
		if _, err := s.Release(); err != nil {
			return nil, err
		}
		st.log = s.Logger
	}
	if st.log == nil {
		st.log = slog.Default()
	}
	return st, nil
}

// Load returns the session from the cache or, failing that, the database
// (then refilling the cache). A corrupt cache entry is treated as a miss,
// as Django does (its cache.get raises, and load falls back to the row).
func (st *CachedDBStore) Load(ctx context.Context, key string) (*Map, error) {
	ck := CachedDBKeyPrefix + key
	m, err := st.cache.Get(ctx, ck)
	switch {
	case err == nil:
		return m, nil
	case errors.Is(err, ErrNotFound):
	case ctx.Err() != nil:
		return nil, err
	default:
		st.log.WarnContext(ctx, "djangosession: cached_db: cache read failed, reading the database", "error", err)
	}
	r, err := st.rl.LoadRecord(ctx, key)
	if err != nil {
		return nil, err
	}
	if r.Data == nil {
		r.Data = &Map{}
	}
	if err := st.cache.Set(ctx, ck, r.Data, ExpiryAgeAt(r.ExpireDate, st.now())); err != nil {
		st.log.WarnContext(ctx, "djangosession: cached_db: cache refill failed", "error", err)
	}
	return r.Data, nil
}

// Save writes the row (ErrExists / ErrVanished as the database store
// says), then the cache entry with timeout r.ExpiryAge. A cache failure
// after the row was written is logged, not returned (Django 5.1+: "Error
// saving to cache").
func (st *CachedDBStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	key, err := st.db.Save(ctx, r, mustCreate)
	if err != nil {
		return "", err
	}
	if err := st.cache.Set(ctx, CachedDBKeyPrefix+key, nilToEmpty(r.Data), r.ExpiryAge); err != nil {
		st.log.ErrorContext(ctx, "djangosession: cached_db: error saving to cache", "error", err)
	}
	return key, nil
}

// Delete removes the row, then the cache entry; both errors are returned.
func (st *CachedDBStore) Delete(ctx context.Context, key string) error {
	if err := st.db.Delete(ctx, key); err != nil {
		return err
	}
	return st.cache.Delete(ctx, CachedDBKeyPrefix+key)
}

// Exists reports whether the cache holds the session or the database has
// its row (an unreachable cache is logged and skipped).
func (st *CachedDBStore) Exists(ctx context.Context, key string) (bool, error) {
	ok, err := st.cache.Has(ctx, CachedDBKeyPrefix+key)
	if err == nil && ok {
		return true, nil
	}
	if err != nil {
		st.log.WarnContext(ctx, "djangosession: cached_db: cache lookup failed", "error", err)
	}
	return st.db.Exists(ctx, key)
}

// ClearExpired clears expired rows; cache entries expire by themselves.
func (st *CachedDBStore) ClearExpired(ctx context.Context) (int64, error) {
	return st.db.ClearExpired(ctx)
}

var _ Store = (*CachedDBStore)(nil)
