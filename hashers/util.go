package hashers

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/djangobridge/djangobridge"
)

// RandomStringChars is Django's RANDOM_STRING_CHARS, the alphabet of salts
// and of the unusable-password suffix.
const RandomStringChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// SaltChars is the length of the salts Django 3.2+ generates:
// ceil(128 / log2(62)) = 22 characters. A stored salt shorter than this has
// less than 128 bits of entropy, so Django's must_update reports true.
const SaltChars = 22

// UnusablePrefix is UNUSABLE_PASSWORD_PREFIX: a stored password starting
// with it never matches.
const UnusablePrefix = "!"

// unusableSuffixLength is UNUSABLE_PASSWORD_SUFFIX_LENGTH.
const unusableSuffixLength = 40

// RandomString returns n characters drawn uniformly from RandomStringChars
// with crypto/rand, like Django's get_random_string.
func RandomString(n int) (string, error) {
	var b strings.Builder
	b.Grow(n)
	max := big.NewInt(int64(len(RandomStringChars)))
	for range n {
		i, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", fmt.Errorf("hashers: random: %w", err)
		}
		b.WriteByte(RandomStringChars[i.Int64()])
	}
	return b.String(), nil
}

// IsUsable is Django's is_password_usable: false for the "!"-prefixed
// values set_unusable_password stores, true for anything else (even
// garbage, which then simply never matches).
func IsUsable(encoded string) bool { return !strings.HasPrefix(encoded, UnusablePrefix) }

// MakeUnusable returns a new unusable password, "!" followed by 40 random
// characters, as make_password(None) does.
func MakeUnusable() (string, error) {
	s, err := RandomString(unusableSuffixLength)
	if err != nil {
		return "", err
	}
	return UnusablePrefix + s, nil
}

// mustUpdateSalt is Django's must_update_salt for 128 bits of entropy:
// len(salt) * log2(62) < 128, i.e. fewer than 22 characters. Django counts
// characters (code points), not bytes.
func mustUpdateSalt(salt string) bool { return utf8.RuneCountInString(salt) < SaltChars }

// constantTimeEqual is Django's constant_time_compare.
func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// limitsOf fills the zero fields of l with the defaults.
func limitsOf(l djangobridge.PasswordLimits) djangobridge.PasswordLimits {
	d := djangobridge.DefaultPasswordLimits()
	if l.MaxPBKDF2Iterations <= 0 {
		l.MaxPBKDF2Iterations = d.MaxPBKDF2Iterations
	}
	if l.MaxArgon2MemoryKiB <= 0 {
		l.MaxArgon2MemoryKiB = d.MaxArgon2MemoryKiB
	}
	if l.MaxArgon2Time <= 0 {
		l.MaxArgon2Time = d.MaxArgon2Time
	}
	if l.MaxArgon2Threads <= 0 {
		l.MaxArgon2Threads = d.MaxArgon2Threads
	}
	if l.MaxScryptN <= 0 {
		l.MaxScryptN = d.MaxScryptN
	}
	if l.MaxScryptR <= 0 {
		l.MaxScryptR = d.MaxScryptR
	}
	if l.MaxScryptP <= 0 {
		l.MaxScryptP = d.MaxScryptP
	}
	if l.MaxBcryptCost <= 0 {
		l.MaxBcryptCost = d.MaxBcryptCost
	}
	return l
}

// maxDigits bounds the numbers parsed from hashes so they cannot overflow
// an int64; anything longer is over every limit.
const maxDigits = 18

// parseCanonical parses a decimal written the way Django writes it ("%d"
// of a positive int): ASCII digits, no sign, no leading zero, at least 1.
// Django re-encodes the hash with the parsed number and compares strings,
// so any other spelling can never match; it is reported as malformed.
func parseCanonical(s, what, alg string) (int, error) {
	n, err := parseDigits(s, what, alg)
	if err != nil {
		return 0, err
	}
	if s[0] == '0' || n < 1 {
		return 0, fmt.Errorf("%w: %s: %s %q is not a positive decimal as Django writes it", ErrMalformed, alg, what, s)
	}
	return n, nil
}

// parseDigits parses ASCII digits (leading zeros allowed, as libargon2's
// decoder allows them). More than 18 digits is ErrOverLimit.
func parseDigits(s, what, alg string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: %s: empty %s", ErrMalformed, alg, what)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%w: %s: %s %q is not a decimal number", ErrMalformed, alg, what, truncate(s))
		}
	}
	t := strings.TrimLeft(s, "0")
	if len(t) > maxDigits {
		return 0, fmt.Errorf("%w: %s: %s %s… is too large", ErrOverLimit, alg, what, t[:maxDigits])
	}
	n := 0
	for i := 0; i < len(t); i++ {
		n = n*10 + int(t[i]-'0')
	}
	return n, nil
}

// truncate shortens hostile text quoted in error messages.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// isLowerHex reports whether s is n lowercase hexadecimal digits, what
// hexdigest() writes.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
