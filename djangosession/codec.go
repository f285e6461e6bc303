package djangosession

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/klauspost/compress/zlib"
)

// Codec encodes and decodes session data exactly as Django's
// SessionBase.encode and decode do for the Settings it was made from:
//
//   - the 3.1+ format, signing.dumps(session, salt=key_salt, compress=True):
//     "[.]base64url(zlib?(json)):b62(timestamp):signature";
//   - on Django 3.x, also the pre-3.1 legacy format
//     base64(hex(HMAC-SHA1) + ":" + json), read always and written when
//     DEFAULT_HASHING_ALGORITHM is "sha1";
//   - for the signed_cookies engine, signing.dumps with that engine's salt,
//     read with max_age = SESSION_COOKIE_AGE.
//
// Decoding never panics: bad signatures and garbage give an error that
// IsDataError recognises, and the caller treats the session as empty. A
// Codec is safe for concurrent use.
type Codec struct {
	data        *Signer // salt django.contrib.sessions.SessionStore
	cookie      *Signer // salt ...backends.signed_cookies
	legacyRead  bool
	legacyWrite bool
	legacyKey   *macKey
	pickle      bool
	limit       int
	cookieAge   time.Duration
	now         func() time.Time
}

// NewCodec returns the codec of s.
func NewCodec(s *djangobridge.Settings) (*Codec, error) {
	if s == nil {
		return nil, errors.New("djangosession: nil Settings: start from djangobridge.Defaults()")
	}
	data, err := NewSigner(s, djangobridge.SessionKeySalt)
	if err != nil {
		return nil, err
	}
	cookie, err := NewSigner(s, SaltSignedCookies)
	if err != nil {
		return nil, err
	}
	c := &Codec{
		data:      data,
		cookie:    cookie,
		limit:     s.SessionDataLimit,
		cookieAge: time.Duration(s.SessionCookieAge) * time.Second,
		now:       time.Now,
	}
	if c.limit <= 0 {
		c.limit = djangobridge.DefaultSessionDataLimit
	}
	switch s.SessionSerializer {
	case "", "json", "django.contrib.sessions.serializers.JSONSerializer", "django.core.signing.JSONSerializer":
	case "pickle", "django.contrib.sessions.serializers.PickleSerializer":
		c.pickle = true
	default:
		return nil, fmt.Errorf("djangosession: unknown SESSION_SERIALIZER %q", s.SessionSerializer)
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if rel.LegacySessionFormat {
		c.legacyRead = true
		c.legacyWrite = s.DefaultHashingAlgorithm == "sha1"
		c.legacyKey = newMacKey(sha1.New, "django.contrib.sessionsSessionStore", s.SecretKey)
	}
	return c, nil
}

// Limit is the most bytes decoded session data may inflate to.
func (c *Codec) Limit() int { return c.limit }

// Encode returns m as Django's SessionBase.encode writes it, the text of
// django_session.session_data and of session files.
func (c *Codec) Encode(m *Map) (string, error) {
	if c.pickle {
		return "", fmt.Errorf("%w: the pickle serializer is read-only", ErrUnsupportedValue)
	}
	if c.legacyWrite {
		return c.encodeLegacy(m)
	}
	return c.dumps(c.data, m)
}

// Decode reads session data Django wrote (any format the configured
// release reads).
func (c *Codec) Decode(data string) (*Map, error) {
	m, err := c.loads(c.data, data, NoMaxAge)
	if err == nil || !c.legacyRead {
		return m, err
	}
	// Django 3.x: on any failure of the new format, try the legacy one.
	if lm, lerr := c.decodeLegacy(data); lerr == nil {
		return lm, nil
	}
	return nil, err
}

// EncodeCookie returns m as the value of a signed_cookies session cookie,
// of any size (Django sets it whatever its size; SignedCookieStore logs
// one over BrowserCookieLimit).
func (c *Codec) EncodeCookie(m *Map) (string, error) {
	return c.dumps(c.cookie, m)
}

// DecodeCookie reads a signed_cookies session cookie, refusing one older
// than SESSION_COOKIE_AGE.
func (c *Codec) DecodeCookie(v string) (*Map, error) {
	return c.loads(c.cookie, v, c.cookieAge)
}

func (c *Codec) dumps(sg *Signer, m *Map) (string, error) {
	jb := getBuf()
	defer putBuf(jb)
	var err error
	jb.b, err = appendJSON(jb.b[:0], nilToEmpty(m), 0)
	if err != nil {
		return "", err
	}
	return sg.dumpsBytes(jb.b, true, c.now()), nil
}

func nilToEmpty(m *Map) *Map {
	if m == nil {
		return &Map{}
	}
	return m
}

func (c *Codec) loads(sg *Signer, s string, maxAge time.Duration) (*Map, error) {
	b, release, err := sg.loadsBytes(s, maxAge, c.now(), c.limit)
	if err != nil {
		return nil, err
	}
	defer release()
	var v any
	if c.pickle {
		v, err = unpickleSession(b, c.limit)
	} else {
		v, err = parseJSON(b, c.limit)
	}
	return sessionMap(v, err)
}

// sessionMap returns v as a session dict: data that decodes to anything
// but a JSON object (or a pickled dict) is not a session.
func sessionMap(v any, err error) (*Map, error) {
	if err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		return nil, fmt.Errorf("%w: session data is not an object", ErrMalformed)
	}
	return m, nil
}

