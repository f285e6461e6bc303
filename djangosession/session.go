package djangosession

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
)

// Keys Django itself keeps in sessions.
const (
	KeyExpiry      = "_session_expiry"
	KeyAuthUserID  = "_auth_user_id"
	KeyAuthBackend = "_auth_user_backend"
	KeyAuthHash    = "_auth_user_hash"
	KeyCSRFToken   = "_csrftoken"
)

// Manager opens sessions of one Store under one Settings. It is the
// SessionStore class of Django; a Session is one instance of it. A Manager
// is safe for concurrent use; make one per application.
type Manager struct {
	store         Store
	settings      djangobridge.Settings
	rel           djangobridge.Release
	loc           *time.Location
	log           *slog.Logger
	now           func() time.Time
	signedCookies bool

	dataLog rateLog // "session data corrupted" warnings, at most one per interval
}

// corruptLogInterval is the most often a run of bad sessions is logged.
const corruptLogInterval = time.Minute

// rateLog counts data errors of sessions and logs them at most once per
// corruptLogInterval, with the count since the last line: a key mismatch
// with Django turns every request into one, and one WARN each would bury
// everything else.
type rateLog struct {
	mu     sync.Mutex
	last   time.Time
	badSig int
	other  int
}

// note records err and logs a summary if the interval has passed.
func (m *Manager) noteDataError(ctx context.Context, err error) {
	r := &m.dataLog
	now := m.now()
	r.mu.Lock()
	if errors.Is(err, ErrBadSignature) {
		r.badSig++
	} else {
		r.other++
	}
	if !r.last.IsZero() && now.Sub(r.last) < corruptLogInterval {
		r.mu.Unlock()
		return
	}
	badSig, other := r.badSig, r.other
	r.badSig, r.other, r.last = 0, 0, now
	r.mu.Unlock()
	if badSig > 0 {
		m.log.WarnContext(ctx, "djangosession: session data corrupted: bad signatures (sessions treated as empty, as Django does); if this is every session, compare SECRET_KEY and SECRET_KEY_FALLBACKS (and DjangoVersion, DEFAULT_HASHING_ALGORITHM) with Django's settings",
			"count", badSig, "interval", corruptLogInterval, "last_error", err)
	}
	if other > 0 {
		m.log.WarnContext(ctx, "djangosession: session data corrupted (sessions treated as empty, as Django does)",
			"count", other, "interval", corruptLogInterval, "last_error", err)
	}
}

// NewManager returns a Manager of store under s (copied).
func NewManager(s *djangobridge.Settings, store Store) (*Manager, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("djangosession: nil Store: pass the session engine (sqlstore.New, pgxstore.New, redisstore, NewFileStore or NewSignedCookieStore)")
	}
	loc, err := s.Location()
	if err != nil {
		return nil, err
	}
	if s.SessionCookieAge <= 0 {
		return nil, fmt.Errorf("djangosession: SESSION_COOKIE_AGE %d must be positive", s.SessionCookieAge)
	}
	m := &Manager{store: store, settings: *s, rel: rel, loc: loc, log: s.Logger, now: time.Now}
	if m.log == nil {
		m.log = slog.Default()
	}
	_, m.signedCookies = store.(*SignedCookieStore)
	return m, nil
}

// Store returns the manager's store.
func (m *Manager) Store() Store { return m.store }

// Settings returns the settings the manager was made with.
func (m *Manager) Settings() *djangobridge.Settings { return &m.settings }

// Open returns the session named by a cookie value, without any I/O: the
// data is loaded when first needed, with ctx (the request's context). An
// invalid key (see ValidKey) opens a new, empty session.
func (m *Manager) Open(ctx context.Context, key string) *Session {
	s := &Session{m: m, ctx: ctx}
	if m.signedCookies {
		// Any length: the codec refuses what is over the data limit
		// (ErrTooLarge, an error for the request, not an empty session).
		if key != "" {
			s.key = key
		}
	} else if ValidKey(key) {
		s.key = key
	}
	return s
}

// ClearExpired removes expired sessions, as manage.py clearsessions.
func (m *Manager) ClearExpired(ctx context.Context) (int64, error) {
	return m.store.ClearExpired(ctx)
}

