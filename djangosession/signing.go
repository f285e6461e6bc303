package djangosession

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
)

// Default salts of django.core.signing.
const (
	SaltSigner          = "django.core.signing.Signer"
	SaltTimestampSigner = "django.core.signing.TimestampSigner"
	SaltDumps           = "django.core.signing"
	// SaltSignedCookies is the salt of the signed_cookies session engine.
	SaltSignedCookies = "django.contrib.sessions.backends.signed_cookies"
)

var b64url = base64.RawURLEncoding.Strict()

// SaltedHMAC is Django's salted_hmac(key_salt, value, secret, algorithm):
// HMAC-H(H(key_salt + secret), value). algorithm is "sha256" or "sha1".
func SaltedHMAC(keySalt, value, secret, algorithm string) ([]byte, error) {
	h, err := hashFunc(algorithm)
	if err != nil {
		return nil, err
	}
	k := h()
	k.Write([]byte(keySalt))
	k.Write([]byte(secret))
	m := hmac.New(h, k.Sum(nil))
	m.Write([]byte(value))
	return m.Sum(nil), nil
}

func hashFunc(algorithm string) (func() hash.Hash, error) {
	switch algorithm {
	case "sha256", "":
		return sha256.New, nil
	case "sha1":
		return sha1.New, nil
	}
	return nil, fmt.Errorf("djangosession: unsupported hashing algorithm %q", algorithm)
}

// macKey is one secret's HMAC for one salt, with its key derived once and
// a pool of HMAC states (crypto/hmac keeps the padded key states after the
// first Reset), so signing costs no key derivation or pad setup.
type macKey struct {
	size int
	pool sync.Pool
}

type macState struct {
	h       hash.Hash
	sw      io.StringWriter
	out     [sha256.Size]byte
	scratch []byte
}

func newMacKey(h func() hash.Hash, keySalt, secret string) *macKey {
	d := h()
	d.Write([]byte(keySalt))
	d.Write([]byte(secret))
	key := d.Sum(nil)
	mk := &macKey{size: d.Size()}
	mk.pool.New = func() any {
		st := &macState{h: hmac.New(h, key)}
		st.sw, _ = st.h.(io.StringWriter)
		return st
	}
	return mk
}

// sum appends the MAC of value to dst.
func (k *macKey) sum(dst []byte, value string) []byte {
	st := k.pool.Get().(*macState)
	st.h.Reset()
	switch {
	case st.sw != nil:
		st.sw.WriteString(value)
	case len(value) <= 4096:
		// crypto/hmac has no WriteString: copy into a reused buffer
		// rather than allocate a []byte per call.
		st.scratch = append(st.scratch[:0], value...)
		st.h.Write(st.scratch)
	default:
		st.h.Write([]byte(value))
	}
	dst = append(dst, st.h.Sum(st.out[:0])...)
	k.pool.Put(st)
	return dst
}

// Signer is Django's Signer and TimestampSigner for one salt, with the
// keys of a Settings: SECRET_KEY signs; on Django 4.1+ every key of
// SECRET_KEY_FALLBACKS also verifies; on Django 3.x DEFAULT_HASHING_ALGORITHM
// chooses the algorithm and SHA-1 signatures by SECRET_KEY also verify, as
// 3.1 and 3.2 accept them. Keys are derived once. A Signer is safe for
// concurrent use.
type Signer struct {
	salt   string
	keys   []*macKey // keys[0] signs
	legacy *macKey   // 3.x: SHA-1 with SECRET_KEY
}

// NewSigner returns the signer of salt under the keys of s. Use SaltSigner
// for Signer(), SaltTimestampSigner for TimestampSigner(), SaltDumps for
// signing.dumps.
func NewSigner(s *djangobridge.Settings, salt string) (*Signer, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if s.SecretKey == "" {
		return nil, fmt.Errorf("djangosession: SECRET_KEY is empty: set it to the SECRET_KEY of your Django settings.py")
	}
	alg := "sha256"
	if rel.DefaultHashingAlgorithm && s.DefaultHashingAlgorithm != "" {
		alg = s.DefaultHashingAlgorithm
	}
	h, err := hashFunc(alg)
	if err != nil {
		return nil, err
	}
	keySalt := salt + "signer"
	sg := &Signer{salt: salt, keys: []*macKey{newMacKey(h, keySalt, s.SecretKey)}}
	if rel.SecretKeyFallbacks {
		for _, fb := range s.SecretKeyFallbacks {
			sg.keys = append(sg.keys, newMacKey(h, keySalt, fb))
		}
	}
	if rel.DefaultHashingAlgorithm {
		sg.legacy = newMacKey(sha1.New, keySalt, s.SecretKey)
	}
	return sg, nil
}

