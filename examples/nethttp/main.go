// Command nethttp is djangobridge on net/http: GET /api/whoami answers
// who the Django session cookie belongs to.
//
//	DATABASE_URL=sqlite:////srv/site/db.sqlite3 SECRET_KEY=... DJANGO_VERSION=5.2 go run ./examples/nethttp
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"log"
	"net/http"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

func main() {
	s, err := djangobridge.SettingsFromEnv(os.Getenv) // SECRET_KEY, DJANGO_VERSION, SESSION_COOKIE_*...
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: os.Getenv("DATABASE_URL"), Settings: &s})
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()
	if err := b.Check(ctx); err != nil { // Django's tables, the release, SECRET_KEY
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/whoami", func(w http.ResponseWriter, r *http.Request) {
		u, err := middleware.User(r)
		if err != nil {
			middleware.Fail(w, r, err) // 503 with the reason: the database is down
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(whoami(u))
	})
	log.Fatal(http.ListenAndServe(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080"), b.Handler(mux)))
}

// whoami is the demo's answer: {"authenticated": false} or the user.
func whoami(u *djangouser.User) any {
	if !u.IsAuthenticated() {
		return struct {
			Authenticated bool `json:"authenticated"`
		}{}
	}
	return struct {
		Authenticated bool   `json:"authenticated"`
		ID            any    `json:"id"`
		Username      string `json:"username"`
		IsStaff       bool   `json:"is_staff"`
		IsSuperuser   bool   `json:"is_superuser"`
	}{true, u.ID, u.Username, u.IsStaff, u.IsSuperuser}
}