// Session is one request's Django session (request.session): ordered
// values, lazily loaded, with Django's modified/accessed tracking and
// expiry rules. Methods are safe for concurrent use by the goroutines of
// one request. Values are the JSON types described in value.go; nested
// maps and slices returned by Get are the session's own, so changing them
// in place does not mark the session modified (as in Django): call
// SetModified, or Set the value again.
type Session struct {
	m   *Manager
	ctx context.Context

	mu       sync.Mutex
	key      string
	data     *Map
	loaded   bool
	err      error // the load's data error, if any
	modified bool
	accessed bool
}

// Key returns the session key ("" for a session not yet saved). For the
// signed_cookies engine it is the cookie value.
func (s *Session) Key() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.key
}

// Load loads the session now, if not loaded yet, and returns a store error
// (unreachable database...) or ErrTooLarge (over Settings.SessionDataLimit,
// which Django does not have: the session stays unloaded and Save refuses,
// so the record is never overwritten). Other data errors (a tampered or
// corrupt session) are not returned: the session is then empty, as in
// Django, and Err reports why.
func (s *Session) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadLocked(ctx)
}

func (s *Session) loadLocked(ctx context.Context) error {
	s.accessed = true
	if s.loaded {
		return nil
	}
	if s.key == "" {
		s.data, s.loaded = &Map{}, true
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	data, err := s.m.store.Load(ctx, s.key)
	switch {
	case err == nil:
		s.data = data
	case errors.Is(err, ErrNotFound):
		s.data, s.key = &Map{}, ""
	case errors.Is(err, ErrTooLarge):
		// A limit of ours, not Django's: Django would read this session.
		// Never an empty session that a save would then write back.
		return fmt.Errorf("djangosession: load session: %w (raise Settings.SessionDataLimit to read it; the stored session is left as it is)", err)
	case IsDataError(err):
		s.m.noteDataError(ctx, err)
		s.data, s.err = &Map{}, err
		if s.m.signedCookies {
			s.key = ""
		}
	default:
		return fmt.Errorf("djangosession: load session: %w", err)
	}
	s.loaded = true
	return nil
}

// Err returns why the loaded session's data was discarded (a bad signature,
// corrupt data), or nil.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// lazy loads with the context of Open; a store error leaves the session
// empty and unloaded and is returned.
func (s *Session) lazy() error {
	return s.loadLocked(s.ctx)
}

// Get returns the value under key. If the session cannot be loaded (the
// store is down) it returns nothing; call Load to see the error.
func (s *Session) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazy() != nil {
		return nil, false
	}
	return s.data.Get(key)
}

// GetString returns the string under key.
func (s *Session) GetString(key string) (string, bool) {
	v, ok := s.Get(key)
	str, isStr := v.(string)
	return str, ok && isStr
}

// GetInt returns the integer under key (a Number that is an int64).
func (s *Session) GetInt(key string) (int64, bool) {
	v, _ := s.Get(key)
	n, ok := v.(Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// GetFloat returns the number under key as a float64.
func (s *Session) GetFloat(key string) (float64, bool) {
	v, _ := s.Get(key)
	n, ok := v.(Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// GetBool returns the boolean under key.
func (s *Session) GetBool(key string) (bool, bool) {
	v, ok := s.Get(key)
	b, isBool := v.(bool)
	return b, ok && isBool
}

// GetMap returns the object under key.
func (s *Session) GetMap(key string) (*Map, bool) {
	v, _ := s.Get(key)
	m, ok := v.(*Map)
	return m, ok
}

// Has reports whether key is in the session.
func (s *Session) Has(key string) bool {
	_, ok := s.Get(key)
	return ok
}

// Keys returns the session's keys in order.
func (s *Session) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazy() != nil {
		return nil
	}
	return s.data.Keys()
}

// Data returns a deep copy of the session's data.
func (s *Session) Data() *Map {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazy() != nil {
		return &Map{}
	}
	return s.data.Clone()
}

// Set stores value under key (request.session[key] = value) after
// Normalize; it fails with ErrUnsupportedValue for values JSON cannot
// carry, or with the store's error if the session cannot be loaded.
func (s *Session) Set(key string, value any) error {
	v, err := normalize(value, 0)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.lazy(); err != nil {
		return err
	}
	s.data.Set(key, v)
	s.modified = true
	return nil
}

// Delete removes key (del request.session[key]) and reports whether it was
// there. Removing a missing key does not mark the session modified.
func (s *Session) Delete(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lazy() != nil {
		return false
	}
	if s.data.Delete(key) {
		s.modified = true
		return true
	}
	return false
}

// Clear empties the session without touching its record (clear()).
func (s *Session) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data, s.loaded, s.err = &Map{}, true, nil
	s.accessed, s.modified = true, true
}

// IsEmpty reports whether the session has no key and no data (is_empty);
// it does not load.
func (s *Session) IsEmpty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != "" {
		return false
	}
	return !s.loaded || s.data.Len() == 0
}

// Modified reports whether the session changed in this request.
func (s *Session) Modified() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.modified
}

