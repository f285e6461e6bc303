package middleware

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/djangobridge/djangobridge/djangosession"
)

// CSRF as django.middleware.csrf does it (CsrfViewMiddleware, get_token,
// rotate_token), for the release in Settings.DjangoVersion:
//
//   - 4.0+: the secret is 32 characters of [a-zA-Z0-9]; the cookie holds
//     the secret (4.1–4.2 with CSRF_COOKIE_MASKED: a new secret is written
//     masked); a cookie of 64 characters (what ≤ 3.2 wrote) is unmasked;
//     a cookie of another shape is replaced. The Origin header is checked
//     against the request's own origin and CSRF_TRUSTED_ORIGINS (with
//     "https://*.example.com" wildcards); HTTPS requests without Origin
//     need a matching Referer.
//   - 3.2: the cookie holds a masked 64-character token; no Origin check;
//     CSRF_TRUSTED_ORIGINS are host patterns for the Referer check.
//
// Tokens (the form field csrfmiddlewaretoken or the X-CSRFToken header)
// may be 32 (unmasked) or 64 (masked) characters; they are compared with
// the secret in constant time.

// CSRF constants of django.middleware.csrf.
const (
	CSRFSecretLength = 32
	CSRFTokenLength  = 64
	// CSRFFormField is the POST field holding the token.
	CSRFFormField = "csrfmiddlewaretoken"
	csrfChars     = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// Django's rejection reasons.
const (
	ReasonBadOrigin        = "Origin checking failed - %s does not match any trusted origins."
	ReasonNoReferer        = "Referer checking failed - no Referer."
	ReasonBadReferer       = "Referer checking failed - %s does not match any trusted origins."
	ReasonNoCSRFCookie     = "CSRF cookie not set."
	ReasonCSRFTokenMissing = "CSRF token missing."
	ReasonMalformedReferer = "Referer checking failed - Referer is malformed."
	ReasonInsecureReferer  = "Referer checking failed - Referer is insecure while host is secure."
	ReasonBadToken32       = "CSRF token missing or incorrect." // Django 3.2
)

// ErrCSRF is wrapped by every *CSRFError.
var ErrCSRF = errors.New("CSRF verification failed")

// CSRFError is a rejected request: Reason is Django's reason text.
type CSRFError struct{ Reason string }

func (e *CSRFError) Error() string { return "CSRF verification failed: " + e.Reason }

// Unwrap makes errors.Is(err, ErrCSRF) true.
func (e *CSRFError) Unwrap() error { return ErrCSRF }

func reject(format string, args ...any) error {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return &CSRFError{Reason: format}
}

// csrfState is request.META["CSRF_COOKIE"] and its flags.
type csrfState struct {
	started     bool   // process_request ran
	hasMeta     bool   // "CSRF_COOKIE" in META
	meta        string // what the cookie (or session) will hold
	secret      string // meta unmasked
	needsUpdate bool   // 4.x CSRF_COOKIE_NEEDS_UPDATE / 3.2 CSRF_COOKIE_USED
}

func csrfIndex(c byte) int {
	switch {
	case c >= 'a' && c <= 'z':
		return int(c - 'a')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	}
	return -1
}

func validCSRFChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if csrfIndex(s[i]) < 0 {
			return false
		}
	}
	return true
}

// NewCSRFSecret returns 32 random characters of [a-zA-Z0-9] from
// crypto/rand (_get_new_csrf_string).
func NewCSRFSecret() string {
	var b [CSRFSecretLength]byte
	var r [48]byte
	i := 0
	for i < len(b) {
		if _, err := rand.Read(r[:]); err != nil {
			panic("middleware: crypto/rand failed: " + err.Error())
		}
		for _, c := range r {
			if c < 248 && i < len(b) { // 248 = 4*62: no modulo bias
				b[i] = csrfChars[c%62]
				i++
			}
		}
	}
	return string(b[:])
}

