// Package messages is Django's messages framework (django.contrib.messages)
// for Go handlers: read the flash messages a Django view added and show
// them, or add messages ("Saved.") that the next Django page shows, in the
// storages Django keeps them in:
//
//   - CookieStorage: the "messages" cookie, signed with get_cookie_signer
//     (salt "django.contrib.messages", key "django.http.cookies" +
//     SECRET_KEY, TimestampSigner) over sign_object(compress=True) of the
//     MessageEncoder JSON list, each message ["__json_message", is_safe,
//     level, message(, extra_tags)]; when the signed value exceeds 2048
//     bytes, messages are dropped (the oldest for CookieStorage itself, the
//     newest — passed on to the session — under FallbackStorage) and the
//     list ends with the "__messagesnotfinished__" sentinel;
//   - SessionStorage: the session key "_messages", the same JSON as a
//     string (json.dumps's default separators);
//   - FallbackStorage (Django's default MESSAGE_STORAGE): the cookie first,
//     what does not fit in the session.
//
// Levels (DEBUG 10, INFO 20, SUCCESS 25, WARNING 30, ERROR 40), MESSAGE_LEVEL,
// MESSAGE_TAGS and extra_tags behave as in django/contrib/messages. The one
// per-release rule (extra_tags "" kept in the encoding from 4.1, dropped
// before) comes from djangobridge.Release.
//
// The core (Framework, Request) is framework-neutral: it takes the cookie
// value and a *djangosession.Session and gives back the cookie to set.
// FromRequest and Request.Write do that for net/http.
package messages

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djcookie"
)

// Level is a message level (django.contrib.messages.constants).
type Level int

// Django's levels.
const (
	Debug   Level = 10
	Info    Level = 20
	Success Level = 25
	Warning Level = 30
	Error   Level = 40
)

// DefaultTags are constants.DEFAULT_TAGS: the level_tag of each level.
var defaultTags = map[Level]string{Debug: "debug", Info: "info", Success: "success", Warning: "warning", Error: "error"}

// Message is django.contrib.messages.storage.base.Message. Its tags
// (message.tags in a Django template) and level_tag depend on MESSAGE_TAGS,
// a setting, so they are Framework.Tags(m) and Framework.LevelTag(m.Level);
// with html/template: template.FuncMap{"tags": f.Tags}, then {{tags .}}.
type Message struct {
	Level   Level
	Message string
	// ExtraTags is extra_tags: "" for add_message's default.
	ExtraTags string
	// NoExtraTags is extra_tags None: a Message built without it, or read
	// from an encoding without the fifth element. Kept so that a message
	// read and stored again is written as it was read.
	NoExtraTags bool
	// Safe is is_safedata: the text was mark_safe'd, and Django's templates
	// render it unescaped. Messages added in Go are not safe.
	Safe bool
}

// Storage chooses MESSAGE_STORAGE.
type Storage int

// The storages of django.contrib.messages.storage.
const (
	FallbackStorage Storage = iota // fallback.FallbackStorage, Django's default
	CookieStorage                  // cookie.CookieStorage
	SessionStorage                 // session.SessionStorage
)

// Options are the messages settings.
type Options struct {
	// Storage is MESSAGE_STORAGE; default FallbackStorage.
	Storage Storage
	// Level is MESSAGE_LEVEL, the lowest level recorded; 0 means Info.
	Level Level
	// Tags is MESSAGE_TAGS: level tags that replace or add to Django's.
	Tags map[Level]string
	// MaxCookieSize is CookieStorage.max_cookie_size; 0 means 2048 bytes.
	MaxCookieSize int
}

// The names Django uses.
const (
	CookieName       = "messages"
	SessionKey       = "_messages"
	KeySalt          = "django.contrib.messages"
	NotFinished      = "__messagesnotfinished__"
	messageKey       = "__json_message"
	defaultMaxCookie = 2048
)

// ErrNoSession is returned when the session storage is needed (SessionStorage,
// or FallbackStorage's overflow) and the Request has no session, as Django's
// SessionStorage refuses a request without request.session.
var ErrNoSession = errors.New("messages: the session storage needs the request's session (djangosession.Session); open the Request with one")

