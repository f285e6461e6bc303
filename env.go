package djangobridge

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrEnv is wrapped by every *EnvError.
var ErrEnv = errors.New("bad environment variable")

// EnvError is a bad value of one environment variable read by
// SettingsFromEnv. Var is the variable's name, as Django names the
// setting.
type EnvError struct {
	Var   string // e.g. "SESSION_COOKIE_AGE"
	Value string // the value found (empty for a missing variable; never a secret)
	Err   error  // what is wrong with it
}

func (e *EnvError) Error() string {
	if e.Value == "" {
		return e.Var + " " + e.Err.Error() // "DJANGO_VERSION is not set: ..."
	}
	return fmt.Sprintf("%s=%q: %v", e.Var, e.Value, e.Err)
}

// Unwrap returns ErrEnv and the cause, for errors.Is (ErrVersionUnset,
// ErrVersionUnsupported...).
func (e *EnvError) Unwrap() []error { return []error{ErrEnv, e.Err} }

// EnvVars lists the variables SettingsFromEnv reads, each named as the
// Django setting it mirrors (CACHE_URL and CACHE_KEY_PREFIX/CACHE_VERSION
// stand for CACHES["default"]'s LOCATION, KEY_PREFIX and VERSION;
// DJANGO_VERSION is the release whose rules apply).
var EnvVars = []string{
	"SECRET_KEY", "SECRET_KEY_FALLBACKS", "DJANGO_VERSION", "DEFAULT_HASHING_ALGORITHM",
	"SESSION_ENGINE", "SESSION_SERIALIZER", "SESSION_COOKIE_NAME", "SESSION_COOKIE_AGE",
	"SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH", "SESSION_COOKIE_SECURE",
	"SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_SAVE_EVERY_REQUEST",
	"SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_FILE_PATH",
	"CACHE_URL", "CACHE_KEY_PREFIX", "CACHE_VERSION",
	"CSRF_COOKIE_NAME", "CSRF_COOKIE_AGE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH",
	"CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_MASKED",
	"CSRF_HEADER_NAME", "CSRF_TRUSTED_ORIGINS", "CSRF_USE_SESSIONS",
	"DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DATA_UPLOAD_MAX_NUMBER_FILES",
	"LOGIN_URL", "SECURE_PROXY_SSL_HEADER", "PASSWORD_HASHERS", "AUTHENTICATION_BACKENDS",
	"USE_TZ", "TIME_ZONE",
}