// MaskCSRFSecret returns a 64-character token for a 32-character secret:
// a random mask followed by the secret enciphered with it
// (_mask_cipher_secret). Every call gives another token for one secret.
func MaskCSRFSecret(secret string) string {
	mask := NewCSRFSecret()
	var b [CSRFTokenLength]byte
	copy(b[:], mask)
	n := min(len(secret), CSRFSecretLength)
	for i := 0; i < n; i++ {
		x, y := csrfIndex(secret[i]), csrfIndex(mask[i])
		if x < 0 {
			x = 0
		}
		b[CSRFSecretLength+i] = csrfChars[(x+y)%62]
	}
	return string(b[:CSRFSecretLength+n])
}

// UnmaskCSRFToken returns the secret of a 64-character masked token
// (_unmask_cipher_token). ok is false if token is not 64 characters of
// [a-zA-Z0-9].
func UnmaskCSRFToken(token string) (secret string, ok bool) {
	if len(token) != CSRFTokenLength || !validCSRFChars(token) {
		return "", false
	}
	var b [CSRFSecretLength]byte
	for i := 0; i < CSRFSecretLength; i++ {
		x, y := csrfIndex(token[CSRFSecretLength+i]), csrfIndex(token[i])
		b[i] = csrfChars[((x-y)%62+62)%62]
	}
	return string(b[:]), true
}

// checkTokenFormat is _check_token_format: "" or Django's reason phrase.
func checkTokenFormat(t string) string {
	if len(t) != CSRFTokenLength && len(t) != CSRFSecretLength {
		return "has incorrect length"
	}
	if !validCSRFChars(t) {
		return "has invalid characters"
	}
	return ""
}

// tokenMatches is _does_token_match for a well-formed token.
func tokenMatches(token, secret string) bool {
	if len(token) == CSRFTokenLength {
		token, _ = UnmaskCSRFToken(token)
	}
	return len(secret) == CSRFSecretLength &&
		subtle.ConstantTimeCompare([]byte(token), []byte(secret)) == 1
}

// sessionCSRF reads _csrftoken from the session; ok false if absent or
// unreadable (a non-string, or a 64-character value that is not a token:
// Django would fail with a server error there).
func (s *State) sessionCSRF() (string, bool, error) {
	sess := s.Session()
	if err := sess.Load(s.ctx); err != nil {
		err = fmt.Errorf("%w: %w", ErrStore, err)
		s.noteStoreErr(err)
		return "", false, err
	}
	v, ok := sess.GetString(djangosession.KeyCSRFToken)
	return v, ok, nil
}