// encodeLegacy is Django 3.x's _legacy_encode.
func (c *Codec) encodeLegacy(m *Map) (string, error) {
	j, err := appendJSON(nil, nilToEmpty(m), 0)
	if err != nil {
		return "", err
	}
	var mac [20]byte
	sum := c.legacyKey.sum(mac[:0], string(j))
	raw := make([]byte, 0, 41+len(j))
	raw = hex.AppendEncode(raw, sum)
	raw = append(raw, ':')
	raw = append(raw, j...)
	return base64.StdEncoding.EncodeToString(raw), nil
}

// decodeLegacy is Django 3.x's _legacy_decode.
func (c *Codec) decodeLegacy(data string) (*Map, error) {
	if base64.StdEncoding.DecodedLen(len(data)) > c.limit+64 {
		return nil, fmt.Errorf("%w: %d bytes of legacy session data", ErrTooLarge, len(data))
	}
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return nil, fmt.Errorf("%w: legacy session data: %v", ErrMalformed, err)
	}
	i := bytes.IndexByte(raw, ':')
	if i < 0 {
		return nil, fmt.Errorf("%w: legacy session data has no ':'", ErrMalformed)
	}
	var mac [20]byte
	want := hex.EncodeToString(c.legacyKey.sum(mac[:0], string(raw[i+1:])))
	if !hmac.Equal(raw[:i], []byte(want)) {
		return nil, fmt.Errorf("%w: legacy session hash does not match", ErrBadSignature)
	}
	v, err := parseJSON(raw[i+1:], c.limit)
	return sessionMap(v, err)
}

// Dumps is django.core.signing.dumps of v with this signer's salt and key,
// at the time now: JSON as Django writes it, zlib-compressed when compress
// is set and that is shorter.
func (sg *Signer) Dumps(v any, compress bool, now time.Time) (string, error) {
	jb := getBuf()
	defer putBuf(jb)
	var err error
	if jb.b, err = appendJSON(jb.b[:0], v, 0); err != nil {
		return "", err
	}
	return sg.dumpsBytes(jb.b, compress, now), nil
}

// Loads is django.core.signing.loads: it verifies, inflates up to limit
// bytes and parses. maxAge is as for UnsignTimestamp.
func (sg *Signer) Loads(s string, maxAge time.Duration, now time.Time, limit int) (any, error) {
	b, release, err := sg.loadsBytes(s, maxAge, now, limit)
	if err != nil {
		return nil, err
	}
	defer release()
	return parseJSON(b, limit)
}

func (sg *Signer) dumpsBytes(data []byte, compress bool, now time.Time) string {
	payload := data
	dot := false
	if compress {
		zb := getBuf()
		defer putBuf(zb)
		zb.b = deflate(zb.b[:0], data)
		if len(zb.b) < len(data)-1 {
			payload, dot = zb.b, true
		}
	}
	n := b64url.EncodedLen(len(payload))
	out := make([]byte, 0, 1+n+1+8+1+43)
	if dot {
		out = append(out, '.')
	}
	out = out[:len(out)+n]
	b64url.Encode(out[len(out)-n:], payload)
	out = append(out, ':')
	out = appendBase62(out, now.Unix())
	value := string(out)
	out = append(out, ':')
	out = sg.appendSignature(out, value)
	return string(out)
}

