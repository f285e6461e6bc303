// Package passwordreset makes and checks password reset links as Django's
// auth views do (django/contrib/auth/tokens.py, views.py, forms.py): a
// uidb64 and a PasswordResetTokenGenerator token per release, so a link made
// here works in Django's PasswordResetConfirmView and one made by Django
// works here.
package passwordreset

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// KeySalt is PasswordResetTokenGenerator.key_salt.
const KeySalt = "django.contrib.auth.tokens.PasswordResetTokenGenerator"

// DefaultTimeout is global_settings.PASSWORD_RESET_TIMEOUT: 3 days.
const DefaultTimeout = 259200 * time.Second

// maxTokenLen bounds the tokens CheckToken looks at: a real one is at most
// 13 base-36 digits, "-" and 32 hex digits (SHA-256) or 20 (SHA-1).
const maxTokenLen = 64

// Errors of ParseUIDB64 and Options; all wrap ErrInvalidLink or ErrConfig.
var (
	// ErrInvalidLink: the uidb64 or token of a link cannot be right.
	ErrInvalidLink = errors.New("passwordreset: the password reset link is invalid, possibly because it has already been used")
	// ErrConfig: a setting is missing or wrong.
	ErrConfig = errors.New("passwordreset: bad configuration")
)

// Options are the settings of the token generator beyond Settings.
type Options struct {
	// Timeout is PASSWORD_RESET_TIMEOUT (whole seconds); 0 means
	// DefaultTimeout (3 days).
	Timeout time.Duration
	// EmailField is the user model's EMAIL_FIELD; "" means "email".
	EmailField string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// TokenGenerator is Django's PasswordResetTokenGenerator for one release
// and SECRET_KEY (with SECRET_KEY_FALLBACKS on 4.1+). Safe for concurrent
// use.
type TokenGenerator struct {
	rel        djangobridge.Release
	algorithm  string
	secret     string
	fallbacks  []string
	timeout    int64
	emailField string
	wall       *time.Location // datetime.now()'s zone: TIME_ZONE (Django sets TZ)
	db         *time.Location // last_login's wall clock: UTC with USE_TZ, else TIME_ZONE
	now        func() time.Time
}

// NewTokenGenerator returns the generator of s's release: its algorithm
// (DEFAULT_HASHING_ALGORITHM on 3.2, SHA-256 from 4.0), SECRET_KEY and,
// on 4.1+, SECRET_KEY_FALLBACKS (tokens made with those still pass).
// Timestamps count seconds since 2001-01-01 on the wall clock of
// TIME_ZONE, as Django's datetime.now() does once settings set TZ.
func NewTokenGenerator(s *djangobridge.Settings, o Options) (*TokenGenerator, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Settings: start from djangobridge.Defaults()", ErrConfig)
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if s.SecretKey == "" {
		return nil, fmt.Errorf("%w: SECRET_KEY is empty: set it to the SECRET_KEY of your Django settings.py", ErrConfig)
	}
	g := &TokenGenerator{rel: rel, algorithm: rel.PasswordResetTokenAlgorithm, secret: s.SecretKey,
		timeout: int64(DefaultTimeout / time.Second), emailField: djangouser.ColEmail, now: time.Now}
	if g.algorithm == "" { // 3.2: DEFAULT_HASHING_ALGORITHM
		g.algorithm = s.DefaultHashingAlgorithm
		if g.algorithm == "" {
			g.algorithm = "sha256"
		}
	}
	if g.algorithm != "sha1" && g.algorithm != "sha256" {
		return nil, fmt.Errorf("%w: hashing algorithm %q: want sha1 or sha256", ErrConfig, g.algorithm)
	}
	if rel.PasswordResetTokenFallbacks {
		g.fallbacks = append([]string(nil), s.SecretKeyFallbacks...)
	}
	if o.Timeout < 0 {
		return nil, fmt.Errorf("%w: PASSWORD_RESET_TIMEOUT %v is negative", ErrConfig, o.Timeout)
	}
	if o.Timeout > 0 {
		g.timeout = int64(o.Timeout / time.Second)
	}
	if o.EmailField != "" {
		g.emailField = o.EmailField
	}
	if o.Now != nil {
		g.now = o.Now
	}
	g.wall = time.Local
	if s.TimeZone != "" {
		if g.wall, err = time.LoadLocation(s.TimeZone); err != nil {
			return nil, fmt.Errorf("%w: TIME_ZONE %q: %v", ErrConfig, s.TimeZone, err)
		}
	}
	g.db = g.wall
	if s.UseTZ {
		g.db = time.UTC
	}
	return g, nil
}

var epoch2001 = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// numSeconds is _num_seconds(datetime.now()): whole seconds from
// 2001-01-01 to t's wall clock in TIME_ZONE.
func (g *TokenGenerator) numSeconds(t time.Time) int64 {
	w := t.In(g.wall)
	naive := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	return int64(naive.Sub(epoch2001) / time.Second)
}

// MakeToken is make_token(user) at the generator's clock.
func (g *TokenGenerator) MakeToken(u *djangouser.User) (string, error) {
	return g.MakeTokenAt(u, g.now())
}

// MakeTokenAt is make_token(user) at time t.
func (g *TokenGenerator) MakeTokenAt(u *djangouser.User, t time.Time) (string, error) {
	if u.IsAnonymous() || u.PK() == "" {
		return "", fmt.Errorf("%w: a reset token needs a saved user", ErrConfig)
	}
	return g.tokenWithTimestamp(u, g.numSeconds(t), g.secret, g.algorithm), nil
}

// CheckToken is check_token(user, token): whether token was made for u
// in its current state (password, last_login, email) by SECRET_KEY or a
// fallback key, no longer than PASSWORD_RESET_TIMEOUT ago. Anything
// malformed is false.
func (g *TokenGenerator) CheckToken(u *djangouser.User, token string) bool {
	if u.IsAnonymous() || u.PK() == "" || token == "" || len(token) > maxTokenLen {
		return false
	}
	tsB36, _, ok := strings.Cut(token, "-")
	if !ok || strings.Count(token, "-") != 1 {
		return false
	}
	ts, ok := base36ToInt(tsB36)
	if !ok {
		return false
	}
	match := false
	for _, secret := range append([]string{g.secret}, g.fallbacks...) {
		if hmac.Equal([]byte(g.tokenWithTimestamp(u, ts, secret, g.algorithm)), []byte(token)) {
			match = true
		}
	}
	now := g.now()
	if !match && g.rel.PasswordResetTokenLegacy {
		match = hmac.Equal([]byte(g.tokenWithTimestamp(u, ts, g.secret, "sha1")), []byte(token))
	}
	if !match {
		return false
	}
	if g.rel.PasswordResetTokenLegacy && len(tsB36) < 4 {
		// A pre-3.1 token counts days: days*86400 plus today's seconds.
		w := now.In(g.wall)
		ts = ts*86400 + int64(w.Hour()*3600+w.Minute()*60+w.Second())
	}
	return g.numSeconds(now)-ts <= g.timeout
}

// tokenWithTimestamp is _make_token_with_timestamp.
func (g *TokenGenerator) tokenWithTimestamp(u *djangouser.User, ts int64, secret, algorithm string) string {
	mac, err := djangosession.SaltedHMAC(KeySalt, g.hashValue(u, ts), secret, algorithm)
	if err != nil { // only an unknown algorithm, refused by NewTokenGenerator
		panic(err)
	}
	h := hex.EncodeToString(mac)
	var b strings.Builder
	b.WriteString(strconv.FormatInt(ts, 36))
	b.WriteByte('-')
	for i := 0; i < len(h); i += 2 { // hexdigest()[::2]
		b.WriteByte(h[i])
	}
	return b.String()
}

// hashValue is _make_hash_value: pk, password, last_login (seconds, no
// zone), timestamp and, where the release has it, the email.
func (g *TokenGenerator) hashValue(u *djangouser.User, ts int64) string {
	var b strings.Builder
	b.WriteString(u.PK())
	b.WriteString(u.Password)
	if u.LastLogin != nil {
		b.WriteString(pyDatetime(u.LastLogin.In(g.db)))
	}
	b.WriteString(strconv.FormatInt(ts, 10))
	if g.rel.PasswordResetTokenEmail {
		if v, ok := u.Field(g.emailField); ok {
			if s, ok := v.(string); ok {
				b.WriteString(s)
			}
		}
	}
	return b.String()
}

// pyDatetime is str(datetime) of t's wall clock without microseconds.
func pyDatetime(t time.Time) string {
	return fmt.Sprintf("%04d-%02d-%02d %02d:%02d:%02d", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second())
}

// base36ToInt is django.utils.http.base36_to_int: at most 13 base-36
// digits (either case), else not a number. Python's int(s, 36) also
// takes surrounding white space, "+" and "_" between digits; such a token
// never matches the HMAC, so refusing them changes no answer.
func base36ToInt(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 13 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('0' <= s[i] && s[i] <= '9') && !('a' <= c && c <= 'z') {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(strings.ToLower(s), 36, 64)
	return n, err == nil
}

// UIDB64 is urlsafe_base64_encode(force_bytes(user.pk)): the pk's text in
// URL-safe base64 without padding.
func UIDB64(u *djangouser.User) string {
	return base64.RawURLEncoding.EncodeToString([]byte(u.PK()))
}

// ParseUIDB64 is urlsafe_base64_decode(uidb64).decode(): the primary key's
// text. Padding is optional, as in Django; anything that is not URL-safe
// base64 of UTF-8 text (or longer than 256 characters) is ErrInvalidLink.
func ParseUIDB64(uidb64 string) (string, error) {
	if len(uidb64) == 0 || len(uidb64) > 256 {
		return "", fmt.Errorf("%w: uidb64 of %d characters", ErrInvalidLink, len(uidb64))
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(uidb64, "="))
	if err != nil {
		return "", fmt.Errorf("%w: uidb64: %v", ErrInvalidLink, err)
	}
	if !isUTF8(b) {
		return "", fmt.Errorf("%w: uidb64 is not text", ErrInvalidLink)
	}
	return string(b), nil
}

func isUTF8(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

// PKFromText turns a uidb64's text into the primary key Store.UserByID
// takes (djangouser.ParsePK: pk.to_python); a bad one is ErrInvalidLink.
func PKFromText(text, pkType string) (any, error) {
	pk, err := djangouser.ParsePK(pkType, text)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidLink, err)
	}
	return pk, nil
}
