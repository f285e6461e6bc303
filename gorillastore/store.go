// Package gorillastore is a gorilla/sessions Store backed by Django
// sessions: code written for gorilla/sessions reads and writes the same
// session a Django site (and djangobridge's middleware) uses.
//
//	store := gorillastore.New(mgr) // mgr: a *djangosession.Manager
//	sess, err := store.Get(r, "sessionid")
//	sess.Values["cart"] = []string{"apple"}
//	err = sess.Save(r, w)
//
// The session's name is its cookie's name (SESSION_COOKIE_NAME for the one
// Django reads). Values must have string keys and hold what JSON carries
// (strings, numbers, booleans, nil, slices, string-keyed maps, structs that
// encoding/json writes); anything else makes Save fail with an error that
// names the key (wrapping ErrNonStringKey or djangosession.ErrUnsupportedValue).
// Values read back are the session's JSON types: string, bool, nil,
// int64 or float64 for numbers (a djangosession.Number beyond int64),
// *djangosession.Map for objects and []any for arrays.
//
// The key order of a Django session is kept on save: existing keys stay in
// place, keys removed from Values are deleted, new keys are appended in
// sorted order (Go maps have none).
//
// Django owns the expiry: the cookie's Max-Age is the session's
// get_expiry_age() (none for a session that ends with the browser), as
// SessionMiddleware sets it; store Values["_session_expiry"] = seconds to
// change it as set_expiry does. Options.MaxAge < 0 deletes the session and
// its cookie, the gorilla/sessions convention; the deletion is Django's
// delete_cookie (no HttpOnly; Secure only for SameSite=None or a
// __Secure-/__Host- name, whatever Options.Secure says). The other Options (Path,
// Domain, Secure, HttpOnly, SameSite) start from the SESSION_COOKIE_*
// settings and may be changed per session.
package gorillastore

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/gorilla/sessions"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djcookie"
)

// ErrNonStringKey: a key of Session.Values is not a string; Django
// sessions have string keys only.
var ErrNonStringKey = errors.New("gorillastore: session keys must be strings")

// Store is a sessions.Store over a djangosession.Manager. It is safe for
// concurrent use.
type Store struct {
	mgr *djangosession.Manager
	// Options are the cookie options new sessions start with.
	Options *sessions.Options
}

var _ sessions.Store = (*Store)(nil)

// New returns a Store of mgr's sessions, with cookie options from its
// settings.
func New(mgr *djangosession.Manager) *Store {
	s := mgr.Settings()
	opts := &sessions.Options{
		Path:     s.SessionCookiePath,
		Domain:   s.SessionCookieDomain,
		MaxAge:   s.SessionCookieAge,
		Secure:   s.SessionCookieSecure,
		HttpOnly: s.SessionCookieHTTPOnly,
		SameSite: sameSite(s.SessionCookieSameSite),
	}
	if s.SessionExpireAtBrowserClose {
		opts.MaxAge = 0
	}
	return &Store{mgr: mgr, Options: opts}
}

func sameSite(v string) http.SameSite {
	switch {
	case equalFold(v, "lax"):
		return http.SameSiteLaxMode
	case equalFold(v, "strict"):
		return http.SameSiteStrictMode
	case equalFold(v, "none"):
		return http.SameSiteNoneMode
	}
	return http.SameSiteDefaultMode
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// Get returns the session named name for r, cached for the request in
// gorilla's registry.
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New loads the session whose key is the value of the cookie name. With no
// cookie, or a key Django does not know (expired, deleted, invalid), it
// returns a new empty session (IsNew). A store failure is returned with a
// new, empty session (never nil, as gorilla's registry needs).
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := *s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	ds := s.mgr.Open(r.Context(), c.Value)
	if ds.Key() == "" {
		return sess, nil
	}
	if err := ds.Load(r.Context()); err != nil {
		return sess, fmt.Errorf("gorillastore: load session: %w", err)
	}
	if ds.Key() == "" { // unknown or expired
		return sess, nil
	}
	sess.ID = ds.Key()
	sess.IsNew = false
	for _, it := range ds.Data().Items() {
		sess.Values[it.Key] = fromDjango(it.Value)
	}
	return sess, nil
}

// fromDjango turns session JSON values into the Go values gorilla users
// expect: Numbers become int64 or float64.
func fromDjango(v any) any {
	switch x := v.(type) {
	case djangosession.Number:
		if x.IsInt() {
			if i, err := x.Int64(); err == nil {
				return i
			}
			return x
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromDjango(e)
		}
		return out
	case *djangosession.Map:
		out := djangosession.NewMap()
		for _, it := range x.Items() {
			out.Set(it.Key, fromDjango(it.Value))
		}
		return out
	}
	return v
}

// Save writes sess to the Django session store and sets its cookie, or,
// when sess.Options.MaxAge < 0, deletes the session and its cookie.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := r.Context()
	opts := sess.Options
	if opts == nil {
		opts = s.Options
	}
	if opts.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.mgr.Store().Delete(ctx, sess.ID); err != nil {
				return fmt.Errorf("gorillastore: delete session: %w", err)
			}
		}
		sess.ID = ""
		// SessionMiddleware's response.delete_cookie(name, path, domain,
		// samesite): no HttpOnly, and Secure only as delete_cookie sets it.
		ss := ""
		if opts.SameSite == http.SameSiteNoneMode {
			ss = "None"
		}
		http.SetCookie(w, &http.Cookie{
			Name: sess.Name(), Value: "", Path: opts.Path, Domain: opts.Domain, MaxAge: -1,
			Expires: time.Unix(0, 0), SameSite: opts.SameSite,
			Secure: djcookie.DeleteSecure(sess.Name(), ss),
		})
		return nil
	}
	for k := range sess.Values {
		if _, ok := k.(string); !ok {
			return fmt.Errorf("%w: %v (%T)", ErrNonStringKey, k, k)
		}
	}
	ds := s.mgr.Open(ctx, sess.ID)
	if err := ds.Load(ctx); err != nil {
		return fmt.Errorf("gorillastore: load session: %w", err)
	}
	for _, k := range ds.Keys() {
		if _, ok := sess.Values[k]; !ok {
			ds.Delete(k)
		}
	}
	existing := map[string]bool{}
	for _, k := range ds.Keys() {
		existing[k] = true
	}
	keys := make([]string, 0, len(sess.Values))
	for k := range sess.Values {
		keys = append(keys, k.(string))
	}
	sort.Strings(keys)
	// Existing keys first (in place), then new ones in sorted order.
	for _, pass := range []bool{true, false} {
		for _, k := range keys {
			if existing[k] != pass {
				continue
			}
			if err := ds.Set(k, sess.Values[k]); err != nil {
				return fmt.Errorf("gorillastore: value of %q: %w", k, err)
			}
		}
	}
	ds.SetModified()
	if err := ds.Save(ctx); err != nil {
		return fmt.Errorf("gorillastore: save session: %w", err)
	}
	sess.ID = ds.Key()
	sess.IsNew = false
	c := &http.Cookie{
		Name: sess.Name(), Value: ds.Key(), Path: opts.Path, Domain: opts.Domain,
		Secure: opts.Secure, HttpOnly: opts.HttpOnly, SameSite: opts.SameSite,
	}
	if !ds.ExpireAtBrowserClose() {
		age := ds.ExpiryAge()
		if age <= 0 {
			age = -1 // already expired: delete (Max-Age=0)
		}
		c.MaxAge = age
		c.Expires = time.Now().Add(time.Duration(max(age, 0)) * time.Second).UTC()
	}
	http.SetCookie(w, c)
	return nil
}