// csrfStart is process_request: META["CSRF_COOKIE"] from the cookie or
// the session, once. Called without s.mu (the session read takes it).
func (s *State) csrfStart() error {
	s.mu.Lock()
	started := s.csrf.started
	s.mu.Unlock()
	if started {
		return nil
	}
	st := s.m.settings
	var raw string
	var have bool
	if st.CSRFUseSessions {
		v, ok, err := s.sessionCSRF()
		if err != nil {
			return err
		}
		raw, have = v, ok
	} else {
		raw, have = s.req.CSRFCookie, s.req.HasCSRFCookie
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.csrf.started {
		return nil
	}
	s.csrf.started = true
	if !have {
		return nil
	}
	if s.m.rel.CSRFTokenFormatCheck {
		if !st.CSRFUseSessions && checkTokenFormat(raw) != "" {
			s.addNewCSRFCookie()
			return nil
		}
		if len(raw) == CSRFTokenLength {
			sec, ok := UnmaskCSRFToken(raw)
			if !ok {
				return nil // a session value Django could not unmask
			}
			raw = sec
		}
		s.csrf.hasMeta, s.csrf.meta, s.csrf.secret = true, raw, raw
		return nil
	}
	// 3.2
	if st.CSRFUseSessions {
		s.csrf.hasMeta, s.csrf.meta = true, raw
		s.csrf.secret, _ = UnmaskCSRFToken(raw)
		return nil
	}
	switch {
	case !validCSRFChars(raw) || len(raw) != CSRFTokenLength && len(raw) != CSRFSecretLength:
		sec := NewCSRFSecret()
		s.csrf.hasMeta, s.csrf.meta, s.csrf.secret = true, MaskCSRFSecret(sec), sec
	case len(raw) == CSRFSecretLength:
		s.csrf.hasMeta, s.csrf.meta, s.csrf.secret = true, MaskCSRFSecret(raw), raw
	default:
		s.csrf.hasMeta, s.csrf.meta = true, raw
		s.csrf.secret, _ = UnmaskCSRFToken(raw)
	}
	return nil
}

// addNewCSRFCookie is _add_new_csrf_cookie (4.x) or the new-token half of
// get_token/rotate_token (3.2). s.mu is held.
func (s *State) addNewCSRFCookie() string {
	sec := NewCSRFSecret()
	meta := sec
	if s.m.maskCookie {
		meta = MaskCSRFSecret(sec)
	}
	s.csrf.hasMeta, s.csrf.meta, s.csrf.secret, s.csrf.needsUpdate = true, meta, sec, true
	return sec
}

// CSRFToken is django.middleware.csrf.get_token: a masked token for the
// request's CSRF secret (a new secret if it has none), to put in a form's
// csrfmiddlewaretoken field or an X-CSRFToken header. As in Django, calling
// it makes the response set the CSRF cookie (renewing its age), or with
// CSRF_USE_SESSIONS store the secret in the session. An error wraps
// ErrStore (CSRF_USE_SESSIONS and the session cannot be read).
func (s *State) CSRFToken() (string, error) {
	if err := s.csrfStart(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var sec string
	if s.csrf.hasMeta && s.csrf.secret != "" {
		sec = s.csrf.secret
		s.csrf.needsUpdate = true
	} else {
		sec = s.addNewCSRFCookie()
	}
	return MaskCSRFSecret(sec), nil
}

// RotateCSRFToken is rotate_token, which login calls: the request gets a
// new secret and the response carries it.
func (s *State) RotateCSRFToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.csrf.started = true
	s.addNewCSRFCookie()
}

// finishCSRF is CsrfViewMiddleware.process_response.
func (s *State) finishCSRF(res *Result) error {
	st := s.m.settings
	if !st.CSRFUseSessions && s.req.HasCSRFCookie {
		// process_request may replace a malformed cookie (4.x) even when
		// nobody asked for the token; it needs no I/O in cookie mode.
		if err := s.csrfStart(); err != nil {
			return err
		}
	}
	s.mu.Lock()
	need, meta := s.csrf.needsUpdate, s.csrf.meta
	s.csrf.needsUpdate = false
	s.mu.Unlock()
	if !need {
		return nil
	}
	if st.CSRFUseSessions {
		sess := s.Session()
		if cur, ok := sess.GetString(djangosession.KeyCSRFToken); !ok || cur != meta {
			if err := sess.Set(djangosession.KeyCSRFToken, meta); err != nil {
				err = fmt.Errorf("%w: %w", ErrStore, err)
				s.noteStoreErr(err)
				return err
			}
		}
		return nil
	}
	res.SetCookie = append(res.SetCookie, s.m.csrfCookie.Render(meta, s.m.csrfAge, "", s.m.now()))
	res.VaryCookie = true
	return nil
}

// CheckCSRF is CsrfViewMiddleware.process_view for the request: nil when
// it may proceed (a safe method, or the checks pass), a *CSRFError when
// Django would answer 403, a *BodyError when reading the POST form for the
// token broke Django's DATA_UPLOAD_MAX_* limits (400), or an error wrapping ErrStore when the secret
// lives in a session that cannot be read.
func (s *State) CheckCSRF() error {
	if err := s.csrfStart(); err != nil {
		return err
	}
	switch s.req.Method {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return nil
	}
	if s.m.rel.CSRFOriginCheck {
		if s.req.HasOrigin {
			if !s.originVerified() {
				return reject(ReasonBadOrigin, s.req.Origin)
			}
		} else if s.req.Secure {
			if err := s.checkReferer(); err != nil {
				return err
			}
		}
		return s.checkToken40()
	}
	if s.req.Secure {
		if err := s.checkReferer(); err != nil {
			return err
		}
	}
	return s.checkToken32()
}

// requestToken is the token CsrfViewMiddleware._check_token takes: the
// POST form's csrfmiddlewaretoken (reading request.POST, which raises
// RequestDataTooBig, TooManyFieldsSent or TooManyFilesSent: err, a
// *BodyError), else the CSRF header.
func (s *State) requestToken() (tok string, fromHeader, present bool, err error) {
	if s.req.Method == "POST" {
		switch {
		case s.req.ReadForm != nil:
			t, err := s.req.ReadForm()
			if errors.Is(err, ErrBadRequest) {
				return "", false, false, err
			}
			if t != "" {
				return t, false, true, nil
			}
		case s.req.FormToken != nil:
			if t := s.req.FormToken(); t != "" {
				return t, false, true, nil
			}
		}
	}
	return s.req.CSRFHeader, true, s.req.HasCSRFHeader, nil
}

func (s *State) checkToken40() error {
	st := s.m.settings
	var secret string
	if st.CSRFUseSessions {
		v, ok, err := s.sessionCSRF()
		if err != nil {
			return err
		}
		if !ok {
			return reject(ReasonNoCSRFCookie)
		}
		if len(v) == CSRFTokenLength {
			v, _ = UnmaskCSRFToken(v)
		}
		secret = v
	} else {
		if !s.req.HasCSRFCookie {
			return reject(ReasonNoCSRFCookie)
		}
		v := s.req.CSRFCookie
		if r := checkTokenFormat(v); r != "" {
			return reject("CSRF cookie " + r + ".")
		}
		if len(v) == CSRFTokenLength {
			v, _ = UnmaskCSRFToken(v)
		}
		secret = v
	}
	tok, fromHeader, present, err := s.requestToken()
	if err != nil {
		return err
	}
	if !present {
		return reject(ReasonCSRFTokenMissing)
	}
	source := "POST"
	if fromHeader {
		source = "the '" + s.m.csrfHeaderName + "' HTTP header"
	}
	if r := checkTokenFormat(tok); r != "" {
		return reject("CSRF token from " + source + " " + r + ".")
	}
	if !tokenMatches(tok, secret) {
		return reject("CSRF token from " + source + " incorrect.")
	}
	return nil
}

func (s *State) checkToken32() error {
	st := s.m.settings
	var secret string
	if st.CSRFUseSessions {
		v, ok, err := s.sessionCSRF()
		if err != nil {
			return err
		}
		if !ok {
			return reject(ReasonNoCSRFCookie)
		}
		secret, _ = UnmaskCSRFToken(v) // 3.2 keeps masked tokens there
	} else {
		if !s.req.HasCSRFCookie {
			return reject(ReasonNoCSRFCookie)
		}
		v := s.req.CSRFCookie
		switch {
		case !validCSRFChars(v) || len(v) != CSRFTokenLength && len(v) != CSRFSecretLength:
			return reject(ReasonBadToken32) // sanitized to a fresh token: cannot match
		case len(v) == CSRFSecretLength:
			secret = v
		default:
			secret, _ = UnmaskCSRFToken(v)
		}
	}
	tok, _, _, err := s.requestToken()
	if err != nil {
		return err
	}
	if checkTokenFormat(tok) != "" || !tokenMatches(tok, secret) {
		return reject(ReasonBadToken32)
	}
	return nil
}

// originVerified is _origin_verified (4.0+).
func (s *State) originVerified() bool {
	origin := s.req.Origin
	scheme := "http"
	if s.req.Secure {
		scheme = "https"
	}
	if s.req.Host != "" && origin == scheme+"://"+s.req.Host {
		return true
	}
	if s.m.trusted.exact[origin] {
		return true
	}
	u, ok := urlSplit(origin)
	if !ok {
		return false
	}
	for _, h := range s.m.trusted.subdomains[u.scheme] {
		if isSameDomain(u.netloc, h) {
			return true
		}
	}
	return false
}

// checkReferer is _check_referer (4.0+) or its 3.2 form.
func (s *State) checkReferer() error {
	if !s.req.HasReferer {
		return reject(ReasonNoReferer)
	}
	u, ok := urlSplit(s.req.Referer)
	if !ok || u.scheme == "" || u.netloc == "" {
		return reject(ReasonMalformedReferer)
	}
	if u.scheme != "https" {
		return reject(ReasonInsecureReferer)
	}
	st := s.m.settings
	if s.m.rel.CSRFOriginCheck {
		for _, h := range s.m.trusted.hosts {
			if isSameDomain(u.netloc, h) {
				return nil
			}
		}
	}
	good := st.CSRFCookieDomain
	if st.CSRFUseSessions {
		good = st.SessionCookieDomain
	}
	if good == "" {
		good = s.req.Host
	} else if p := s.serverPort(); p != "443" && p != "80" {
		good += ":" + p
	}
	if !s.m.rel.CSRFOriginCheck {
		for _, h := range st.CSRFTrustedOrigins {
			if isSameDomain(u.netloc, h) {
				return nil
			}
		}
	}
	if !isSameDomain(u.netloc, good) {
		return reject(ReasonBadReferer, s.req.Referer)
	}
	return nil
}

func (s *State) serverPort() string {
	if s.req.Port != "" {
		return s.req.Port
	}
	h := s.req.Host
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		return h[i+1:]
	}
	if s.req.Secure {
		return "443"
	}
	return "80"
}