// SetModified marks the session modified, so the middleware saves it.
func (s *Session) SetModified() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.modified = true
}

// Accessed reports whether the session's data was read or written in this
// request (the middleware then adds Vary: Cookie).
func (s *Session) Accessed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accessed
}

// Loaded reports whether the data has been loaded.
func (s *Session) Loaded() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded
}

// SetExpiry sets _session_expiry to seconds of inactivity (set_expiry(int));
// 0 means the session ends when the browser closes.
func (s *Session) SetExpiry(seconds int) error {
	return s.Set(KeyExpiry, seconds)
}

// SetExpiryAt makes the session end at t (set_expiry(datetime)). Django
// 4.1+ stores t as ISO-8601 text (naive, in TIME_ZONE, when USE_TZ is
// False); earlier releases cannot store a datetime in a JSON session
// (TypeError on save), so there this returns ErrUnsupportedValue.
func (s *Session) SetExpiryAt(t time.Time) error {
	if !s.m.rel.ExpiryDatetimeInJSON {
		return fmt.Errorf("%w: Django %s cannot store a datetime expiry in a JSON session", ErrUnsupportedValue, s.m.settings.DjangoVersion)
	}
	if !s.m.settings.UseTZ {
		t = t.In(s.m.loc)
		return s.Set(KeyExpiry, formatISO(t, false))
	}
	return s.Set(KeyExpiry, formatISO(t.UTC(), true))
}

// SetExpiryIn makes the session end d from now (set_expiry(timedelta)):
// timezone.now() + d stored as ISO-8601 text, added on the wall clock of
// TIME_ZONE when USE_TZ is False, as Django's naive datetime arithmetic
// does. Like SetExpiryAt, ErrUnsupportedValue on releases whose JSON
// sessions cannot hold a datetime expiry.
func (s *Session) SetExpiryIn(d time.Duration) error {
	if !s.m.rel.ExpiryDatetimeInJSON {
		return fmt.Errorf("%w: Django %s cannot store a timedelta expiry in a JSON session", ErrUnsupportedValue, s.m.settings.DjangoVersion)
	}
	now := s.m.now()
	if !s.m.settings.UseTZ {
		return s.Set(KeyExpiry, formatISO(s.m.wall(now).Add(d), false))
	}
	return s.Set(KeyExpiry, formatISO(now.UTC().Add(d), true))
}

// ClearExpiry removes _session_expiry (set_expiry(None)): the global
// policy applies again.
func (s *Session) ClearExpiry() { s.Delete(KeyExpiry) }

func (s *Session) expiry() any {
	if s.lazy() != nil {
		return nil
	}
	v, _ := s.data.Get(KeyExpiry)
	return v
}

// ExpiryAge returns get_expiry_age(): seconds until the session expires,
// as the session cookie's Max-Age (int(max_age)): a float _session_expiry
// (set_expiry(3600.5) stores it as given) is truncated toward zero. Use
// ExpiryAgeSeconds for the value with its fraction.
func (s *Session) ExpiryAge() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.expiryAge(s.expiry(), s.m.now())
}

// ExpiryAgeSeconds returns get_expiry_age() as Django returns it, a float
// _session_expiry's fraction included (3600.5 for set_expiry(3600.5)). A
// cookie's expires is now + this age (SessionMiddleware: time.time() +
// max_age), while its Max-Age is ExpiryAge.
func (s *Session) ExpiryAgeSeconds() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	age, _ := s.m.expirySpan(s.expiry(), s.m.now())
	return age.Seconds()
}

// ExpiryDate returns get_expiry_date(): a datetime _session_expiry as
// stored, or now + the age. With USE_TZ=False the result is in TIME_ZONE
// with Django's naive wall clock, a wall clock in a spring-forward gap
// included (then in a fixed zone at the offset before the change).
func (s *Session) ExpiryDate() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.expiryDate(s.expiry(), s.m.now())
}

