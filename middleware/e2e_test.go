package middleware_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// countedSessions counts the queries of a real session engine.
type countedSessions struct {
	djangosession.Store
	loads, saves atomic.Int64
}

func (c *countedSessions) Load(ctx context.Context, key string) (*djangosession.Map, error) {
	c.loads.Add(1)
	return c.Store.Load(ctx, key)
}

func (c *countedSessions) Save(ctx context.Context, r djangosession.Record, mustCreate bool) (string, error) {
	c.saves.Add(1)
	return c.Store.Save(ctx, r, mustCreate)
}

// countedUsers counts the user queries of a real user store.
type countedUsers struct {
	djangouser.Store
	byID atomic.Int64
}

func (c *countedUsers) UserByID(ctx context.Context, id any) (*djangouser.User, error) {
	c.byID.Add(1)
	return c.Store.UserByID(ctx, id)
}

// End to end on one SQLite database shared with real Django: a login made
// by Django is seen by the Go middleware (one session query, one user
// query), a login made through the middleware is seen by Django, and a
// logout in Go is a logout for Django; on every release.
func TestSharedLoginWithDjango(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			db := djangotest.NewDatabase(t, "sqlite")
			dj := djangotest.Start(t, rel, djangotest.Config{DatabaseURL: db.URL, UseTZ: true})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			sqldb, err := sql.Open("sqlite", db.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer sqldb.Close()
			ss, err := sqlstore.New(sqldb, sqlstore.SQLite, &s)
			if err != nil {
				t.Fatal(err)
			}
			us, err := sqlstore.NewUsers(sqldb, sqlstore.SQLite, &s)
			if err != nil {
				t.Fatal(err)
			}
			sessions, users := &countedSessions{Store: ss}, &countedUsers{Store: us}
			mgr, err := djangosession.NewManager(&s, sessions)
			if err != nil {
				t.Fatal(err)
			}
			pw, err := hashers.New(&s)
			if err != nil {
				t.Fatal(err)
			}
			auth, err := djangouser.New(&s, users, pw)
			if err != nil {
				t.Fatal(err)
			}
			mw, err := middleware.New(middleware.Options{Sessions: mgr, Auth: auth, DisableCSRFCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			st := &site{settings: s, mgr: mgr, auth: auth, mw: mw}

			dj.Do(t, "auth_create_user", map[string]any{"username": "alice", "password": nil}, nil)
			var login struct {
				Key string `json:"key"`
			}
			dj.Do(t, "auth_login", map[string]any{"username": "alice"}, &login)

			whoami := func(w http.ResponseWriter, r *http.Request) {
				u, err := middleware.User(r)
				if err != nil {
					middleware.Fail(w, r, err)
					return
				}
				fmt.Fprint(w, u.Username, "|", u.IsAuthenticated())
			}
			rec := st.do(whoami, "GET", "/", map[string]string{"sessionid": login.Key}, "")
			if rec.Body.String() != "alice|true" {
				t.Fatalf("Go sees %q for Django's login", rec.Body)
			}
			if l, u, sv := sessions.loads.Load(), users.byID.Load(), sessions.saves.Load(); l != 1 || u != 1 || sv != 0 {
				t.Fatalf("session loads %d, user queries %d, saves %d; want 1, 1, 0", l, u, sv)
			}

			// Login through the Go middleware; Django sees it.
			rec = st.do(func(w http.ResponseWriter, r *http.Request) {
				u, err := auth.UserByUsername(r.Context(), "alice")
				if err != nil {
					t.Fatal(err)
				}
				if err := middleware.Login(r, u); err != nil {
					t.Fatal(err)
				}
			}, "POST", "/login", nil, "")
			c, found := cookieNamed(rec, "sessionid")
			if !found {
				t.Fatalf("no session cookie after login: %v", rec.Header())
			}
			nv, _ := parseSetCookie(c)
			goKey := strings.TrimPrefix(nv, "sessionid=")
			var who struct {
				User struct {
					Authenticated bool   `json:"authenticated"`
					Username      string `json:"username"`
				} `json:"user"`
			}
			dj.Do(t, "auth_whoami", map[string]any{"session_key": goKey}, &who)
			if !who.User.Authenticated || who.User.Username != "alice" {
				t.Fatalf("Django sees %+v for Go's login", who.User)
			}

			// Logout in Go; Django sees anonymous.
			rec = st.do(func(w http.ResponseWriter, r *http.Request) {
				if err := middleware.Logout(r); err != nil {
					t.Fatal(err)
				}
			}, "POST", "/logout", map[string]string{"sessionid": goKey}, "")
			if c, _ := cookieNamed(rec, "sessionid"); !strings.HasPrefix(c, `sessionid=""`) {
				t.Fatalf("logout cookie %q", c)
			}
			dj.Do(t, "auth_whoami", map[string]any{"session_key": goKey}, &who)
			if who.User.Authenticated {
				t.Fatal("Django still sees the user after the Go logout")
			}
		})
	}
}