// trustedOrigins is CSRF_TRUSTED_ORIGINS as CsrfViewMiddleware's cached
// properties see it.
type trustedOrigins struct {
	hosts      []string            // csrf_trusted_origins_hosts
	exact      map[string]bool     // allowed_origins_exact
	subdomains map[string][]string // allowed_origin_subdomains
}

func parseTrustedOrigins(list []string) trustedOrigins {
	t := trustedOrigins{exact: map[string]bool{}, subdomains: map[string][]string{}}
	for _, o := range list {
		u, _ := urlSplit(o)
		t.hosts = append(t.hosts, strings.TrimLeft(u.netloc, "*"))
		if !strings.Contains(o, "*") {
			t.exact[o] = true
		} else {
			t.subdomains[u.scheme] = append(t.subdomains[u.scheme], strings.TrimLeft(u.netloc, "*"))
		}
	}
	return t
}

// isSameDomain is django.utils.http.is_same_domain: pattern ".example.com"
// matches example.com and its subdomains; anything else must be equal.
// The pattern is lower-cased, the host is not.
func isSameDomain(host, pattern string) bool {
	if pattern == "" {
		return false
	}
	pattern = strings.ToLower(pattern)
	if pattern[0] == '.' && (strings.HasSuffix(host, pattern) || host == pattern[1:]) {
		return true
	}
	return pattern == host
}

