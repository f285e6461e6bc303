package djangouser

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/hashers"
)

// SessionAuthHashSalt is the key salt of get_session_auth_hash.
const SessionAuthHashSalt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"

// Auth is django.contrib.auth for one site: its settings, user store,
// password hashers and authentication backends. It is safe for concurrent
// use; make one per application.
type Auth struct {
	users    Store
	pw       Passwords
	model    djangobridge.UserModel
	backends []Backend
	version  djangobridge.Version

	// Session auth hash keys: the current one (algorithm per release),
	// the legacy SHA-1 one of Django 3.x, and SECRET_KEY_FALLBACKS (4.1.8+).
	secret      string
	hashAlg     string
	legacySHA1  bool
	fallbacks   []string
	clock       func() time.Time
	permBackend []PermissionBackend

	macOnce sync.Once // curMAC: SessionAuthHash's pooled HMAC (authhash.go)
	curMAC  *authMAC
	log     *slog.Logger

	flushLog flushLog // sessions flushed for a hash mismatch, logged at most once a minute
}

// New returns the Auth of a site. backends is AUTHENTICATION_BACKENDS in
// order; with none, the chain is built from s.AuthenticationBackends, where
// djangouser knows ModelBackend and AllowAllUsersModelBackend (any other
// path is ErrConfig: pass your own Backend for it). pw is normally a
// *hashers.Set made from the same Settings.
//
// The release rules come from s.DjangoVersion: the session auth hash is
// HMAC-SHA256, or on Django 3.x HMAC with DEFAULT_HASHING_ALGORITHM, where
// the legacy SHA-1 hash is also accepted; from 4.1.8 on, hashes made with a
// key of SECRET_KEY_FALLBACKS are accepted and the session re-keyed.
func New(s *djangobridge.Settings, users Store, pw Passwords, backends ...Backend) (*Auth, error) {
	if s == nil || users == nil || pw == nil {
		return nil, fmt.Errorf("%w: New needs Settings, a Store and Passwords", ErrConfig)
	}
	rel, err := s.Release()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if s.SecretKey == "" {
		return nil, fmt.Errorf("%w: SECRET_KEY is empty: set it to the SECRET_KEY of your Django settings.py", ErrConfig)
	}
	m, err := ModelOf(s)
	if err != nil {
		return nil, err
	}
	v := s.DjangoVersion
	a := &Auth{users: users, pw: pw, model: m, version: v, secret: s.SecretKey, hashAlg: "sha256", clock: time.Now, log: s.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	if rel.DefaultHashingAlgorithm {
		switch s.DefaultHashingAlgorithm {
		case "", "sha256":
		case "sha1":
			a.hashAlg = "sha1"
		default:
			return nil, fmt.Errorf("%w: DEFAULT_HASHING_ALGORITHM %q", ErrConfig, s.DefaultHashingAlgorithm)
		}
		a.legacySHA1 = true
	}
	if rel.SessionAuthHashFallbacks {
		a.fallbacks = append([]string(nil), s.SecretKeyFallbacks...)
	}
	if len(backends) == 0 {
		paths := s.AuthenticationBackends
		if len(paths) == 0 {
			paths = []string{ModelBackendPath}
		}
		for _, p := range paths {
			var b *ModelBackend
			switch p {
			case ModelBackendPath:
				b, err = NewModelBackend(s, users, pw)
			case AllowAllUsersModelBackendPath:
				b, err = NewAllowAllUsersModelBackend(s, users, pw)
			default:
				return nil, fmt.Errorf("%w: AUTHENTICATION_BACKENDS entry %q is not built in: pass a Backend for it to New", ErrConfig, p)
			}
			if err != nil {
				return nil, err
			}
			backends = append(backends, b)
		}
	}
	seen := make(map[string]bool)
	for _, b := range backends {
		if b == nil || b.Path() == "" {
			return nil, fmt.Errorf("%w: a backend is nil or has no Path", ErrConfig)
		}
		if seen[b.Path()] {
			return nil, fmt.Errorf("%w: backend %q listed twice", ErrConfig, b.Path())
		}
		seen[b.Path()] = true
		if pb, ok := b.(PermissionBackend); ok {
			a.permBackend = append(a.permBackend, pb)
		}
	}
	a.backends = append([]Backend(nil), backends...)
	return a, nil
}

// Backends returns the authentication backends in order.
func (a *Auth) Backends() []Backend { return append([]Backend(nil), a.backends...) }

// Store returns the user store.
func (a *Auth) Store() Store { return a.users }

func (a *Auth) backend(path string) Backend {
	for _, b := range a.backends {
		if b.Path() == path {
			return b
		}
	}
	return nil
}

func (a *Auth) now() time.Time { return a.clock().UTC().Truncate(time.Microsecond) }

// SessionAuthHash returns user.get_session_auth_hash() for a stored
// password: the hex HMAC of the whole encoded password under SECRET_KEY,
// with SHA-256 (Django 3.x: DEFAULT_HASHING_ALGORITHM).
func (a *Auth) SessionAuthHash(password string) string {
	return a.mac().hexSum(password)
}

// mac is the pooled HMAC of SessionAuthHash, made on first use.
func (a *Auth) mac() *authMAC {
	a.macOnce.Do(func() { a.curMAC = newAuthMAC(a.secret, a.hashAlg) })
	return a.curMAC
}

func (a *Auth) authHash(password, secret, alg string) string {
	mac, err := djangosession.SaltedHMAC(SessionAuthHashSalt, password, secret, alg)
	if err != nil {
		// Only an unknown algorithm fails, and New admits only sha1/sha256.
		panic("djangouser: " + err.Error())
	}
	return hex.EncodeToString(mac)
}

func ctEqual(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// GetUser is django.contrib.auth.get_user(request): the user the session
// belongs to, or the anonymous user. It returns an error only when the
// session or user store fails; everything else is Django's answer:
//
//   - no _auth_user_id or _auth_user_backend, or a backend that is not
//     configured: anonymous (the session is kept);
//   - no such user, or an inactive one (ModelBackend): anonymous (kept);
//   - _auth_user_hash equal (constant time) to the HMAC of the stored
//     password: the user;
//   - else, on Django 3.x, equal to the legacy SHA-1 HMAC: the user;
//     on 4.1.8+, equal to the HMAC under a SECRET_KEY_FALLBACKS key: the
//     user, and the session gets a new key and the current hash;
//   - else (the password changed, a forged hash, or a SECRET_KEY that is
//     not the site's): the session is flushed and the user is anonymous,
//     and Settings.Logger gets an Info line saying so and naming the
//     SECRET_KEY fix, at most one a minute with the count (Django logs
//     nothing here).
//
// _auth_user_id is converted as the model's key field's to_python does
// (see sessionPK: the JSON number 1.0 is user 1 for an AutoField); one it
// refuses is anonymous (Django raises ValidationError there; a signed
// session never holds one).
func (a *Auth) GetUser(ctx context.Context, sess *djangosession.Session) (*User, error) {
	if sess == nil {
		return Anonymous(), nil
	}
	if err := sess.Load(ctx); err != nil {
		return nil, err
	}
	rawID, ok1 := sess.Get(djangosession.KeyAuthUserID)
	rawBackend, ok2 := sess.Get(djangosession.KeyAuthBackend)
	if !ok1 || !ok2 {
		return Anonymous(), nil
	}
	id, ok := sessionPK(rawID, a.model.PKType)
	path, okp := rawBackend.(string)
	if !ok || !okp {
		return Anonymous(), nil
	}
	b := a.backend(path)
	if b == nil {
		return Anonymous(), nil
	}
	u, err := b.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return Anonymous(), nil
	}
	u.Backend = path
	sessionHash, _ := sess.GetString(djangosession.KeyAuthHash)
	if sessionHash != "" {
		if a.mac().matches(sessionHash, u.Password) {
			return u, nil
		}
		current := a.SessionAuthHash(u.Password)
		if a.legacySHA1 && ctEqual(sessionHash, a.authHash(u.Password, a.secret, "sha1")) {
			return u, nil
		}
		for _, fb := range a.fallbacks {
			if ctEqual(sessionHash, a.authHash(u.Password, fb, "sha256")) {
				if err := sess.CycleKey(ctx); err != nil {
					return nil, err
				}
				if err := sess.Set(djangosession.KeyAuthHash, current); err != nil {
					return nil, err
				}
				return u, nil
			}
		}
	}
	// Django flushes silently; say why (see flushLog).
	a.flushLog.note(ctx, a.log, a.clock())
	if err := sess.Flush(ctx); err != nil {
		return nil, err
	}
	return Anonymous(), nil
}

// flushInterval is the most often flushLog writes a line.
const flushInterval = time.Minute

// flushLog counts sessions GetUser flushed because _auth_user_hash did not
// match, and logs at most one line per flushInterval with the count. Once
// after a password change this is expected; when every logged-in user
// lands here, SECRET_KEY is not the site's. With the cache engine nothing
// else can tell: its sessions are not signed (no bad-signature warning)
// and Bridge.Check has no table to sample.
type flushLog struct {
	mu    sync.Mutex
	last  time.Time
	count int
}

func (f *flushLog) note(ctx context.Context, log *slog.Logger, now time.Time) {
	f.mu.Lock()
	f.count++
	if !f.last.IsZero() && now.Sub(f.last) < flushInterval {
		f.mu.Unlock()
		return
	}
	n := f.count
	f.count, f.last = 0, now
	f.mu.Unlock()
	log.InfoContext(ctx, "djangouser: sessions whose _auth_user_hash does not match the user's password under SECRET_KEY or SECRET_KEY_FALLBACKS "+
		"were flushed, their users logged out (as Django's get_user does). Expected after a password change; "+
		"if every logged-in user is logged out, set SECRET_KEY to the SECRET_KEY of the Django settings.py (and DJANGO_VERSION to its release)",
		"count", n, "interval", flushInterval)
}

// Authenticate is django.contrib.auth.authenticate: each backend in order
// is asked; the first user returned wins, with User.Backend set to that
// backend's path. When no backend accepts the credentials the result is
// ErrInvalidCredentials; a backend returning ErrPermissionDenied stops the
// search at once (the error then wraps both). Other errors are the
// store's or the context's.
func (a *Auth) Authenticate(ctx context.Context, credentials map[string]string) (*User, error) {
	for _, b := range a.backends {
		u, err := b.Authenticate(ctx, credentials)
		if errors.Is(err, ErrPermissionDenied) {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCredentials, err)
		}
		if err != nil {
			return nil, err
		}
		if u == nil {
			continue
		}
		u.Backend = b.Path()
		return u, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, ErrInvalidCredentials
}

type loginHookKey struct{}

// ContextWithLoginHook returns ctx carrying hook, which Login calls after
// writing the session, where Django's login calls rotate_token(request):
// the CSRF middleware puts its secret rotation here.
func ContextWithLoginHook(ctx context.Context, hook func(ctx context.Context) error) context.Context {
	return context.WithValue(ctx, loginHookKey{}, hook)
}

// Login is django.contrib.auth.login(request, user): it records u in the
// session, with Django's defence against session fixation:
//
//   - a session with no _auth_user_id gets a new key (cycle_key), keeping
//     its data;
//   - a session of another user, or of this user with another password
//     hash, is flushed first;
//
// then writes _auth_user_id (the key as text), _auth_user_backend
// (u.Backend, or the only configured backend; else ErrNoBackend) and
// _auth_user_hash, calls the hook of ContextWithLoginHook (CSRF rotation),
// and sets last_login to now (saving that column only). The session itself
// is saved by the caller (the middleware, at the end of the request); a
// caller holding the request's LazyUser sets it to u (LazyUser.Set), as
// Django assigns request.user.
func (a *Auth) Login(ctx context.Context, sess *djangosession.Session, u *User) error {
	if u.IsAnonymous() {
		return ErrAnonymous
	}
	if sess == nil {
		return errors.New("djangouser: Login: nil session")
	}
	if err := sess.Load(ctx); err != nil {
		return err
	}
	backend := u.Backend
	if backend == "" {
		if len(a.backends) != 1 {
			return fmt.Errorf("%w: several backends are configured: set User.Backend", ErrNoBackend)
		}
		backend = a.backends[0].Path()
	}
	hash := a.SessionAuthHash(u.Password)
	if raw, ok := sess.Get(djangosession.KeyAuthUserID); ok {
		same := false
		if s, ok := sessionPK(raw, a.model.PKType); ok {
			if pk, err := ParsePK(a.model.PKType, s); err == nil {
				same = samePK(pk, u.ID)
			}
		}
		stored, _ := sess.GetString(djangosession.KeyAuthHash)
		if !same || !ctEqual(stored, hash) {
			if err := sess.Flush(ctx); err != nil {
				return err
			}
		}
	} else if err := sess.CycleKey(ctx); err != nil {
		return err
	}
	for _, kv := range [...]struct{ k, v string }{
		{djangosession.KeyAuthUserID, u.PK()},
		{djangosession.KeyAuthBackend, backend},
		{djangosession.KeyAuthHash, hash},
	} {
		if err := sess.Set(kv.k, kv.v); err != nil {
			return err
		}
	}
	u.Backend = backend
	if hook, ok := ctx.Value(loginHookKey{}).(func(context.Context) error); ok && hook != nil {
		if err := hook(ctx); err != nil {
			return err
		}
	}
	if !contains(a.model.OmitColumns, ColLastLogin) {
		now := a.now()
		u.LastLogin = &now
		if err := a.users.SaveUser(ctx, u, ColLastLogin); err != nil {
			return err
		}
	}
	return nil
}

func samePK(pk, id any) bool {
	switch p := pk.(type) {
	case int64:
		switch i := id.(type) {
		case int64:
			return p == i
		case int:
			return p == int64(i)
		case int32:
			return p == int64(i)
		}
	case string:
		i, ok := id.(string)
		return ok && p == i
	}
	return false
}

// Logout is django.contrib.auth.logout: the session is flushed (emptied,
// its record deleted, a new key at the next save).
// Set the request's LazyUser to Anonymous() afterwards.
func (a *Auth) Logout(ctx context.Context, sess *djangosession.Session) error {
	if sess == nil {
		return nil
	}
	return sess.Flush(ctx)
}

// CheckPassword is user.check_password(raw): whether password matches u's
// stored hash. When it matches and Django would re-hash it (an outdated
// iteration count or a hasher other than the preferred one), the password
// is re-hashed with the preferred hasher and saved (the password column
// only): Django's upgrade on login.
//
// A stored hash that cannot match (malformed, an unknown algorithm,
// parameters over PasswordLimits, a form the Django side's library
// refuses) gives a plain false, logged at Debug, as Django's
// check_password answers False for such hashes (upper-case hex MD5/SHA1,
// PBKDF2 without base64 padding...); where Django raises instead (bcrypt
// 5's ValueError), djangobridge still answers false rather than fail the
// request. Only context and store failures are errors. The hashers
// package's Set.Check keeps the typed errors.
func (a *Auth) CheckPassword(ctx context.Context, u *User, password string) (bool, error) {
	if u.IsAnonymous() {
		return false, ErrAnonymous
	}
	return checkPassword(ctx, a.log, a.users, a.pw, u, password)
}

func checkPassword(ctx context.Context, log *slog.Logger, users Store, pw Passwords, u *User, password string) (bool, error) {
	ok, mustUpdate, err := pw.Check(ctx, password, u.Password)
	if err != nil && isHashDataError(err) && ctx.Err() == nil {
		log.DebugContext(ctx, "djangouser: stored password hash cannot match; answering false as Django's check_password", "user", u.PK(), "error", err)
		return false, nil
	}
	if err != nil || !ok {
		return false, err
	}
	if mustUpdate {
		encoded, err := pw.Make(ctx, password)
		if err != nil {
			return false, err
		}
		u.Password = encoded
		if err := users.SaveUser(ctx, u, ColPassword); err != nil {
			return false, err
		}
	}
	return true, nil
}

// isHashDataError reports an error about the stored hash itself (which
// means "no match"), as opposed to a context or store failure.
func isHashDataError(err error) bool {
	return errors.Is(err, hashers.ErrMalformed) || errors.Is(err, hashers.ErrUnknownAlgorithm) ||
		errors.Is(err, hashers.ErrOverLimit) || errors.Is(err, hashers.ErrUnsupported)
}

// SetPassword is user.set_password(raw) followed by
// save(update_fields=["password"]): the password is hashed with the
// preferred hasher and saved. Every session of u then ends at its next
// request (its auth hash no longer matches), including the current one,
// unless UpdateSessionAuthHash is called for it.
func (a *Auth) SetPassword(ctx context.Context, u *User, password string) error {
	if u.IsAnonymous() {
		return ErrAnonymous
	}
	encoded, err := a.pw.Make(ctx, password)
	if err != nil {
		return err
	}
	u.Password = encoded
	return a.users.SaveUser(ctx, u, ColPassword)
}

// MakePassword is make_password(password) with the preferred hasher, for
// rows made through Store.CreateUser.
func (a *Auth) MakePassword(ctx context.Context, password string) (string, error) {
	return a.pw.Make(ctx, password)
}

// SetUnusablePassword is set_unusable_password() and a save of the
// password column: u can no longer log in with a password.
func (a *Auth) SetUnusablePassword(ctx context.Context, u *User) error {
	if u.IsAnonymous() {
		return ErrAnonymous
	}
	encoded, err := hashers.MakeUnusable()
	if err != nil {
		return err
	}
	u.Password = encoded
	return a.users.SaveUser(ctx, u, ColPassword)
}

// UpdateSessionAuthHash is update_session_auth_hash(request, user), for
// after a password change: the session gets a new key, and when it is u's
// session (its _auth_user_id is u's key; Django's request.user == user),
// the hash of u's new password, so this session stays logged in while u's
// other sessions end.
func (a *Auth) UpdateSessionAuthHash(ctx context.Context, sess *djangosession.Session, u *User) error {
	if err := sess.CycleKey(ctx); err != nil {
		return err
	}
	if u.IsAnonymous() {
		return nil
	}
	if raw, ok := sess.Get(djangosession.KeyAuthUserID); ok {
		if s, ok := sessionPK(raw, a.model.PKType); ok {
			if pk, err := ParsePK(a.model.PKType, s); err == nil && samePK(pk, u.ID) {
				return sess.Set(djangosession.KeyAuthHash, a.SessionAuthHash(u.Password))
			}
		}
	}
	return nil
}

// Save writes u: the named columns, or every column when none are named
// (Model.save(update_fields=…)).
func (a *Auth) Save(ctx context.Context, u *User, columns ...string) error {
	if u.IsAnonymous() {
		return ErrAnonymous
	}
	return a.users.SaveUser(ctx, u, columns...)
}

// GetUsername returns the value of u's USERNAME_FIELD (user.get_username()).
func (a *Auth) GetUsername(u *User) string {
	if u.IsAnonymous() {
		return ""
	}
	v, _ := u.Field(a.model.UsernameField)
	s, _ := v.(string)
	return s
}

// UserByUsername returns the user whose USERNAME_FIELD is username
// (get_by_natural_key), or ErrUserNotFound.
func (a *Auth) UserByUsername(ctx context.Context, username string) (*User, error) {
	return a.users.UserByUsername(ctx, username)
}

// CreateUser is User.objects.create_user(username, email, password): the
// username NFKC-normalized (normalize_username) into USERNAME_FIELD, the
// e-mail's domain lower-cased (normalize_email), the password hashed with
// the preferred hasher, or unusable when password is "" (Django's
// password=None), active, not staff, date_joined now. A taken username is
// ErrUserExists. UUID keys get a random (version 4) UUID; text keys cannot
// be invented: create such users with Store.CreateUser.
func (a *Auth) CreateUser(ctx context.Context, username, email, password string) (*User, error) {
	return a.create(ctx, username, email, password, false)
}

// CreateSuperuser is create_superuser: CreateUser with is_staff and
// is_superuser set.
func (a *Auth) CreateSuperuser(ctx context.Context, username, email, password string) (*User, error) {
	return a.create(ctx, username, email, password, true)
}

func (a *Auth) create(ctx context.Context, username, email, password string, super bool) (*User, error) {
	if username == "" {
		return nil, errors.New("djangouser: the given username must be set")
	}
	u := &User{IsActive: true, IsStaff: super, IsSuperuser: super, DateJoined: a.now()}
	u.SetField(a.model.UsernameField, norm.NFKC.String(username))
	if a.model.UsernameField != ColEmail {
		u.Email = NormalizeEmail(email)
	}
	var err error
	if password == "" {
		u.Password, err = hashers.MakeUnusable()
	} else {
		u.Password, err = a.pw.Make(ctx, password)
	}
	if err != nil {
		return nil, err
	}
	switch a.model.PKType {
	case PKUUID:
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		u.ID = FormatUUID(b)
	case PKText:
		return nil, fmt.Errorf("%w: CreateUser cannot choose a text primary key; use Store.CreateUser", ErrConfig)
	}
	if err := a.users.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// NormalizeEmail is BaseUserManager.normalize_email: the domain part
// (after the last "@") lower-cased, the address stripped of surrounding
// space when it has an "@".
func NormalizeEmail(email string) string {
	t := strings.TrimSpace(email)
	i := strings.LastIndexByte(t, '@')
	if i < 0 {
		return email
	}
	return t[:i] + "@" + strings.ToLower(t[i+1:])
}