// SettingsFromEnv returns Defaults() with every variable of EnvVars that
// getenv (os.Getenv, or a map's lookup in tests) returns non-empty applied,
// parsed as Django would read the setting:
//
//   - lists (SECRET_KEY_FALLBACKS, CSRF_TRUSTED_ORIGINS, PASSWORD_HASHERS,
//     AUTHENTICATION_BACKENDS, CACHE_URL) are comma-separated;
//   - booleans take true/false, True/False, 1/0, yes/no, on/off;
//   - SESSION_COOKIE_SAMESITE and CSRF_COOKIE_SAMESITE take Lax, Strict,
//     None, or False for no attribute;
//   - CSRF_COOKIE_AGE takes a whole number (0 and negatives included, as
//     Django writes them) or None (CSRFCookieAgeNone);
//   - SECURE_PROXY_SSL_HEADER is "HEADER,value", the header in Django's
//     spelling (HTTP_X_FORWARDED_PROTO) or the HTTP one (X-Forwarded-Proto);
//     CSRF_HEADER_NAME likewise (HTTP_X_CSRFTOKEN or X-CSRFToken);
//   - DATA_UPLOAD_MAX_MEMORY_SIZE (bytes), DATA_UPLOAD_MAX_NUMBER_FIELDS
//     and DATA_UPLOAD_MAX_NUMBER_FILES take a whole number ≥ 1, or None
//     for no limit (NoLimit).
//
// DJANGO_VERSION is required: there is no default release, since the rules
// of the wrong one (PBKDF2 iterations, CSRF checks, session hash fallbacks)
// fail quietly; an unset one is an *EnvError wrapping ErrVersionUnset.
// SECRET_KEY is not required here (a CLI command that only hashes passwords
// does not need it); every constructor that signs refuses an empty one.
//
// Every bad value is an *EnvError naming its variable; all of them are
// returned at once, joined (errors.Join), so one run shows every mistake.
func SettingsFromEnv(getenv func(string) string) (Settings, error) {
	s := Defaults()
	var errs []error
	bad := func(name, value string, err error) { errs = append(errs, &EnvError{Var: name, Value: value, Err: err}) }
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	boolean := func(name string, dst *bool) {
		v := getenv(name)
		if v == "" {
			return
		}
		b, err := ParseBool(v)
		if err != nil {
			bad(name, v, err)
			return
		}
		*dst = b
	}
	integer := func(name string, dst *int, min int) {
		v := getenv(name)
		if v == "" {
			return
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < min {
			bad(name, v, fmt.Errorf("want a whole number ≥ %d", min))
			return
		}
		*dst = n
	}
	list := func(name string, dst *[]string) {
		if v := getenv(name); v != "" {
			*dst = SplitList(v)
		}
	}
	sameSite := func(name string, dst *string) {
		v := getenv(name)
		if v == "" {
			return
		}
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "lax":
			*dst = "Lax"
		case "strict":
			*dst = "Strict"
		case "none":
			*dst = "None"
		case "false", "0", "off", "no":
			*dst = ""
		default:
			bad(name, v, errors.New(`want Lax, Strict, None or False`))
		}
	}

	// SECRET_KEY is a secret: its value never appears in an error.
	s.SecretKey = getenv("SECRET_KEY")
	list("SECRET_KEY_FALLBACKS", &s.SecretKeyFallbacks)

	if v := getenv("DJANGO_VERSION"); v == "" {
		bad("DJANGO_VERSION", "", &causeError{"is not set: set it to the release of the Django that shares the database (python -m django --version), e.g. DJANGO_VERSION=5.2", ErrVersionUnset})
	} else if ver, err := ParseVersion(v); err != nil {
		bad("DJANGO_VERSION", v, errors.New("want MAJOR.MINOR or MAJOR.MINOR.PATCH, e.g. 5.2"))
	} else if _, err := ReleaseOf(ver); err != nil {
		bad("DJANGO_VERSION", v, fmt.Errorf("%w (supported: %s)", ErrVersionUnsupported, supportedList()))
	} else {
		s.DjangoVersion = ver
	}
	str("DEFAULT_HASHING_ALGORITHM", &s.DefaultHashingAlgorithm)
	if a := s.DefaultHashingAlgorithm; a != "sha256" && a != "sha1" {
		bad("DEFAULT_HASHING_ALGORITHM", a, errors.New("want sha256 or sha1"))
	}

	if v := getenv("SESSION_ENGINE"); v != "" {
		if e, err := EngineName(v); err != nil {
			bad("SESSION_ENGINE", v, errors.New("want db, cache, cached_db, file, signed_cookies or django.contrib.sessions.backends.<one of them>"))
		} else {
			s.SessionEngine = e
		}
	}
	if v := getenv("SESSION_SERIALIZER"); v != "" {
		switch strings.TrimPrefix(strings.TrimPrefix(v, "django.contrib.sessions.serializers."), "django.core.signing.") {
		case "JSONSerializer", "json":
			s.SessionSerializer = "json"
		case "PickleSerializer", "pickle":
			s.SessionSerializer = "pickle"
		default:
			bad("SESSION_SERIALIZER", v, errors.New("want django.contrib.sessions.serializers.JSONSerializer or PickleSerializer"))
		}
	}
	str("SESSION_COOKIE_NAME", &s.SessionCookieName)
	integer("SESSION_COOKIE_AGE", &s.SessionCookieAge, 1)
	str("SESSION_COOKIE_DOMAIN", &s.SessionCookieDomain)
	str("SESSION_COOKIE_PATH", &s.SessionCookiePath)
	boolean("SESSION_COOKIE_SECURE", &s.SessionCookieSecure)
	boolean("SESSION_COOKIE_HTTPONLY", &s.SessionCookieHTTPOnly)
	sameSite("SESSION_COOKIE_SAMESITE", &s.SessionCookieSameSite)
	boolean("SESSION_SAVE_EVERY_REQUEST", &s.SessionSaveEveryRequest)
	boolean("SESSION_EXPIRE_AT_BROWSER_CLOSE", &s.SessionExpireAtBrowserClose)
	str("SESSION_FILE_PATH", &s.SessionFilePath)

	list("CACHE_URL", &s.Cache.Location)
	str("CACHE_KEY_PREFIX", &s.Cache.KeyPrefix)
	integer("CACHE_VERSION", &s.Cache.Version, 0)

	str("CSRF_COOKIE_NAME", &s.CSRFCookieName)
	if v := getenv("CSRF_COOKIE_AGE"); v != "" {
		// A whole number (0 and negatives as Django writes them) or None.
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			s.CSRFCookieAge, s.CSRFCookieAgeNone = n, false
		} else if strings.TrimSpace(v) == "None" {
			s.CSRFCookieAgeNone = true
		} else {
			bad("CSRF_COOKIE_AGE", v, errors.New("want a whole number of seconds, or None for a browser-session cookie"))
		}
	}
	str("CSRF_COOKIE_DOMAIN", &s.CSRFCookieDomain)
	str("CSRF_COOKIE_PATH", &s.CSRFCookiePath)
	boolean("CSRF_COOKIE_SECURE", &s.CSRFCookieSecure)
	boolean("CSRF_COOKIE_HTTPONLY", &s.CSRFCookieHTTPOnly)
	sameSite("CSRF_COOKIE_SAMESITE", &s.CSRFCookieSameSite)
	boolean("CSRF_COOKIE_MASKED", &s.CSRFCookieMasked)
	if v := getenv("CSRF_HEADER_NAME"); v != "" {
		h, err := HTTPHeaderName(v)
		if err != nil {
			bad("CSRF_HEADER_NAME", v, err)
		} else {
			s.CSRFHeaderName = h
		}
	}
	list("CSRF_TRUSTED_ORIGINS", &s.CSRFTrustedOrigins)
	boolean("CSRF_USE_SESSIONS", &s.CSRFUseSessions)

	limit := func(name string, set func(n int64)) {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			return
		}
		if v == "None" || v == "none" {
			set(NoLimit)
			return
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > math.MaxInt32 && name != "DATA_UPLOAD_MAX_MEMORY_SIZE" {
			bad(name, v, errors.New("want a whole number ≥ 1, or None for no limit"))
			return
		}
		set(n)
	}
	limit("DATA_UPLOAD_MAX_MEMORY_SIZE", func(n int64) { s.DataUploadMaxMemorySize = n })
	limit("DATA_UPLOAD_MAX_NUMBER_FIELDS", func(n int64) { s.DataUploadMaxNumberFields = int(n) })
	limit("DATA_UPLOAD_MAX_NUMBER_FILES", func(n int64) { s.DataUploadMaxNumberFiles = int(n) })

	str("LOGIN_URL", &s.LoginURL)
	if v := getenv("SECURE_PROXY_SSL_HEADER"); v != "" {
		parts := SplitList(v)
		if len(parts) != 2 {
			bad("SECURE_PROXY_SSL_HEADER", v, errors.New(`want "HEADER,value", e.g. HTTP_X_FORWARDED_PROTO,https`))
		} else if h, err := HTTPHeaderName(parts[0]); err != nil {
			bad("SECURE_PROXY_SSL_HEADER", v, err)
		} else {
			s.SecureProxySSLHeader = [2]string{h, parts[1]}
		}
	}
	list("PASSWORD_HASHERS", &s.PasswordHashers)
	if v := getenv("ARGON2_HASH_LENGTH"); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 4 || n > 1024 {
			bad("ARGON2_HASH_LENGTH", v, errors.New("want a number of bytes from 4 to 1024: 16 for argon2-cffi up to 21.x, 32 from 23.1"))
		} else {
			s.Argon2HashLength = n
		}
	}
	boolean("BCRYPT_BEFORE_5", &s.BcryptBefore5)
	list("AUTHENTICATION_BACKENDS", &s.AuthenticationBackends)

	boolean("USE_TZ", &s.UseTZ)
	str("TIME_ZONE", &s.TimeZone)
	if _, err := s.Location(); err != nil {
		bad("TIME_ZONE", s.TimeZone, errors.New("not a time zone name (want an IANA name such as Europe/Paris or UTC)"))
	}
	return s, errors.Join(errs...)
}

// causeError is a message that matches its cause with errors.Is without
// repeating the cause's words.
type causeError struct {
	msg   string
	cause error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.cause }

// ParseBool reads a boolean as Django settings files written from the
// environment commonly do: true/false, True/False, 1/0, yes/no, on/off.
func ParseBool(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on", "t", "y":
		return true, nil
	case "0", "false", "no", "off", "f", "n":
		return false, nil
	}
	return false, errors.New("want true or false (also True/False, 1/0, yes/no, on/off)")
}

// SplitList splits a comma-separated value, trimming spaces and dropping
// empty entries.
func SplitList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// HTTPHeaderName returns the HTTP spelling of a header named as Django's
// request.META key ("HTTP_X_FORWARDED_PROTO" → "X-Forwarded-Proto") or
// already in HTTP spelling (returned as given).
func HTTPHeaderName(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" || strings.ContainsAny(v, " \t:\r\n") {
		return "", errors.New("not a header name")
	}
	rest, ok := strings.CutPrefix(v, "HTTP_")
	if !ok {
		return v, nil
	}
	words := strings.Split(strings.ToLower(rest), "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, "-"), nil
}
