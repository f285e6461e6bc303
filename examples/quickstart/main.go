// Command quickstart is the README's Quick start, kept here so that CI
// compiles it and a test runs it against a database Django migrated, with
// a cookie from a real Django login.
//
//	DATABASE_URL=sqlite:////srv/app/db.sqlite3 SECRET_KEY=... DJANGO_VERSION=5.2 go run ./examples/quickstart
package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/sqlite" // or bridge/postgres, bridge/mysql
	"github.com/djangobridge/djangobridge/middleware"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	// SECRET_KEY, DJANGO_VERSION, SESSION_COOKIE_*, CSRF_*... as in settings.py.
	s, err := djangobridge.SettingsFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	b, err := sqlite.Open(ctx, bridge.Config{DatabaseURL: os.Getenv("DATABASE_URL"), Settings: &s})
	if err != nil {
		return err
	}
	defer b.Close()
	// Django's tables, its release and its SECRET_KEY, checked now rather
	// than when the first logged-in user arrives.
	if err := b.Check(ctx); err != nil {
		return err
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		user, err := middleware.User(r) // request.user
		if err != nil {
			middleware.Fail(w, r, err) // 503: the database went away
			return
		}
		if !user.IsAuthenticated() {
			http.Error(w, "not logged in", http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, "hello %s\n", b.Auth.GetUsername(user))
	})

	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s/whoami", addr)
	return http.ListenAndServe(addr, b.Handler(mux))
}
