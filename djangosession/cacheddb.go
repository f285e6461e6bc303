package djangosession

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
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
//
// After a cache outage. A save whose cache update failed leaves the cache
// with the older copy (Redis restarted from its append-only file, or never
// told): read back, it would serve stale data, and the next save would
// write it over the newer row. So the store remembers every key whose
// cache update or delete failed ("stale keys"); while a key is stale its
// loads skip the cache and read the row; and as soon as the cache answers
// again (the next operation of any key tries), the stale keys are deleted
// from the cache, so that Django and Go both fall through to the row and
// refill the cache from it. What remains, and cannot be fixed from here:
//
//   - Django processes do not know the stale keys: until Go has deleted
//     them (its first operation after the cache is back), a Django read
//     of such a key may still get the old copy;
//   - stale keys live in this process's memory: if it stops before the
//     cache is back, they are forgotten (StaleKeys tells how many there
//     are; at most maxStaleKeys are kept, the rest logged at Error);
//   - writes Django made during the outage have the same hazard on
//     Django's side, which djangobridge cannot see.
type CachedDBStore struct {
	cache Cache
	db    Store
	rl    RecordLoader
	log   *slog.Logger
	now   func() time.Time
	loc   *time.Location // Settings.Location: the frame of the TTL arithmetic

	mu       sync.Mutex
	stale    map[string]struct{} // cache keys whose last update or delete failed
	lastFail time.Time           // when a repair last found the cache away
}

// repairBackoff is how long after a failed repair the next automatic one
// waits, so that an absent cache is not asked twice per request.
const repairBackoff = time.Second

// maxStaleKeys bounds the stale-key set (see CachedDBStore): about 100
// bytes each.
const maxStaleKeys = 1 << 20

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
	st := &CachedDBStore{cache: cache, db: db, rl: rl, now: time.Now, loc: time.UTC, stale: make(map[string]struct{})}
	if s != nil {
		if _, err := s.Release(); err != nil {
			return nil, err
		}
		st.log = s.Logger
		loc, err := s.Location()
		if err != nil {
			return nil, err
		}
		st.loc = loc
	}
	if st.log == nil {
		st.log = slog.Default()
	}
	return st, nil
}

// markStale remembers that the cache entry ck may be older than the row.
func (st *CachedDBStore) markStale(ctx context.Context, ck string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.stale) >= maxStaleKeys {
		st.log.ErrorContext(ctx, "djangosession: cached_db: too many stale cache keys to remember; this one may serve old data once the cache is back", "key", ck)
		return
	}
	st.stale[ck] = struct{}{}
}

func (st *CachedDBStore) isStale(ck string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	_, ok := st.stale[ck]
	return ok
}

// StaleKeys returns how many cache keys the store knows to be possibly
// older than their rows (their update or delete failed), waiting for the
// cache to answer again.
func (st *CachedDBStore) StaleKeys() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.stale)
}

// RepairCache deletes the stale keys from the cache (see CachedDBStore),
// stopping at the first failure (the cache is still away). Every Load,
// Save and Delete calls it first; call it yourself to repair sooner
// (from a ticker, say). It returns how many keys remain stale.
func (st *CachedDBStore) RepairCache(ctx context.Context) int {
	st.mu.Lock()
	keys := make([]string, 0, len(st.stale))
	for k := range st.stale {
		keys = append(keys, k)
	}
	st.mu.Unlock()
	for _, k := range keys {
		if err := st.cache.Delete(ctx, k); err != nil {
			st.mu.Lock()
			st.lastFail = st.now()
			st.mu.Unlock()
			break
		}
		st.mu.Lock()
		delete(st.stale, k)
		st.mu.Unlock()
	}
	return st.StaleKeys()
}

// repair is RepairCache when there is anything to repair.
func (st *CachedDBStore) repair(ctx context.Context) {
	st.mu.Lock()
	n := len(st.stale)
	wait := !st.lastFail.IsZero() && st.now().Sub(st.lastFail) < repairBackoff
	st.mu.Unlock()
	if n > 0 && !wait {
		if left := st.RepairCache(ctx); left < n {
			st.log.InfoContext(ctx, "djangosession: cached_db: cache answers again; stale entries deleted", "deleted", n-left, "left", left)
		}
	}
}

// Load returns the session from the cache or, failing that, the database
// (then refilling the cache). A corrupt cache entry is treated as a miss,
// as Django does (its cache.get raises, and load falls back to the row).
// A stale key (see CachedDBStore) is read from the row.
func (st *CachedDBStore) Load(ctx context.Context, key string) (*Map, error) {
	st.repair(ctx)
	ck := CachedDBKeyPrefix + key
	stale := st.isStale(ck)
	if !stale {
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
	}
	r, err := st.rl.LoadRecord(ctx, key)
	if err != nil {
		return nil, err
	}
	if r.Data == nil {
		r.Data = &Map{}
	}
	if stale {
		return r.Data, nil // repair deletes the entry; a refill now could race it
	}
	// get_expiry_age(expiry=s.expire_date): wall clocks with USE_TZ=False.
	if err := st.cache.Set(ctx, ck, r.Data, ExpiryAgeIn(r.ExpireDate, st.now(), st.loc)); err != nil {
		st.log.WarnContext(ctx, "djangosession: cached_db: cache refill failed", "error", err)
		st.markStale(ctx, ck) // a failed write may still have landed
	}
	return r.Data, nil
}

// Save writes the row (ErrExists / ErrVanished as the database store
// says), then the cache entry with timeout r.ExpiryAge. A cache failure
// after the row was written is logged, not returned (Django 5.1+: "Error
// saving to cache"), and the key is remembered as stale until the cache
// answers again (see CachedDBStore).
func (st *CachedDBStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	st.repair(ctx)
	key, err := st.db.Save(ctx, r, mustCreate)
	if err != nil {
		return "", err
	}
	ck := CachedDBKeyPrefix + key
	if st.isStale(ck) {
		return key, nil // still stale: the cache keeps no copy until repaired
	}
	if err := st.cache.Set(ctx, ck, nilToEmpty(r.Data), r.ExpiryAge); err != nil {
		st.log.ErrorContext(ctx, "djangosession: cached_db: error saving to cache", "error", err)
		st.markStale(ctx, ck)
	}
	return key, nil
}

// Delete removes the row, then the cache entry; both errors are returned.
// A failed cache delete is remembered (see CachedDBStore) and retried as
// soon as the cache answers.
func (st *CachedDBStore) Delete(ctx context.Context, key string) error {
	st.repair(ctx)
	if err := st.db.Delete(ctx, key); err != nil {
		return err
	}
	ck := CachedDBKeyPrefix + key
	if err := st.cache.Delete(ctx, ck); err != nil {
		st.markStale(ctx, ck)
		return err
	}
	return nil
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
