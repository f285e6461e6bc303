package middleware_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// A net/http app that shares Django's sessions and users: a login form
// protected by Django's CSRF check, and a page that shows who you are.
func Example() {
	ctx := context.Background()
	s := djangobridge.Defaults()
	s.SecretKey = "example-secret-key"                                            // your settings.py's SECRET_KEY
	s.PasswordHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"} // fast for the example only

	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", filepath.Join(dir, "db.sqlite3"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	sessions, _ := sqlstore.New(db, sqlstore.SQLite, &s)
	if err := sessions.CreateSchema(ctx); err != nil { // Django's tables, as migrate makes them
		panic(err)
	}
	users, _ := sqlstore.NewUsers(db, sqlstore.SQLite, &s)
	mgr, _ := djangosession.NewManager(&s, sessions)
	pw, _ := hashers.New(&s)
	auth, _ := djangouser.New(&s, users, pw)
	if _, err := auth.CreateUser(ctx, "alice", "alice@example.com", "s3cret"); err != nil {
		panic(err)
	}

	mw, err := middleware.New(middleware.Options{Sessions: mgr, Auth: auth})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /token", func(w http.ResponseWriter, r *http.Request) {
		tok, _ := middleware.CSRFToken(r) // sets the csrftoken cookie
		io.WriteString(w, tok)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		u, err := auth.Authenticate(r.Context(), map[string]string{
			"username": r.PostFormValue("username"), "password": r.PostFormValue("password")})
		if err != nil {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		if err := middleware.Login(r, u); err != nil {
			middleware.Fail(w, r, err)
			return
		}
		fmt.Fprintln(w, "logged in as", u.Username)
	})
	mux.Handle("GET /whoami", middleware.LoginRequiredAPI(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := middleware.User(r)
		fmt.Fprintln(w, u.Username)
	})))
	srv := httptest.NewServer(mw.Handler(mux))
	defer srv.Close()

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	show := func(resp *http.Response, err error) string {
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, strings.TrimSpace(string(b)))
	}
	fmt.Println(show(client.Get(srv.URL + "/whoami")))
	token := strings.TrimPrefix(show(client.Get(srv.URL+"/token")), "200 ")
	form := url.Values{"username": {"alice"}, "password": {"s3cret"}}
	fmt.Println(show(client.PostForm(srv.URL+"/login", form))) // no CSRF token: refused
	req, _ := http.NewRequest("POST", srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRFToken", token)
	fmt.Println(show(client.Do(req)))
	fmt.Println(show(client.Get(srv.URL + "/whoami")))
	// Output:
	// 401 {"error": "authentication required"}
	// 403 Forbidden (403)
	// CSRF verification failed. Request aborted.
	// 200 logged in as alice
	// 200 alice
}

// The framework-neutral core, as an adapter for another framework uses it:
// Begin with the request's values, Finish with the status, then copy the
// cookies and Vary into the response.
func ExampleMiddleware_Begin() {
	s := djangobridge.Defaults()
	s.SecretKey = "example-secret-key"
	mgr, _ := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	mw, _ := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})

	ctx := context.Background()
	st := mw.Begin(ctx, &middleware.Request{Method: "GET", Host: "example.com"})
	_ = st.Session().Set("cart", []string{"apple"}) // what the handler does
	res, err := st.Finish(ctx, http.StatusOK)
	if err != nil {
		fmt.Println("answer", middleware.StatusFor(err))
		return
	}
	for _, c := range res.SetCookie {
		name, _, _ := strings.Cut(c, "=")
		_, attrs, _ := strings.Cut(c, "; expires=")
		_, attrs, _ = strings.Cut(attrs, "; ")
		fmt.Println("Set-Cookie:", name, "=<key>; expires=<date>;", attrs)
	}
	fmt.Println("Vary: Cookie", res.VaryCookie)
	// Output:
	// Set-Cookie: sessionid =<key>; expires=<date>; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax
	// Vary: Cookie true
}
