// Package djangobridge holds the one Settings struct that every part of
// djangobridge reads: it mirrors the Django settings a Go service needs to
// share sessions, users and passwords with a Django site.
//
// Start from [Defaults], which returns Django's own defaults, and set what
// your settings.py sets:
//
//	s := djangobridge.Defaults()
//	s.SecretKey = os.Getenv("SECRET_KEY")
//	s.DjangoVersion = djangobridge.MustParseVersion("6.1") // your Django release
//
// # Django releases
//
// djangobridge has rules for Django 3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0
// and 6.1 (SupportedReleases) and is tested against real Django 3.2, 4.2,
// 5.2 and 6.1. Every rule that differs between releases lives in one table,
// [Release] (see [ReleaseOf] and [Settings.Release]); each of its fields
// names the Django source it mirrors. In short:
//
//   - 3.2: DEFAULT_HASHING_ALGORITHM; SHA-1 signatures, auth hashes and the
//     pre-3.1 session format still read; CSRF checks the Referer only, and
//     the CSRF cookie is masked; the session is not saved on a 500 only;
//     SECURE_PROXY_SSL_HEADER compares the header's whole value.
//   - 4.0: the legacy formats are gone; scrypt; CSRF checks Origin and
//     CSRF_TRUSTED_ORIGINS carry a scheme; no session save on any 5xx.
//   - 4.1: SECRET_KEY_FALLBACKS (auth hashes from 4.1.8); an unmasked CSRF
//     cookie (CSRF_COOKIE_MASKED in 4.1 and 4.2); SECURE_PROXY_SSL_HEADER
//     takes the first comma-separated value.
//   - 4.2: set_expiry(datetime) stored as ISO-8601 text.
//   - 5.0: no PickleSerializer, CryptPasswordHasher or CSRF_COOKIE_MASKED.
//   - 5.1: no SHA1, UnsaltedSHA1 or UnsaltedMD5 hasher; scrypt p=5.
//   - 5.2.14+ and 6.x: Vary: Cookie whenever the session cookie is set.
//   - 6.0 and 6.1: PBKDF2 1,200,000 and 1,500,000 iterations (every release
//     raises them: see Release.PBKDF2Iterations).
//
// Parameters that come from Python libraries rather than from Django (such
// as argon2-cffi's hash length) are settings of their own, not release rules.
//
// The packages below it do the work: djangosession (signing, the session
// and its engines), hashers and pbkdf2 (passwords), djangouser (users,
// login, permissions) and middleware (the request flow).
package djangobridge

import (
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Version is a Django release, such as 3.2, 4.2.14 or 5.2. Behaviour that
// changed between releases (session formats, the auth hash check, password
// hasher defaults) follows the release set in Settings.DjangoVersion.
type Version struct {
	Major, Minor int
	// Patch is the patch release; -1 means "the newest patch release of
	// Major.Minor", which is what ParseVersion gives for "4.1".
	Patch int
}

// Django releases that djangobridge is tested against (every release in
// SupportedReleases has rules; these four run in CI against real Django).
var (
	Django32 = Version{3, 2, -1}
	Django42 = Version{4, 2, -1}
	Django52 = Version{5, 2, -1}
	Django60 = Version{6, 0, -1}
	Django61 = Version{6, 1, -1}
)

// ParseVersion parses "5.2" or "4.1.8".
func ParseVersion(s string) (Version, error) {
	parts := strings.Split(strings.TrimSpace(s), ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("djangobridge: Django version %q: want MAJOR.MINOR or MAJOR.MINOR.PATCH", s)
	}
	n := [3]int{0, 0, -1}
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 1000 {
			return Version{}, fmt.Errorf("djangobridge: Django version %q: bad number %q", s, p)
		}
		n[i] = v
	}
	return Version{n[0], n[1], n[2]}, nil
}