// ExpireAtBrowserClose returns get_expire_at_browser_close().
func (s *Session) ExpireAtBrowserClose() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.expiry()
	if e == nil {
		return s.m.settings.SessionExpireAtBrowserClose
	}
	n, ok := e.(Number)
	return ok && isZeroNumber(n)
}

func isZeroNumber(n Number) bool {
	f, err := n.Float64()
	return err == nil && f == 0
}

// Save writes the session (save(must_create)). A session without a key gets
// a new one. An update whose record vanished returns ErrVanished.
func (s *Session) Save(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key == "" {
		return s.createLocked(ctx)
	}
	if err := s.loadLocked(ctx); err != nil {
		return err
	}
	return s.saveLocked(ctx, false)
}

func (s *Session) saveLocked(ctx context.Context, mustCreate bool) error {
	if s.data == nil {
		s.data, s.loaded = &Map{}, true
	}
	now := s.m.now()
	exp := s.expiry()
	key, err := s.m.store.Save(ctx, Record{
		Key:        s.key,
		Data:       s.data,
		ExpireDate: s.m.expiryDate(exp, now),
		ExpiryAge:  s.m.expiryAge(exp, now),
	}, mustCreate)
	if err != nil {
		return err
	}
	s.key = key
	return nil
}

const maxCreateTries = 10

// createLocked is create(): save under fresh keys until one is new.
func (s *Session) createLocked(ctx context.Context) error {
	if s.data == nil {
		s.data, s.loaded = &Map{}, true
	}
	for try := 0; try < maxCreateTries; try++ {
		s.key = NewKey()
		err := s.saveLocked(ctx, true)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			s.key = ""
			return err
		}
		s.modified = true
		return nil
	}
	s.key = ""
	return fmt.Errorf("djangosession: no free session key after %d tries", maxCreateTries)
}

// CycleKey keeps the data under a new key and deletes the old record
// (cycle_key()), against session fixation.
func (s *Session) CycleKey(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.loadLocked(ctx); err != nil {
		return err
	}
	old := s.key
	if err := s.createLocked(ctx); err != nil {
		return err
	}
	if old != "" && !s.m.signedCookies {
		if err := s.m.store.Delete(ctx, old); err != nil {
			return err
		}
	}
	return nil
}

// Flush empties the session, deletes its record and drops the key
// (flush()), as logout does.
func (s *Session) Flush(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data, s.loaded, s.err = &Map{}, true, nil
	s.accessed, s.modified = true, true
	old := s.key
	s.key = ""
	if old != "" && !s.m.signedCookies {
		return s.m.store.Delete(ctx, old)
	}
	return nil
}

// NewKey returns a new session key: 32 characters of [a-z0-9] from
// crypto/rand, as Django's get_random_string(32, ...).
func NewKey() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	var r [64]byte
	i := 0
	for i < len(b) {
		if _, err := rand.Read(r[:]); err != nil {
			panic("djangosession: crypto/rand failed: " + err.Error())
		}
		for _, c := range r {
			// 252 = 7*36: reject the top bytes to avoid modulo bias
			if c < 252 && i < len(b) {
				b[i] = alphabet[c%36]
				i++
			}
		}
	}
	return string(b[:])
}

// expiryAge is int(get_expiry_age(expiry=e, modification=mod)): the
// cookie's Max-Age (set_cookie writes int(max_age)), truncated toward zero
// for a float _session_expiry.
func (m *Manager) expiryAge(e any, mod time.Time) int {
	// A number is returned as stored (int(max_age) for a float), however
	// large: get_expiry_age returns a non-datetime expiry as it is.
	if n, ok := e.(Number); ok && !isZeroNumber(n) {
		if i, err := n.Int64(); err == nil {
			return int(i)
		}
		if f, err := n.Float64(); err == nil && !math.IsNaN(f) && math.Abs(f) < 1<<63 {
			return int(f)
		}
	}
	age, exact := m.expirySpan(e, mod)
	if exact {
		return int(age / time.Second) // int(3600.5) == 3600, int(-10.5) == -10
	}
	return pyDeltaSeconds(age)
}

// maxSpanSeconds is the largest whole number of seconds a time.Duration
// holds.
const maxSpanSeconds = math.MaxInt64 / int64(time.Second)