// With CSRF_USE_SESSIONS the secret lives in the session: a token minted
// in one request (stored in the session, no CSRF cookie) passes the check
// of the next, and Django's CsrfViewMiddleware accepts it too with that
// session's value.
func TestCSRFUseSessions(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			st := newSite(t, func(s *djangobridge.Settings) {
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				s.CSRFUseSessions = true
			}, nil)
			var token string
			rec := st.do(func(w http.ResponseWriter, r *http.Request) {
				token, _ = middleware.CSRFToken(r)
			}, "GET", "/", nil, "")
			if _, ok := cookieNamed(rec, "csrftoken"); ok {
				t.Fatal("CSRF cookie set with CSRF_USE_SESSIONS")
			}
			c, ok := cookieNamed(rec, "sessionid")
			if !ok {
				t.Fatalf("no session cookie: %v", rec.Header())
			}
			nv, _ := parseSetCookie(c)
			key := strings.TrimPrefix(nv, "sessionid=")
			stored, _ := st.mgr.Open(t.Context(), key).GetString("_csrftoken")
			wantLen := 32
			if rel == "3.2" {
				wantLen = 64
			}
			if len(stored) != wantLen {
				t.Fatalf("session _csrftoken %q, want %d chars", stored, wantLen)
			}
			post := func(tok string) int {
				req := httpRequest("POST", "/", map[string]string{"sessionid": key})
				req.Header.Set("X-CSRFToken", tok)
				rec := serve(st, req, ok200)
				return rec.Code
			}
			if code := post(token); code != 200 {
				t.Fatalf("own token refused: %d", code)
			}
			if code := post(middleware.MaskCSRFSecret(middleware.NewCSRFSecret())); code != 403 {
				t.Fatalf("foreign token: %d", code)
			}
			// Django, with the same session value.
			dj := djangotest.Start(t, rel, djangotest.Config{})
			var res struct {
				OK     bool    `json:"ok"`
				Reason *string `json:"reason"`
			}
			dj.Do(t, "csrf_check", map[string]any{"method": "POST", "headers": map[string]string{"X-CSRFToken": token},
				"session": map[string]any{"_csrftoken": stored}, "settings": map[string]any{"CSRF_USE_SESSIONS": true}}, &res)
			if !res.OK {
				t.Fatalf("Django refuses Go's session token: %v", *res.Reason)
			}
			// And Django's session value, Go's check.
			var minted struct {
				Token   string         `json:"token"`
				Session map[string]any `json:"session"`
			}
			dj.Do(t, "csrf_token", map[string]any{"session": map[string]any{}, "settings": map[string]any{"CSRF_USE_SESSIONS": true}}, &minted)
			djKey := st.session(t, djangosession.Item{Key: "_csrftoken", Value: minted.Session["_csrftoken"]})
			req := httpRequest("POST", "/", map[string]string{"sessionid": djKey})
			req.Header.Set("X-CSRFToken", minted.Token)
			if rec := serve(st, req, ok200); rec.Code != 200 {
				t.Fatalf("Django's session token refused by Go: %d", rec.Code)
			}
		})
	}
}

// With the signed_cookies engine the whole session travels in the cookie
// the middleware sets, and real Django reads it.
func TestSignedCookiesSessionReadByDjango(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{SessionEngine: "signed_cookies"})
			s := djangobridge.Defaults()
			s.SecretKey = "test-secret-key"
			s.DjangoVersion = djangobridge.MustParseVersion(rel)
			s.SessionEngine = "signed_cookies"
			store, err := djangosession.NewSignedCookieStore(&s)
			if err != nil {
				t.Fatal(err)
			}
			mgr, err := djangosession.NewManager(&s, store)
			if err != nil {
				t.Fatal(err)
			}
			mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			st := &site{settings: s, mgr: mgr, mw: mw}
			rec := st.do(func(w http.ResponseWriter, r *http.Request) {
				_ = middleware.Session(r).Set("cart", []any{"apple", 2})
			}, "GET", "/", nil, "")
			c, found := cookieNamed(rec, "sessionid")
			if !found {
				t.Fatal("no cookie")
			}
			nv, _ := parseSetCookie(c)
			value := strings.TrimPrefix(nv, "sessionid=")
			var loaded struct {
				Data map[string]any `json:"data"`
			}
			dj.Do(t, "session_load", map[string]any{"key": value}, &loaded)
			if fmt.Sprint(loaded.Data["cart"]) != "[apple 2]" {
				t.Fatalf("Django reads %v from %q", loaded.Data, value)
			}
			// And the next Go request reads it back from the cookie alone.
			rec = st.do(func(w http.ResponseWriter, r *http.Request) {
				v, _ := middleware.Session(r).Get("cart")
				fmt.Fprint(w, v)
			}, "GET", "/", map[string]string{"sessionid": value}, "")
			if rec.Body.String() != "[apple 2]" {
				t.Fatalf("Go reads %q", rec.Body)
			}
		})
	}
}