// MustParseVersion is ParseVersion that panics on error, for constants.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns "5.2" or "4.1.8".
func (v Version) String() string {
	if v.Patch < 0 {
		return fmt.Sprintf("%d.%d", v.Major, v.Minor)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// AtLeast reports whether v is major.minor.patch or newer. A Version whose
// Patch is -1 counts as newer than any patch release of its minor release.
func (v Version) AtLeast(major, minor, patch int) bool {
	if v.Major != major {
		return v.Major > major
	}
	if v.Minor != minor {
		return v.Minor > minor
	}
	return v.Patch < 0 || v.Patch >= patch
}

// IsZero reports whether v was never set.
func (v Version) IsZero() bool { return v == Version{} }

// UserModel describes the table behind AUTH_USER_MODEL. The zero value is
// not useful; Defaults sets Django's auth.User.
type UserModel struct {
	// Table is the user table, "auth_user" for django.contrib.auth.
	Table string
	// UsernameField is USERNAME_FIELD, the column Authenticate looks up.
	UsernameField string
	// PKColumn is the primary key column, "id" by default.
	PKColumn string
	// PKType is the primary key's type: "int" (AutoField), "bigint"
	// (BigAutoField), "uuid" (UUIDField) or "text" (CharField).
	PKType string
	// ExtraColumns are further columns read into User.Extra by name.
	ExtraColumns []string
	// OmitColumns names the auth_user columns a custom user table does not
	// have (for an AbstractBaseUser subclass: e.g. "username",
	// "first_name", "last_name", "is_staff", "date_joined"). As in Django, a
	// missing is_active counts as active and a missing is_superuser as not a
	// superuser. Default none.
	OmitColumns []string
	// NoPermissionsMixin says the model does not inherit PermissionsMixin
	// (an AbstractBaseUser subclass alone): it has no is_superuser, no
	// groups and no user_permissions, so there are no GroupsTable and
	// UserPermissionsTable to check or read, and permission lookups answer
	// as Django's ModelBackend does for such a user (see
	// djangouser.ModelBackend.AllPermissions). Omitting "is_superuser" in
	// OmitColumns says the same (PermissionsMixin defines that field).
	// Default false: auth.User and models with PermissionsMixin.
	NoPermissionsMixin bool
	// GroupsTable and UserPermissionsTable are the many-to-many tables of
	// PermissionsMixin.groups and .user_permissions; "" means Django's
	// names, Table + "_groups" and Table + "_user_permissions".
	GroupsTable, UserPermissionsTable string
	// M2MColumn is the column of those tables that points to the user,
	// "<model name>_id": "" means "user_id" (the model is called User).
	M2MColumn string
	// ExtraFields gives the Django field type (and null, default,
	// max_length) of ExtraColumns, for the properties stores
	// (djangouser.Properties), which read and write a user's fields by name
	// with Django's types. A field listed here is an extra column too (it
	// need not be repeated in ExtraColumns). A field named like one of
	// auth.User's columns (e.g. "email" of a custom model whose e-mail is
	// not blank=True) replaces auth.User's description of it. Default
	// none: auth.User's columns are described by djangouser.UserFields.
	ExtraFields []Field
	// Profile is an optional one-to-one profile model of the user (a
	// model with a OneToOneField to AUTH_USER_MODEL), whose fields are
	// properties too. Default none (Profile.Table "").
	Profile ProfileModel
}

// ProfileModel describes a one-to-one profile table of the user model, as
// a project defines it:
//
//	class Profile(models.Model):
//	    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
//	    bio = models.TextField(blank=True)
//
// is ProfileModel{Table: "accounts_profile", Fields: []Field{{Name: "bio", Type: "TextField"}}}.
type ProfileModel struct {
	// Table is the profile's db_table ("<app_label>_<model name>");
	// "" means the user has no profile model.
	Table string
	// UserColumn is the column of the OneToOneField to the user, "<field
	// name>_id": "" means "user_id".
	UserColumn string
	// PKColumn is the profile's own primary key, an AutoField the database
	// fills: "" means "id". When the OneToOneField is primary_key=True, set
	// it to UserColumn.
	PKColumn string
	// Fields are the profile's other fields, each a property of the user.
	// Their names must differ from the user model's columns.
	Fields []Field
}

// Field describes one model field stored in one column (its name is its
// column: db_column is not supported), as the properties stores read and
// write it.
type Field struct {
	// Name is the field's name and column.
	Name string
	// Type is the Django field class: "CharField", "EmailField",
	// "SlugField", "URLField", "TextField" (Go string); "BooleanField"
	// (bool); "IntegerField", "SmallIntegerField", "BigIntegerField",
	// "PositiveIntegerField", "PositiveSmallIntegerField",
	// "PositiveBigIntegerField" (int64, range-checked as Django's
	// backends do); "FloatField" (float64); "DateTimeField" (time.Time,
	// stored as USE_TZ and TIME_ZONE say); "DateField" (time.Time at
	// midnight UTC, stored as the date). Other types are refused.
	Type string
	// Null is null=True: the column takes NULL (Go nil), and removing the
	// property writes NULL.
	Null bool
	// Default is the field's default (a constant, as Go's type for Type
	// gives it: "" or false or int64(0)...), written when the property is
	// removed, and when a new profile row is created without a value for
	// it. Nil means none: then, as Field.get_default() does, a string
	// field's default is "" (or NULL when Null), any other field's NULL
	// when Null; a NOT NULL field with no default (a callable default,
	// such as date_joined's timezone.now, counts as none) cannot be
	// removed.
	Default any
	// MaxLength is max_length (characters); a longer value is refused
	// before any write. 0 means no limit (TextField).
	MaxLength int
}

// CacheSettings mirrors CACHES["default"] for the cache and cached_db
// session engines.
type CacheSettings struct {
	// Location lists the Redis URLs of LOCATION; writes go to the first.
	Location []string
	// KeyPrefix is KEY_PREFIX, "" by default.
	KeyPrefix string
	// Version is VERSION, 1 by default.
	Version int
	// KeyFunc is KEY_FUNCTION; nil means Django's default_key_func,
	// "KEY_PREFIX:VERSION:key".
	KeyFunc func(key, keyPrefix string, version int) string

	// BACKEND and OPTIONS, as Django's CACHES entry has them (for
	// django-redis and memcached; caches.Parse fills them from the JSON of
	// CACHES).
	//
	// Backend is BACKEND, the dotted path of the cache class: "" means
	// Django's own "django.core.cache.backends.redis.RedisCache"; the
	// packages that implement a backend (redisstore: Django's RedisCache and
	// "django_redis.cache.RedisCache"; memcachestore: PyMemcacheCache and
	// PyLibMCCache) refuse one they do not implement, naming it.
	Backend string
	// Options is OPTIONS, as settings.py has it (JSON-like values: string,
	// float64 or int, bool, []any, map[string]any). Each backend reads the
	// options it knows and refuses any other, naming it. Default none.
	Options map[string]any
}

// PasswordLimits bound the cost parameters read from a stored password
// hash. A hash over a limit is refused before any work is done, so a
// planted hash with 10^12 iterations cannot stall a server. The defaults are
// well above anything Django has written.
type PasswordLimits struct {
	MaxPBKDF2Iterations int // default 100,000,000
	MaxArgon2MemoryKiB  int // default 4,194,304 KiB (4 GiB)
	MaxArgon2Time       int // default 64
	MaxArgon2Threads    int // default 255
	MaxScryptN          int // default 1<<22
	MaxScryptR          int // default 64
	MaxScryptP          int // default 64
	MaxBcryptCost       int // default 16
}

// Settings mirrors the Django settings djangobridge needs, Go-cased. The
// zero value is not Django's defaults: start from [Defaults].
type Settings struct {
	// SecretKey is SECRET_KEY. It signs everything written.
	SecretKey string
	// SecretKeyFallbacks is SECRET_KEY_FALLBACKS (Django 4.1+): keys that
	// still verify signatures and auth hashes but never sign.
	SecretKeyFallbacks []string
	// DjangoVersion is the release whose rules apply (see Release): one of
	// SupportedReleases, optionally with a patch level ("4.1.8"). Defaults
	// sets 5.2 (the LTS); a zero DjangoVersion is refused by every
	// constructor (ErrVersionUnset), never silently read as some release.
	DjangoVersion Version
	// DefaultHashingAlgorithm is DEFAULT_HASHING_ALGORITHM, meaningful on
	// Django 3.1 and 3.2 only: "sha256" (default) or "sha1" to write the
	// pre-3.1 formats.
	DefaultHashingAlgorithm string

	// SessionEngine is SESSION_ENGINE, as Django spells it
	// ("django.contrib.sessions.backends.db") or short ("db", "cache",
	// "cached_db", "file", "signed_cookies"). Default "db".
	SessionEngine string
	// SessionSerializer is "json" (Django's JSONSerializer, default) or
	// "pickle" (the PickleSerializer of Django ≤ 4.2: read-only, opt-in).
	SessionSerializer string
	// SessionCookieName is SESSION_COOKIE_NAME, default "sessionid".
	SessionCookieName string
	// SessionCookieAge is SESSION_COOKIE_AGE in seconds, default 1209600.
	SessionCookieAge int
	// SessionCookieDomain is SESSION_COOKIE_DOMAIN, default "" (None).
	SessionCookieDomain string
	// SessionCookiePath is SESSION_COOKIE_PATH, default "/".
	SessionCookiePath string
	// SessionCookieSecure is SESSION_COOKIE_SECURE, default false.
	SessionCookieSecure bool
	// SessionCookieHTTPOnly is SESSION_COOKIE_HTTPONLY, default true.
	SessionCookieHTTPOnly bool
	// SessionCookieSameSite is SESSION_COOKIE_SAMESITE: "Lax" (default),
	// "Strict", "None", or "" for no attribute (False in Django).
	SessionCookieSameSite string
	// SessionSaveEveryRequest is SESSION_SAVE_EVERY_REQUEST, default false.
	SessionSaveEveryRequest bool
	// SessionExpireAtBrowserClose is SESSION_EXPIRE_AT_BROWSER_CLOSE,
	// default false.
	SessionExpireAtBrowserClose bool
	// SessionFilePath is SESSION_FILE_PATH for the file engine; "" means
	// the system temporary directory, as in Django.
	SessionFilePath string
	// SessionDataLimit caps the size of decoded (decompressed) session data
	// in bytes, against zip bombs. Not a Django setting: Django has no such
	// limit, so the default, 64 MiB, is far above what a Django site keeps
	// in a session (0 means the default). A session over it is never
	// treated as empty: loading it fails for that request
	// (djangosession.ErrTooLarge, the middleware's 503) and its record and
	// cookie are left exactly as they were.
	SessionDataLimit int

	// Cache is CACHES["default"], for the cache and cached_db engines.
	Cache CacheSettings

	// CSRFCookieName is CSRF_COOKIE_NAME, default "csrftoken".
	CSRFCookieName string
	// CSRFCookieAge is CSRF_COOKIE_AGE in seconds, default 31449600. Every
	// value is written as Django writes it: 0 gives Max-Age=0 (the browser
	// drops the cookie at once), a negative one a Max-Age in the past. For
	// CSRF_COOKIE_AGE = None set CSRFCookieAgeNone.
	CSRFCookieAge int
	// CSRFCookieAgeNone is CSRF_COOKIE_AGE = None: the CSRF cookie is a
	// browser-session cookie (no Max-Age, no expires) and CSRFCookieAge is
	// not used. Default false.
	CSRFCookieAgeNone bool
	// CSRFCookieDomain is CSRF_COOKIE_DOMAIN, default "".
	CSRFCookieDomain string
	// CSRFCookiePath is CSRF_COOKIE_PATH, default "/".
	CSRFCookiePath string
	// CSRFCookieSecure is CSRF_COOKIE_SECURE, default false.
	CSRFCookieSecure bool
	// CSRFCookieHTTPOnly is CSRF_COOKIE_HTTPONLY, default false.
	CSRFCookieHTTPOnly bool
	// CSRFCookieSameSite is CSRF_COOKIE_SAMESITE, default "Lax".
	CSRFCookieSameSite string
	// CSRFCookieMasked is CSRF_COOKIE_MASKED (4.1, 4.2): write the masked
	// 64-character token to the cookie. Default false.
	CSRFCookieMasked bool
	// CSRFHeaderName is the request header Django reads as
	// CSRF_HEADER_NAME ("HTTP_X_CSRFTOKEN"), in its HTTP spelling:
	// default "X-CSRFToken".
	CSRFHeaderName string
	// CSRFTrustedOrigins is CSRF_TRUSTED_ORIGINS, such as
	// "https://*.example.com".
	CSRFTrustedOrigins []string
	// CSRFUseSessions is CSRF_USE_SESSIONS: keep the secret in the session
	// under "_csrftoken" instead of a cookie. Default false.
	CSRFUseSessions bool

	// DataUploadMaxMemorySize is DATA_UPLOAD_MAX_MEMORY_SIZE in bytes,
	// Django's default 2621440 (2.5 MiB); NoLimit is None (no limit). 0
	// means the default (Django's own 0, which refuses every non-empty
	// form, cannot be expressed). When the CSRF check reads a POST form
	// (CsrfViewMiddleware reads request.POST) the middleware answers 400,
	// as Django's RequestDataTooBig does, for an
	// application/x-www-form-urlencoded body longer than this (by its
	// Content-Length before reading, else by the bytes read: never more
	// than this plus one are read), or a multipart/form-data body whose
	// fields (not files) add up to more, each counted as len(name) + 2 +
	// len(value) (django/http/request.py HttpRequest.body,
	// django/http/multipartparser.py MultiPartParser._parse).
	DataUploadMaxMemorySize int64
	// DataUploadMaxNumberFields is DATA_UPLOAD_MAX_NUMBER_FIELDS, Django's
	// default 1000; NoLimit is None, 0 means the default. A form the CSRF
	// check reads with more fields is answered 400, as Django's
	// TooManyFieldsSent: an url-encoded body counts 1 + its "&"s
	// (Python's parse_qsl), a multipart body its non-file parts.
	DataUploadMaxNumberFields int
	// DataUploadMaxNumberFiles is DATA_UPLOAD_MAX_NUMBER_FILES, Django's
	// default 100; NoLimit is None, 0 means the default. A multipart form
	// the CSRF check reads with more file parts is answered 400, as
	// Django's TooManyFilesSent, on the releases that have the setting
	// (Release.DataUploadMaxNumberFiles: 3.2.18+, 4.0.10+, 4.1.7+, 4.2+);
	// ignored on older ones.
	DataUploadMaxNumberFiles int

	// LoginURL is LOGIN_URL, where middleware.LoginRequired redirects
	// anonymous users (with ?next=), default "/accounts/login/".
	LoginURL string
	// SecureProxySSLHeader is SECURE_PROXY_SSL_HEADER, e.g.
	// {"X-Forwarded-Proto", "https"}: a request carrying that header with
	// that value counts as HTTPS (request.is_secure()), for the CSRF
	// Referer check. Default none: only TLS connections are HTTPS. Set it
	// only behind a proxy that sets or strips the header.
	SecureProxySSLHeader [2]string

	// PasswordHashers is PASSWORD_HASHERS, dotted paths or algorithm names
	// ("pbkdf2_sha256"); the first is preferred. Nil means the default
	// list of DjangoVersion.
	PasswordHashers []string
	// PasswordLimits bound the parameters of stored hashes.
	PasswordLimits PasswordLimits
	// PasswordCheckConcurrency bounds how many password hashes run at once;
	// further checks queue. Default runtime.NumCPU(). Not a Django setting.
	PasswordCheckConcurrency int
	// Argon2HashLength is the hash length in bytes of the argon2-cffi the
	// Django side has installed (argon2.DEFAULT_HASH_LENGTH, which
	// Argon2PasswordHasher.params() reads): 16 up to argon2-cffi 21.x, 32
	// from 23.1 (what `pip install django[argon2]` gives today). New argon2
	// hashes have this length and MustUpdate wants it, so set it to the
	// Django side's value or each side re-hashes the other's hashes on
	// every login. Default 32; 0 means 32. Not a Django setting.
	Argon2HashLength int
	// BcryptBefore5 says the Django side runs a Python bcrypt older than
	// 5.0 (3.x/4.x): plain BCryptPasswordHasher then truncates passwords
	// to 72 bytes, refuses NUL bytes and canonicalises salts. Default
	// false: bcrypt 5.0+ (today's install), where hashpw raises ValueError
	// for a password over 72 bytes or a non-canonical salt, so Django's
	// check_password raises and hashers answer ErrUnsupported/ErrMalformed.
	// Not a Django setting.
	BcryptBefore5 bool

	// AuthenticationBackends is AUTHENTICATION_BACKENDS, dotted paths.
	// Default ["django.contrib.auth.backends.ModelBackend"].
	AuthenticationBackends []string
	// UserModel is AUTH_USER_MODEL's table layout.
	UserModel UserModel

	// UseTZ is USE_TZ. Django's default is true from 5.0 on (and what
	// startproject writes); Defaults sets true.
	UseTZ bool
	// TimeZone is TIME_ZONE, used for naive datetimes when UseTZ is false.
	// Django's default is "America/Chicago".
	TimeZone string

	// Logger receives what Django would log (corrupted session data,
	// cache errors of cached_db). Nil means slog.Default(). Not a Django
	// setting.
	Logger *slog.Logger
}

// DefaultModelBackend is the dotted path of Django's ModelBackend.
const DefaultModelBackend = "django.contrib.auth.backends.ModelBackend"

// DefaultSessionDataLimit is the default Settings.SessionDataLimit, 64 MiB.
const DefaultSessionDataLimit = 64 << 20

// Django's defaults of the request body limits, and NoLimit, which stands
// for None in DataUploadMaxMemorySize, DataUploadMaxNumberFields and
// DataUploadMaxNumberFiles.
const (
	DefaultDataUploadMaxMemorySize   = 2621440
	DefaultDataUploadMaxNumberFields = 1000
	DefaultDataUploadMaxNumberFiles  = 100
	NoLimit                          = -1
)

// UploadLimits returns DataUploadMaxMemorySize, DataUploadMaxNumberFields
// and DataUploadMaxNumberFiles with 0 read as Django's default; a negative
// value (NoLimit) is returned as -1, meaning None.
func (s *Settings) UploadLimits() (memory int64, fields, files int) {
	memory, fields, files = s.DataUploadMaxMemorySize, s.DataUploadMaxNumberFields, s.DataUploadMaxNumberFiles
	switch {
	case memory == 0:
		memory = DefaultDataUploadMaxMemorySize
	case memory < 0:
		memory = NoLimit
	}
	switch {
	case fields == 0:
		fields = DefaultDataUploadMaxNumberFields
	case fields < 0:
		fields = NoLimit
	}
	switch {
	case files == 0:
		files = DefaultDataUploadMaxNumberFiles
	case files < 0:
		files = NoLimit
	}
	return memory, fields, files
}

// Defaults returns Django's defaults for every field (Django 5.2 rules).
// SecretKey is left empty: set it.
func Defaults() Settings {
	return Settings{
		DjangoVersion:               Django52,
		DefaultHashingAlgorithm:     "sha256",
		SessionEngine:               "db",
		SessionSerializer:           "json",
		SessionCookieName:           "sessionid",
		SessionCookieAge:            1209600,
		SessionCookiePath:           "/",
		SessionCookieHTTPOnly:       true,
		SessionCookieSameSite:       "Lax",
		SessionDataLimit:            DefaultSessionDataLimit,
		Cache:                       CacheSettings{Version: 1},
		CSRFCookieName:              "csrftoken",
		CSRFCookieAge:               31449600,
		CSRFCookiePath:              "/",
		CSRFCookieSameSite:          "Lax",
		CSRFHeaderName:              "X-CSRFToken",
		LoginURL:                    "/accounts/login/",
		DataUploadMaxMemorySize:     DefaultDataUploadMaxMemorySize,
		DataUploadMaxNumberFields:   DefaultDataUploadMaxNumberFields,
		DataUploadMaxNumberFiles:    DefaultDataUploadMaxNumberFiles,
		PasswordLimits:              DefaultPasswordLimits(),
		Argon2HashLength:            32,
		PasswordCheckConcurrency:    runtime.NumCPU(),
		AuthenticationBackends:      []string{DefaultModelBackend},
		UserModel:                   UserModel{Table: "auth_user", UsernameField: "username", PKColumn: "id", PKType: "int"},
		UseTZ:                       true,
		TimeZone:                    "America/Chicago",
		SessionExpireAtBrowserClose: false,
	}
}

// DefaultPasswordLimits returns the default PasswordLimits.
func DefaultPasswordLimits() PasswordLimits {
	return PasswordLimits{
		MaxPBKDF2Iterations: 100_000_000,
		MaxArgon2MemoryKiB:  4 << 20,
		MaxArgon2Time:       64,
		MaxArgon2Threads:    255,
		MaxScryptN:          1 << 22,
		MaxScryptR:          64,
		MaxScryptP:          64,
		MaxBcryptCost:       16,
	}
}

// Session engine short names, as SessionEngine accepts them.
const (
	EngineDB            = "db"
	EngineCache         = "cache"
	EngineCachedDB      = "cached_db"
	EngineFile          = "file"
	EngineSignedCookies = "signed_cookies"
)

// EngineName returns the short name of SESSION_ENGINE e, accepting Django's
// dotted spelling ("django.contrib.sessions.backends.cached_db") and the
// short one ("cached_db"). "" means "db".
func EngineName(e string) (string, error) {
	short := strings.TrimPrefix(e, "django.contrib.sessions.backends.")
	switch short {
	case "":
		return EngineDB, nil
	case EngineDB, EngineCache, EngineCachedDB, EngineFile, EngineSignedCookies:
		return short, nil
	}
	return "", fmt.Errorf("djangobridge: unknown SESSION_ENGINE %q", e)
}

// Location returns the time zone of naive datetimes in the database: UTC
// when UseTZ is set, else TimeZone.
func (s *Settings) Location() (*time.Location, error) {
	if s.UseTZ {
		return time.UTC, nil
	}
	if s.TimeZone == "" {
		return nil, fmt.Errorf("djangobridge: USE_TZ is false and TIME_ZONE is empty")
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("djangobridge: TIME_ZONE %q: %w", s.TimeZone, err)
	}
	return loc, nil
}

// SessionKeySalt is the key salt of session data signatures,
// "django.contrib.sessions.SessionStore" for every built-in engine.
const SessionKeySalt = "django.contrib.sessions.SessionStore"
