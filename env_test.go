package djangobridge

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSettingsFromEnv(t *testing.T) {
	s, err := SettingsFromEnv(envOf(map[string]string{
		"SECRET_KEY":                      "k",
		"SECRET_KEY_FALLBACKS":            "old1, old2",
		"DJANGO_VERSION":                  "4.2",
		"SESSION_ENGINE":                  "django.contrib.sessions.backends.cached_db",
		"SESSION_COOKIE_NAME":             "sid",
		"SESSION_COOKIE_AGE":              "3600",
		"SESSION_COOKIE_DOMAIN":           ".example.com",
		"SESSION_COOKIE_SECURE":           "True",
		"SESSION_COOKIE_SAMESITE":         "False",
		"CSRF_TRUSTED_ORIGINS":            "https://example.com,https://*.example.com",
		"CSRF_COOKIE_DOMAIN":              ".example.com",
		"CSRF_HEADER_NAME":                "HTTP_X_CSRFTOKEN",
		"SECURE_PROXY_SSL_HEADER":         "HTTP_X_FORWARDED_PROTO,https",
		"CACHE_URL":                       "redis://a:6379/1,redis://b:6379/1",
		"USE_TZ":                          "false",
		"TIME_ZONE":                       "Europe/Paris",
		"PASSWORD_HASHERS":                "django.contrib.auth.hashers.Argon2PasswordHasher",
		"SESSION_SERIALIZER":              "django.contrib.sessions.serializers.JSONSerializer",
		"SESSION_EXPIRE_AT_BROWSER_CLOSE": "1",
		"DATA_UPLOAD_MAX_MEMORY_SIZE":     "None",
		"DATA_UPLOAD_MAX_NUMBER_FIELDS":   "5000",
		"DATA_UPLOAD_MAX_NUMBER_FILES":    "None",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.SecretKey = "k"
	want.SecretKeyFallbacks = []string{"old1", "old2"}
	want.DjangoVersion = Django42
	want.SessionEngine = "cached_db"
	want.SessionCookieName = "sid"
	want.SessionCookieAge = 3600
	want.SessionCookieDomain = ".example.com"
	want.SessionCookieSecure = true
	want.SessionCookieSameSite = ""
	want.CSRFTrustedOrigins = []string{"https://example.com", "https://*.example.com"}
	want.CSRFCookieDomain = ".example.com"
	want.CSRFHeaderName = "X-Csrftoken"
	want.SecureProxySSLHeader = [2]string{"X-Forwarded-Proto", "https"}
	want.Cache.Location = []string{"redis://a:6379/1", "redis://b:6379/1"}
	want.UseTZ = false
	want.TimeZone = "Europe/Paris"
	want.PasswordHashers = []string{"django.contrib.auth.hashers.Argon2PasswordHasher"}
	want.SessionExpireAtBrowserClose = true
	want.DataUploadMaxMemorySize = NoLimit
	want.DataUploadMaxNumberFields = 5000
	want.DataUploadMaxNumberFiles = NoLimit
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

// Every bad value is an error naming its variable, all at once.
func TestSettingsFromEnvErrors(t *testing.T) {
	_, err := SettingsFromEnv(envOf(map[string]string{
		"SECRET_KEY":                    "do-not-print-me",
		"DJANGO_VERSION":                "4.x",
		"SESSION_COOKIE_AGE":            "two weeks",
		"SESSION_COOKIE_SECURE":         "maybe",
		"SESSION_ENGINE":                "redis",
		"CSRF_COOKIE_SAMESITE":          "sometimes",
		"SECURE_PROXY_SSL_HEADER":       "X-Forwarded-Proto",
		"USE_TZ":                        "false",
		"TIME_ZONE":                     "Mars/Olympus",
		"DATA_UPLOAD_MAX_MEMORY_SIZE":   "2.5M",
		"DATA_UPLOAD_MAX_NUMBER_FIELDS": "0",
	}))
	for _, name := range []string{"DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "DJANGO_VERSION", "SESSION_COOKIE_AGE", "SESSION_COOKIE_SECURE", "SESSION_ENGINE", "CSRF_COOKIE_SAMESITE", "SECURE_PROXY_SSL_HEADER", "TIME_ZONE"} {
		if err == nil || !strings.Contains(err.Error(), name+"=") {
			t.Errorf("no error naming %s in %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "do-not-print-me") {
		t.Error("the secret key is in the error")
	}
	var ee *EnvError
	if !errors.As(err, &ee) || !errors.Is(err, ErrEnv) {
		t.Errorf("not an *EnvError: %T", err)
	}
}

func TestSettingsFromEnvNeedsRelease(t *testing.T) {
	_, err := SettingsFromEnv(envOf(map[string]string{"SECRET_KEY": "k"}))
	if !errors.Is(err, ErrVersionUnset) || !strings.Contains(err.Error(), "DJANGO_VERSION") || !strings.Contains(err.Error(), "DJANGO_VERSION=5.2") {
		t.Errorf("unset DJANGO_VERSION: %v", err)
	}
	_, err = SettingsFromEnv(envOf(map[string]string{"DJANGO_VERSION": "2.2"}))
	if !errors.Is(err, ErrVersionUnsupported) || !strings.Contains(err.Error(), "DJANGO_VERSION=\"2.2\"") {
		t.Errorf("DJANGO_VERSION=2.2: %v", err)
	}
	// SECRET_KEY is not required here (constructors that sign refuse it).
	if s, err := SettingsFromEnv(envOf(map[string]string{"DJANGO_VERSION": "6.1"})); err != nil || s.SecretKey != "" {
		t.Errorf("no SECRET_KEY: %v", err)
	}
}

func TestHTTPHeaderName(t *testing.T) {
	for in, want := range map[string]string{"HTTP_X_FORWARDED_PROTO": "X-Forwarded-Proto", "X-Forwarded-Proto": "X-Forwarded-Proto", "HTTP_X_CSRFTOKEN": "X-Csrftoken"} {
		if got, err := HTTPHeaderName(in); err != nil || got != want {
			t.Errorf("%s: %q, %v", in, got, err)
		}
	}
	if _, err := HTTPHeaderName("a b"); err == nil {
		t.Error("a header name with a space")
	}
}

// Any value of any variable is a setting or an *EnvError, never a panic.
func FuzzSettingsFromEnv(f *testing.F) {
	for _, s := range []string{"", "5.2", "true", "Lax", "HTTP_X_FORWARDED_PROTO,https", "a,b,,c", "-1", "99999999999999999999", "Europe/Paris", "\x00"} {
		f.Add(uint8(0), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, v string) {
		name := EnvVars[int(which)%len(EnvVars)]
		_, err := SettingsFromEnv(func(k string) string {
			switch k {
			case name:
				return v
			case "DJANGO_VERSION":
				return "5.2"
			}
			return ""
		})
		if err != nil && !errors.Is(err, ErrEnv) {
			t.Errorf("%s=%q: %v is not an EnvError", name, v, err)
		}
	})
}

// 0 in Settings means Django's default; NoLimit (None) stays -1.
func TestUploadLimits(t *testing.T) {
	d := Defaults()
	if m, f, n := d.UploadLimits(); m != 2621440 || f != 1000 || n != 100 {
		t.Errorf("defaults: %d %d %d", m, f, n)
	}
	var z Settings
	if m, f, n := z.UploadLimits(); m != 2621440 || f != 1000 || n != 100 {
		t.Errorf("zero: %d %d %d", m, f, n)
	}
	z.DataUploadMaxMemorySize, z.DataUploadMaxNumberFields, z.DataUploadMaxNumberFiles = NoLimit, -7, NoLimit
	if m, f, n := z.UploadLimits(); m != -1 || f != -1 || n != -1 {
		t.Errorf("None: %d %d %d", m, f, n)
	}
}

// CSRF_COOKIE_AGE: a number (0 and negatives are Django values: Max-Age=0
// deletes at once) or None (a browser-session cookie), told apart.
func TestCSRFCookieAgeFromEnv(t *testing.T) {
	for v, want := range map[string]struct {
		age  int
		none bool
	}{"None": {31449600, true}, "0": {0, false}, "-60": {-60, false}, " 3600 ": {3600, false}} {
		s, err := SettingsFromEnv(envOf(map[string]string{"DJANGO_VERSION": "5.2", "CSRF_COOKIE_AGE": v}))
		if err != nil || s.CSRFCookieAge != want.age || s.CSRFCookieAgeNone != want.none {
			t.Errorf("CSRF_COOKIE_AGE=%q: age %d none %v (%v); want %d %v", v, s.CSRFCookieAge, s.CSRFCookieAgeNone, err, want.age, want.none)
		}
	}
	_, err := SettingsFromEnv(envOf(map[string]string{"DJANGO_VERSION": "5.2", "CSRF_COOKIE_AGE": "a year"}))
	var ee *EnvError
	if !errors.As(err, &ee) || !strings.Contains(err.Error(), "CSRF_COOKIE_AGE") || !strings.Contains(err.Error(), "None") {
		t.Errorf("bad CSRF_COOKIE_AGE: %v", err)
	}
}