type splitURL struct{ scheme, netloc string }

// urlSplit is the scheme and netloc of Python's urllib.parse.urlsplit; ok
// is false where urlsplit raises ValueError (unbalanced IPv6 brackets).
func urlSplit(raw string) (splitURL, bool) {
	raw = strings.TrimLeft(raw, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if strings.ContainsAny(raw, "\t\r\n") {
		raw = strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(raw)
	}
	var u splitURL
	if i := strings.IndexByte(raw, ':'); i > 0 && isASCIIAlpha(raw[0]) {
		ok := true
		for j := 0; j < i; j++ {
			c := raw[j]
			if !(isASCIIAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
				ok = false
				break
			}
		}
		if ok {
			u.scheme, raw = strings.ToLower(raw[:i]), raw[i+1:]
		}
	}
	if strings.HasPrefix(raw, "//") {
		rest := raw[2:]
		end := len(rest)
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			end = i
		}
		u.netloc = rest[:end]
		open, cl := strings.Contains(u.netloc, "["), strings.Contains(u.netloc, "]")
		if open != cl {
			return u, false
		}
	}
	return u, true
}

func isASCIIAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// headerTitle is HttpHeaders.parse_header_name of CSRF_HEADER_NAME as
// Django's messages print it: "X-CSRFToken" → "X-Csrftoken".
func headerTitle(h string) string {
	parts := strings.Split(strings.ReplaceAll(h, "_", "-"), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		}
	}
	return strings.Join(parts, "-")
}