// Framework holds the settings and signer; it is safe for concurrent use.
type Framework struct {
	storage      Storage
	level        Level
	tags         map[Level]string
	maxCookie    int
	signer       *djangosession.Signer
	emptyExtra   bool // Release.MessagesEmptyExtraTags
	cookieDomain string
	secure       bool
	httpOnly     bool
	sameSite     string
	limit        int
	now          func() time.Time
	log          *slog.Logger // Settings.Logger, else slog.Default(): messages added too late
}

// New returns the messages framework for s (SECRET_KEY,
// SECRET_KEY_FALLBACKS, the SESSION_COOKIE_* attributes the messages cookie
// shares, SessionDataLimit for what is read) and o.
func New(s *djangobridge.Settings, o Options) (*Framework, error) {
	if s == nil {
		return nil, errors.New("messages: nil Settings: start from djangobridge.Defaults()")
	}
	rel, err := s.Release()
	if err != nil {
		return nil, err
	}
	if o.Storage < FallbackStorage || o.Storage > SessionStorage {
		return nil, fmt.Errorf("messages: unknown Storage %d: use FallbackStorage, CookieStorage or SessionStorage", o.Storage)
	}
	// get_cookie_signer: key b"django.http.cookies" + SECRET_KEY (and each
	// fallback), the SIGNING_BACKEND TimestampSigner.
	cs := *s
	cs.SecretKey = "django.http.cookies" + s.SecretKey
	cs.SecretKeyFallbacks = nil
	for _, k := range s.SecretKeyFallbacks {
		cs.SecretKeyFallbacks = append(cs.SecretKeyFallbacks, "django.http.cookies"+k)
	}
	if s.SecretKey == "" {
		return nil, errors.New("messages: SECRET_KEY is empty: set it to the SECRET_KEY of your Django settings.py")
	}
	sg, err := djangosession.NewSigner(&cs, KeySalt)
	if err != nil {
		return nil, err
	}
	f := &Framework{
		storage:      o.Storage,
		level:        o.Level,
		tags:         maps.Clone(defaultTags),
		maxCookie:    o.MaxCookieSize,
		signer:       sg,
		emptyExtra:   rel.MessagesEmptyExtraTags,
		cookieDomain: s.SessionCookieDomain,
		secure:       s.SessionCookieSecure,
		httpOnly:     s.SessionCookieHTTPOnly,
		sameSite:     s.SessionCookieSameSite,
		limit:        s.SessionDataLimit,
		now:          time.Now,
		log:          s.Logger,
	}
	if f.log == nil {
		f.log = slog.Default()
	}
	if f.level == 0 {
		f.level = Info
	}
	maps.Copy(f.tags, o.Tags)
	if f.maxCookie == 0 {
		f.maxCookie = defaultMaxCookie
	}
	if f.limit <= 0 {
		f.limit = 1 << 20
	}
	return f, nil
}

// LevelTag is Message.level_tag: the tag of m's level ("" when none).
func (f *Framework) LevelTag(l Level) string { return f.tags[l] }

// Tags is Message.tags: extra_tags and the level tag, space-separated,
// leaving out empty ones ("error", "important error").
func (f *Framework) Tags(m Message) string {
	lt := f.tags[m.Level]
	switch {
	case m.ExtraTags == "":
		return lt
	case lt == "":
		return m.ExtraTags
	}
	return m.ExtraTags + " " + lt
}

// Request is the message storage of one request (request._messages): it
// reads what is stored on first use, queues what is added, and Update
// stores what is left for the next request. Safe for concurrent use.
type Request struct {
	f       *Framework
	cookie  string
	hasCk   bool
	session *djangosession.Session

	mu       sync.Mutex
	loaded   bool
	msgs     []Message
	queued   []Message
	used     bool
	addedNew bool
	updated  bool // Update ran: what is added now is not stored
	level    Level
	// what _get found in each storage: used storages must be emptied
	cookieUsed, sessionUsed bool
	// cookieBad: the cookie did not decode (Django marks the storage used,
	// so the cookie is removed).
	cookieBad bool
	loadErr   error
}

// Open returns the storage of a request whose "messages" cookie is
// cookieValue ("" when absent) and whose session is session (nil when the
// request has none: SessionStorage then fails with ErrNoSession).
func (f *Framework) Open(cookieValue string, session *djangosession.Session) *Request {
	return &Request{f: f, cookie: cookieValue, hasCk: cookieValue != "", session: session, level: f.level}
}