// expirySpan is get_expiry_age(expiry=e, modification=mod) as a duration:
// a number _session_expiry as stored (a float keeps its fraction, to the
// microsecond as timedelta(seconds=...) keeps it; exact is true), else the
// whole seconds of a datetime difference.
//
// With USE_TZ=False Django's datetimes are naive wall-clock times in
// TIME_ZONE (timezone.now() is datetime.now()), and it subtracts wall
// clocks: across a DST change the age differs from the real interval by
// the DST hour, and a wall clock in a spring-forward gap or an autumn fold
// is subtracted as written. So does this.
func (m *Manager) expirySpan(e any, mod time.Time) (age time.Duration, exact bool) {
	def := time.Duration(m.settings.SessionCookieAge) * time.Second
	switch v := e.(type) {
	case nil:
		return def, false
	case Number:
		if isZeroNumber(v) {
			return def, false
		}
		// A time.Duration holds ±292 years: a larger age (Django keeps
		// any) saturates there, in the expiry date and the cookie's
		// expires; ExpiryAge keeps the number (expiryAge).
		if i, err := v.Int64(); err == nil {
			return time.Duration(max(-maxSpanSeconds, min(i, maxSpanSeconds))) * time.Second, false
		}
		if f, err := v.Float64(); err == nil && !math.IsNaN(f) {
			f = max(-float64(maxSpanSeconds), min(f, float64(maxSpanSeconds)))
			return time.Duration(math.RoundToEven(f*1e6)) * time.Microsecond, true
		}
		return def, false
	case bool:
		if v {
			return time.Second, false
		}
		return def, false
	case string:
		if v == "" {
			return def, false
		}
		t, naive, err := parseISOWall(v)
		if err != nil {
			return def, false
		}
		if naive {
			if !m.settings.UseTZ {
				return wholeSeconds(t.Sub(m.wall(mod))), false
			}
			t = inLoc(t, m.loc)
		}
		return wholeSeconds(t.Sub(mod)), false
	case time.Time:
		if IsNaive(v) && !m.settings.UseTZ {
			return wholeSeconds(inLoc(v, time.UTC).Sub(m.wall(mod))), false
		}
		return wholeSeconds(m.aware(v).Sub(mod)), false
	}
	return def, false
}

// wholeSeconds is delta.days*86400 + delta.seconds as a duration.
func wholeSeconds(d time.Duration) time.Duration {
	return time.Duration(pyDeltaSeconds(d)) * time.Second
}

// wall is t's wall clock in TIME_ZONE as a naive Python datetime would
// hold it (the fields, in UTC so that subtraction is wall-clock).
func (m *Manager) wall(t time.Time) time.Time { return WallClock(t, m.loc) }

// WallClock is t's wall clock in loc as Django's naive datetime in
// TIME_ZONE holds it, its fields in UTC (so that subtracting two is
// Django's naive subtraction): t.In(loc)'s fields, unless t's own fields
// already name t in loc — a wall clock that loc skips, as FromWallClock
// returns it — which are kept.
func WallClock(t time.Time, loc *time.Location) time.Time {
	if w := inLoc(t, time.UTC); FromWallClock(w, loc).Equal(t) {
		return w // t's own fields name it in loc (a gap's wall clock included)
	}
	return inLoc(t.In(loc), time.UTC)
}

// FromWallClock is the time whose wall clock in loc is w's fields (as
// WallClock gives them), as Django's naive datetime in TIME_ZONE means it
// and PostgreSQL reads a naive timestamp: an ambiguous wall clock (autumn
// fold) is standard time; a wall clock that loc skips (spring-forward gap,
// which Django's naive arithmetic reaches) keeps its fields, in a fixed
// zone at the offset in force before the change (Python's fold=0
// reading). Neither depends on the zone's side of UTC, as time.Date's
// choice does. WallClock(FromWallClock(w, loc), loc) == w.
func FromWallClock(w time.Time, loc *time.Location) time.Time {
	wu := inLoc(w, time.UTC)
	// The offsets in force a day and a half before and after: a wall clock
	// names the instant wu - offset for each offset that gives it back.
	nameB, offB := wu.Add(-36 * time.Hour).In(loc).Zone()
	_, offA := wu.Add(36 * time.Hour).In(loc).Zone()
	var hits []time.Time
	for _, off := range []int{offB, offA} {
		t := wu.Add(-time.Duration(off) * time.Second).In(loc)
		if inLoc(t, time.UTC).Equal(wu) && (len(hits) == 0 || !hits[0].Equal(t)) {
			hits = append(hits, t)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0]
	case 2: // a fold: standard time, else the later instant
		a, b := hits[0], hits[1]
		if a.IsDST() != b.IsDST() {
			if a.IsDST() {
				return b
			}
			return a
		}
		if a.After(b) {
			return a
		}
		return b
	}
	if t := inLoc(w, loc); inLoc(t, time.UTC).Equal(wu) {
		return t // no change within a day and a half either way
	}
	// A gap: the wall clock, at the offset in force before the change.
	return wu.Add(-time.Duration(offB) * time.Second).In(time.FixedZone(nameB, offB))
}