// Salt returns the signer's salt.
func (sg *Signer) Salt() string { return sg.salt }

func (sg *Signer) appendSignature(dst []byte, value string) []byte {
	var mac [sha256.Size]byte
	sum := sg.keys[0].sum(mac[:0], value)
	n := len(dst)
	dst = append(dst, make([]byte, b64url.EncodedLen(len(sum)))...)
	b64url.Encode(dst[n:], sum)
	return dst
}

// Sign returns value + ":" + signature, as Signer.sign.
func (sg *Signer) Sign(value string) string {
	buf := make([]byte, 0, len(value)+1+43)
	buf = append(buf, value...)
	buf = append(buf, ':')
	return string(sg.appendSignature(buf, value))
}

// verify checks sig (base64url, unpadded) against value under every key.
func (sg *Signer) verify(value, sig string) bool {
	var given [64]byte
	if len(sig) > 86 {
		return false
	}
	n, err := b64url.Decode(given[:], []byte(sig))
	if err != nil {
		return false
	}
	var mac [sha256.Size]byte
	ok := 0
	for _, k := range sg.keys {
		if n == k.size && hmac.Equal(given[:n], k.sum(mac[:0], value)) {
			ok = 1
		}
	}
	if sg.legacy != nil && n == sg.legacy.size && hmac.Equal(given[:n], sg.legacy.sum(mac[:0], value)) {
		ok = 1
	}
	return ok == 1
}

// Unsign verifies "value:signature" and returns value, or ErrBadSignature.
func (sg *Signer) Unsign(signed string) (string, error) {
	i := strings.LastIndexByte(signed, ':')
	if i < 0 {
		return "", fmt.Errorf("%w: no ':' separator", ErrBadSignature)
	}
	value, sig := signed[:i], signed[i+1:]
	if !sg.verify(value, sig) {
		return "", fmt.Errorf("%w: signature %q does not match", ErrBadSignature, truncate(sig, 16))
	}
	return value, nil
}

// SignTimestamp returns value:timestamp:signature, as TimestampSigner.sign
// at the time now.
func (sg *Signer) SignTimestamp(value string, now time.Time) string {
	buf := make([]byte, 0, len(value)+2+8+43)
	buf = append(buf, value...)
	buf = append(buf, ':')
	buf = appendBase62(buf, now.Unix())
	signedPart := string(buf) // the signature covers value:timestamp
	buf = append(buf, ':')
	return string(sg.appendSignature(buf, signedPart))
}

// NoMaxAge is the maxAge of UnsignTimestamp that accepts any age.
const NoMaxAge time.Duration = -1

// UnsignTimestamp verifies value:timestamp:signature and returns value and
// its timestamp. With maxAge ≥ 0, a signature older than maxAge at now
// gives ErrExpired (timestamps in the future pass, as in Django).
func (sg *Signer) UnsignTimestamp(signed string, maxAge time.Duration, now time.Time) (string, time.Time, error) {
	inner, err := sg.Unsign(signed)
	if err != nil {
		return "", time.Time{}, err
	}
	i := strings.LastIndexByte(inner, ':')
	if i < 0 {
		return "", time.Time{}, fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	value, tsText := inner[:i], inner[i+1:]
	ts, ok := parseBase62(tsText)
	if !ok {
		return "", time.Time{}, fmt.Errorf("%w: bad timestamp %q", ErrMalformed, truncate(tsText, 16))
	}
	if maxAge >= 0 {
		age := float64(now.UnixNano())/1e9 - float64(ts)
		if age > maxAge.Seconds() {
			return "", time.Unix(ts, 0), fmt.Errorf("%w: signature age %.0f s > %.0f s", ErrExpired, age, maxAge.Seconds())
		}
	}
	return value, time.Unix(ts, 0), nil
}

const base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func appendBase62(dst []byte, n int64) []byte {
	if n == 0 {
		return append(dst, '0')
	}
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	var tmp [12]byte
	i := len(tmp)
	for u > 0 {
		i--
		tmp[i] = base62Alphabet[u%62]
		u /= 62
	}
	if neg {
		dst = append(dst, '-')
	}
	return append(dst, tmp[i:]...)
}

// parseBase62 decodes Django's b62_decode; values beyond int64 saturate
// (Python ints do not overflow; a saturated timestamp compares the same).
func parseBase62(s string) (int64, bool) {
	if s == "" {
		return 0, false // b62_decode("") raises IndexError in Django
	}
	neg := false
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	var n uint64
	sat := false
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base62Alphabet, s[i])
		if d < 0 {
			return 0, false
		}
		if n > (math.MaxInt64-uint64(d))/62 {
			sat = true
			continue
		}
		n = n*62 + uint64(d)
	}
	if sat {
		n = math.MaxInt64
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