// FromRequest is Open with r's "messages" cookie.
func (f *Framework) FromRequest(r *http.Request, session *djangosession.Session) *Request {
	v := ""
	if c, err := r.Cookie(CookieName); err == nil {
		v = c.Value
	}
	return f.Open(v, session)
}

// SetLevel sets the lowest level recorded for this request (storage.level);
// 0 restores MESSAGE_LEVEL.
func (r *Request) SetLevel(l Level) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if l == 0 {
		l = r.f.level
	}
	r.level = l
}

// Add is messages.add_message(request, level, message, extra_tags): an
// empty message or one below the recorded level is ignored, as in Django.
func (r *Request) Add(level Level, message, extraTags string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if message == "" || level < r.level {
		return
	}
	r.addedNew = true
	r.queued = append(r.queued, Message{Level: level, Message: message, ExtraTags: extraTags})
	if r.updated {
		// Django stores in process_response, after the view returns; a Go
		// handler can still add after the answer started (net/http, echo,
		// gin), when the middleware has stored already.
		r.f.log.Warn("messages: a message was added after the response started and will not be shown: "+
			"add flash messages before writing the response (WriteHeader, Write, c.JSON...)", "level", int(level))
	}
}

// Debug, Info, Success, Warning and Error are messages.debug() and the
// others, without extra_tags.
func (r *Request) Debug(msg string)   { r.Add(Debug, msg, "") }
func (r *Request) Info(msg string)    { r.Add(Info, msg, "") }
func (r *Request) Success(msg string) { r.Add(Success, msg, "") }
func (r *Request) Warning(msg string) { r.Add(Warning, msg, "") }
func (r *Request) Error(msg string)   { r.Add(Error, msg, "") }

// Messages iterates the storage, as a template's {% for m in messages %}:
// it returns every stored and added message and marks them shown, so Update
// stores only what is added afterwards. A stored value that does not
// decode reads as no messages (and is removed by Update), as in Django; the
// error is in Err.
func (r *Request) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.load()
	r.used = true
	r.msgs = append(r.msgs, r.queued...)
	r.queued = nil
	return append([]Message(nil), r.msgs...)
}

// Len is len(storage): stored plus queued messages, without marking them
// shown.
func (r *Request) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.load()
	return len(r.msgs) + len(r.queued)
}

// Err returns why the stored messages could not be read (bad signature,
// malformed data, no session), or nil.
func (r *Request) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.loadErr
}

// load is _loaded_messages: BaseStorage._get of the configured storage.
func (r *Request) load() {
	if r.loaded {
		return
	}
	r.loaded = true
	var out []Message
	switch r.f.storage {
	case CookieStorage:
		out, _ = r.getCookie()
	case SessionStorage:
		out = r.getSession()
	case FallbackStorage:
		// FallbackStorage._get: the cookie; the session only when the
		// cookie says not everything is in it.
		msgs, all := r.getCookie()
		if msgs != nil {
			if len(msgs) > 0 {
				r.cookieUsed = true
			}
			out = append(out, msgs...)
			if !all {
				sm := r.getSession()
				if len(sm) > 0 {
					r.sessionUsed = true
				}
				out = append(out, sm...)
			}
		}
	}
	r.msgs = out
}

// getCookie is CookieStorage._get: (nil, true) when there is no cookie.
func (r *Request) getCookie() ([]Message, bool) {
	if !r.hasCk {
		return nil, true
	}
	msgs, err := r.f.decodeCookie(r.cookie)
	if err != nil {
		r.loadErr = err
		r.cookieBad = true
		return nil, true
	}
	all := true
	if n := len(msgs); n > 0 && msgs[n-1].notFinished {
		all = false
		msgs = msgs[:n-1]
	}
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = m.Message
	}
	return out, all
}

// getSession is SessionStorage._get.
func (r *Request) getSession() []Message {
	if r.session == nil {
		r.loadErr = ErrNoSession
		return nil
	}
	v, ok := r.session.Get(SessionKey)
	if !ok || v == nil || v == "" {
		return nil
	}
	s, ok := v.(string)
	if !ok {
		r.loadErr = fmt.Errorf("%w: session %q is a %T, not the JSON string Django stores", djangosession.ErrMalformed, SessionKey, v)
		return nil
	}
	msgs, err := decodeList(s, r.f.limit, false)
	if err != nil {
		r.loadErr = err
		return nil
	}
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		if !m.notFinished {
			out = append(out, m.Message)
		}
	}
	return out
}