// inLoc returns the time with t's wall-clock fields in loc.
func inLoc(t time.Time, loc *time.Location) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
}

// pyDeltaSeconds is delta.days*86400 + delta.seconds: whole seconds,
// rounded toward minus infinity, as a Python timedelta normalises them.
func pyDeltaSeconds(d time.Duration) int {
	s := d / time.Second
	if d%time.Second < 0 {
		s--
	}
	return int(s)
}

// expiryDate is get_expiry_date(expiry=e, modification=mod): a datetime
// expiry as stored; otherwise mod + the age (a float's fraction kept),
// added on the wall clock when USE_TZ is False (naive datetime +
// timedelta), as Django does. A naive result is returned in TIME_ZONE; one
// whose wall clock TIME_ZONE skips (a spring-forward gap, which naive
// arithmetic can reach) keeps that wall clock, at the offset in force
// before the change (see fromWall).
func (m *Manager) expiryDate(e any, mod time.Time) time.Time {
	switch v := e.(type) {
	case string:
		if v != "" {
			if t, naive, err := parseISOWall(v); err == nil {
				if naive {
					return m.fromWall(t)
				}
				return t
			}
		}
	case time.Time:
		if IsNaive(v) {
			return m.fromWall(inLoc(v, time.UTC))
		}
		return v
	}
	age, _ := m.expirySpan(e, mod)
	if !m.settings.UseTZ {
		return m.fromWall(m.wall(mod).Add(age))
	}
	return mod.Add(age)
}

// fromWall is FromWallClock in TIME_ZONE.
func (m *Manager) fromWall(w time.Time) time.Time { return FromWallClock(w, m.loc) }

// aware returns t, or for a naive Python datetime (read from a pickle) the
// instant its wall clock names in TIME_ZONE (UTC when USE_TZ is set).
func (m *Manager) aware(t time.Time) time.Time {
	if !IsNaive(t) {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), m.loc)
}

// ExpiryAgeAt is get_expiry_age(expiry=expireDate) with USE_TZ=True
// (aware datetimes): the whole seconds from now to expireDate. It is
// ExpiryAgeIn(expireDate, now, time.UTC).
func ExpiryAgeAt(expireDate, now time.Time) int { return ExpiryAgeIn(expireDate, now, time.UTC) }

// ExpiryAgeIn is get_expiry_age(expiry=expireDate) as Django computes it
// with its datetimes in loc (Settings.Location: UTC when USE_TZ is True,
// TIME_ZONE when False): the cached_db engine sets a cache entry's TTL from
// a row's expire_date with it. With USE_TZ=False both datetimes are naive
// wall clocks and Django subtracts those: across a DST change the age
// differs from the real interval by the DST hour, and so does this.
func ExpiryAgeIn(expireDate, now time.Time, loc *time.Location) int {
	return pyDeltaSeconds(WallClock(expireDate, loc).Sub(WallClock(now, loc)))
}

// formatISO is datetime.isoformat(): microseconds only when non-zero; the
// offset only for aware datetimes.
func formatISO(t time.Time, aware bool) string {
	layout := "2006-01-02T15:04:05"
	if t.Nanosecond()/1000 != 0 {
		layout += ".000000"
	}
	if aware {
		layout += "-07:00"
	}
	return t.Format(layout)
}

// parseISOWall is parseISO that keeps a naive time's wall clock (in UTC)
// and says whether it was naive.
func parseISOWall(s string) (t time.Time, naive bool, err error) {
	t, err = parseISO(s, naiveWall)
	if err != nil {
		return t, false, err
	}
	return inLoc(t, time.UTC), t.Location() == naiveWall, nil
}

// naiveWall marks times parsed without an offset.
var naiveWall = time.FixedZone("naive", 0)

// parseISO reads what datetime.fromisoformat reads in the forms Django
// writes; naive times are in loc.
func parseISO(s string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04Z07:00",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04",
		"2006-01-02",
	} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is not an ISO datetime", ErrMalformed, truncate(s, 40))
}