// loadsBytes verifies s and returns the serialized payload, valid until
// release is called.
func (sg *Signer) loadsBytes(s string, maxAge time.Duration, now time.Time, limit int) ([]byte, func(), error) {
	if len(s) > 2*limit+1024 {
		return nil, nil, fmt.Errorf("%w: %d bytes of signed data", ErrTooLarge, len(s))
	}
	value, _, err := sg.UnsignTimestamp(s, maxAge, now)
	if err != nil {
		return nil, nil, err
	}
	compressed := strings.HasPrefix(value, ".")
	if compressed {
		value = value[1:]
	}
	raw := getBuf()
	if cap(raw.b) < b64url.DecodedLen(len(value)) {
		raw.b = make([]byte, b64url.DecodedLen(len(value)))
	}
	n, err := base64.RawURLEncoding.Decode(raw.b[:cap(raw.b)], []byte(value))
	if err != nil {
		putBuf(raw)
		return nil, nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	raw.b = raw.b[:n]
	if !compressed {
		if n > limit {
			putBuf(raw)
			return nil, nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, n, limit)
		}
		return raw.b, func() { putBuf(raw) }, nil
	}
	out := getBuf()
	out.b, err = inflate(out.b[:0], raw.b, limit)
	putBuf(raw)
	if err != nil {
		putBuf(out)
		return nil, nil, err
	}
	return out.b, func() { putBuf(out) }, nil
}

// Buffers and zlib state are pooled: a session encode or decode allocates
// little beyond its result.

type buf struct{ b []byte }

var bufPool = sync.Pool{New: func() any { return &buf{b: make([]byte, 0, 1024)} }}

func getBuf() *buf { return bufPool.Get().(*buf) }

func putBuf(b *buf) {
	if cap(b.b) > 256<<10 {
		return // do not keep huge buffers alive
	}
	b.b = b.b[:0]
	bufPool.Put(b)
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

type zwriter struct {
	w   *zlib.Writer
	out sliceWriter
}

var zwPool = sync.Pool{New: func() any { return newZWriter(zlib.DefaultCompression) }}

// zw9Pool compresses at level 9, for data level 6 leaves stored: see
// deflate.
var zw9Pool = sync.Pool{New: func() any { return newZWriter(zlib.BestCompression) }}

func newZWriter(level int) *zwriter {
	z := &zwriter{}
	z.w, _ = zlib.NewWriterLevel(&z.out, level)
	return z
}

// deflate appends the zlib stream of data to dst. klauspost/compress is
// used because resetting the standard library's compressor clears its
// large tables, which costs more than compressing a session (measured 4x
// slower for a 230-byte session); its output is a standard zlib stream
// that CPython reads. Its level 6, unlike zlib's, leaves data with no
// repeats (random letters, tokens) stored, where zlib's Huffman coding
// saves ~40%: Django's signed_cookies cookie for 3,000 random letters is
// 2,662 bytes, level 6's was 4,161, over what browsers keep. So when level
// 6 saves less than a tenth, level 9 (which codes such data as zlib does)
// is tried too and the shorter stream kept.
func deflate(dst, data []byte) []byte {
	start := len(dst)
	dst = deflateWith(&zwPool, dst, data)
	if n := len(dst) - start; n > len(data)-len(data)/10 {
		alt := deflateWith(&zw9Pool, dst, data)
		if m := len(alt) - len(dst); m < n {
			return append(alt[:start], alt[len(dst):]...)
		}
		return alt[:len(dst)]
	}
	return dst
}

func deflateWith(pool *sync.Pool, dst, data []byte) []byte {
	z := pool.Get().(*zwriter)
	z.out.b = dst
	z.w.Reset(&z.out)
	z.w.Write(data)
	z.w.Close()
	dst = z.out.b
	z.out.b = nil
	pool.Put(z)
	return dst
}

type zreader struct {
	r  io.ReadCloser
	br bytes.Reader
}

var zrPool sync.Pool

// inflate appends the data of the zlib stream src to dst, failing with
// ErrTooLarge past limit bytes and ErrMalformed on a bad stream.
func inflate(dst, src []byte, limit int) ([]byte, error) {
	z, _ := zrPool.Get().(*zreader)
	if z == nil {
		z = &zreader{}
	}
	z.br.Reset(src)
	var err error
	if z.r == nil {
		z.r, err = zlib.NewReader(&z.br)
	} else {
		err = z.r.(zlib.Resetter).Reset(&z.br, nil)
	}
	if err != nil {
		return dst, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	defer zrPool.Put(z)
	for {
		if len(dst) == cap(dst) {
			if len(dst) > limit {
				return dst, fmt.Errorf("%w: inflates past %d bytes", ErrTooLarge, limit)
			}
			dst = append(dst, 0)[:len(dst)]
		}
		n, rerr := z.r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if len(dst) > limit {
			return dst, fmt.Errorf("%w: inflates past %d bytes", ErrTooLarge, limit)
		}
		if rerr == io.EOF {
			return dst, nil
		}
		if rerr != nil {
			return dst, fmt.Errorf("%w: zlib: %v", ErrMalformed, rerr)
		}
	}
}