// Update is storage.update(response), what MessageMiddleware does at the
// end of the request: it stores the messages not yet shown (all stored ones
// again plus the added ones when Messages was never called; only those
// added since otherwise) and returns the cookie to set or delete (nil when
// the cookie does not change) and the messages no storage could keep
// (CookieStorage alone drops the oldest that do not fit). With the session
// storage it sets or removes the session's "_messages"; save the session
// after Update, as Django's SessionMiddleware runs after MessageMiddleware.
func (r *Request) Update(ctx context.Context) (cookie *http.Cookie, unstored []Message, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updated = true
	var msgs []Message
	switch {
	case r.used:
		msgs = r.queued
	case r.addedNew:
		r.load()
		msgs = append(append([]Message(nil), r.msgs...), r.queued...)
	default:
		if r.cookieBad {
			// A bad cookie marks the storage used (Django: self.used = True):
			// the cookie is deleted.
			return r.f.deleteCookie(), nil, nil
		}
		return nil, nil, nil
	}
	switch r.f.storage {
	case CookieStorage:
		value, rest, err := r.f.storeCookie(msgs, true)
		if err != nil {
			return nil, nil, err
		}
		return r.f.cookieFor(value), rest, nil
	case SessionStorage:
		if err := r.storeSession(msgs); err != nil {
			return nil, nil, err
		}
		return nil, nil, nil
	}
	// FallbackStorage._store: the cookie, remove_oldest=False; the rest
	// to the session; a storage that held messages and gets none is
	// emptied.
	if len(msgs) > 0 {
		value, rest, err := r.f.storeCookie(msgs, false)
		if err != nil {
			return nil, nil, err
		}
		cookie = r.f.cookieFor(value)
		msgs = rest
	} else if r.cookieUsed || r.cookieBad {
		cookie = r.f.deleteCookie()
	}
	if len(msgs) > 0 {
		if err := r.storeSession(msgs); err != nil {
			return nil, nil, err
		}
		msgs = nil
	} else if r.sessionUsed {
		if err := r.storeSession(nil); err != nil {
			return nil, nil, err
		}
	}
	return cookie, msgs, nil
}

// Write is Update for net/http: it sets or deletes the cookie on w, adding
// the Set-Cookie header Django's CookieStorage sends (the same text as the
// middleware's: attributes, their order, the Domain as set, Secure on a
// deletion only for SameSite=None). Call it before the response's header
// is written, and save the session after.
func (r *Request) Write(ctx context.Context, w http.ResponseWriter) ([]Message, error) {
	c, unstored, err := r.Update(ctx)
	if err != nil {
		return nil, err
	}
	if c != nil {
		w.Header().Add("Set-Cookie", djcookie.FromHTTP(c, r.f.sameSite))
	}
	return unstored, nil
}

func (r *Request) storeSession(msgs []Message) error {
	if r.session == nil {
		return ErrNoSession
	}
	if len(msgs) == 0 {
		r.session.Delete(SessionKey)
		return nil
	}
	return r.session.Set(SessionKey, r.f.encodeSession(msgs))
}

// cookieFor is CookieStorage._update_cookie: set the value, or delete the
// cookie when there is none (Django sends the deletion even when the
// request had no cookie).
func (f *Framework) cookieFor(value string) *http.Cookie {
	if value == "" {
		return f.deleteCookie()
	}
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", Domain: f.cookieDomain,
		Secure: f.secure, HttpOnly: f.httpOnly, SameSite: sameSite(f.sameSite),
	}
}

// deleteCookie is response.delete_cookie("messages", domain, samesite):
// an empty value, max_age 0 and expires in 1970, no HttpOnly, and Secure
// only as delete_cookie sets it (SameSite=None), not from
// SESSION_COOKIE_SECURE.
func (f *Framework) deleteCookie() *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: "", Path: "/", Domain: f.cookieDomain, MaxAge: -1,
		Expires: time.Unix(0, 0).UTC(), SameSite: sameSite(f.sameSite),
		Secure: djcookie.DeleteSecure(CookieName, f.sameSite),
	}
}

func sameSite(s string) http.SameSite {
	switch s {
	case "Lax", "lax":
		return http.SameSiteLaxMode
	case "Strict", "strict":
		return http.SameSiteStrictMode
	case "None", "none":
		return http.SameSiteNoneMode
	}
	return http.SameSiteDefaultMode
}
