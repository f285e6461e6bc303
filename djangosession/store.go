package djangosession

import (
	"context"
	"time"
)

// Store is a session engine: where Django keeps sessions (SESSION_ENGINE).
// Implementations follow Django's semantics and must be safe for
// concurrent use. Keys reaching a Store have passed ValidKey.
//
// The db engine lives in the sqlstore and pgxstore packages, cache in
// redisstore; file, signed_cookies and cached_db (over two Stores) are in
// this package.
type Store interface {
	// Load returns the data of the live session key. A missing or expired
	// session is ErrNotFound. Data that does not decode (bad signature,
	// garbage) is returned as an error that IsDataError recognises; the
	// Session then starts empty but keeps the key, as Django does.
	Load(ctx context.Context, key string) (*Map, error)
	// Save writes r. With mustCreate it must create a new record and
	// return ErrExists if the key is taken; without, it must update an
	// existing record and return ErrVanished if there is none. It returns
	// the key to send in the cookie: r.Key, except for signed_cookies,
	// whose key is the encoded session itself.
	Save(ctx context.Context, r Record, mustCreate bool) (key string, err error)
	// Delete removes the session key; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Exists reports whether a live session key exists.
	Exists(ctx context.Context, key string) (bool, error)
	// ClearExpired removes expired sessions, as manage.py clearsessions,
	// and returns how many it removed (-1 when the engine cannot tell).
	ClearExpired(ctx context.Context) (int64, error)
}

// Record is what a Store writes for one session.
type Record struct {
	Key  string
	Data *Map
	// ExpireDate is get_expiry_date(): the db engine's expire_date.
	ExpireDate time.Time
	// ExpiryAge is get_expiry_age() in seconds: the cache engine's TTL.
	ExpiryAge int
}

// ValidKey reports whether key may name a session: 8 to 40 characters of
// [a-z0-9], the alphabet Django's keys are drawn from. Django itself only
// checks the length ≥ 8 (the file engine the alphabet too); keys outside
// these rules are never Django's, so djangobridge treats them as no
// session and never sends them to a store.
func ValidKey(key string) bool {
	if len(key) < 8 || len(key) > 40 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
