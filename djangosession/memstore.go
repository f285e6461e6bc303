package djangosession

import (
	"context"
	"sync"
	"time"
)

// MemoryStore keeps sessions in process memory, with the db engine's
// semantics (expire dates, must-create, vanished updates). Django cannot
// see it: it is for tests and for a single Go process that shares nothing.
// It is safe for concurrent use.
type MemoryStore struct {
	mu   sync.Mutex
	rows map[string]memRow
	now  func() time.Time
}

type memRow struct {
	data   *Map
	expire time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{rows: map[string]memRow{}, now: time.Now}
}

// Load returns a copy of the live session key.
func (st *MemoryStore) Load(ctx context.Context, key string) (*Map, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.rows[key]
	if !ok || !r.expire.After(st.now()) {
		return nil, ErrNotFound
	}
	return r.data.Clone(), nil
}

// Save stores a copy of r.Data.
func (st *MemoryStore) Save(ctx context.Context, r Record, mustCreate bool) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	_, exists := st.rows[r.Key]
	if mustCreate && exists {
		return "", ErrExists
	}
	if !mustCreate && !exists {
		return "", ErrVanished
	}
	st.rows[r.Key] = memRow{data: r.Data.Clone(), expire: r.ExpireDate}
	return r.Key, nil
}

// Delete removes key.
func (st *MemoryStore) Delete(ctx context.Context, key string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.rows, key)
	return nil
}

// Exists reports whether key is live.
func (st *MemoryStore) Exists(ctx context.Context, key string) (bool, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.rows[key]
	return ok && r.expire.After(st.now()), nil
}

// ClearExpired removes expired sessions.
func (st *MemoryStore) ClearExpired(ctx context.Context) (int64, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	var n int64
	now := st.now()
	for k, r := range st.rows {
		if r.expire.Before(now) {
			delete(st.rows, k)
			n++
		}
	}
	return n, nil
}

var _ Store = (*MemoryStore)(nil)
