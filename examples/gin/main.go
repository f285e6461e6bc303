// Command gin is djangobridge on gin: GET /api/whoami answers
// who the Django session cookie belongs to.
//
//	DATABASE_URL=sqlite:////srv/site/db.sqlite3 SECRET_KEY=... DJANGO_VERSION=5.2 go run .   (in examples/gin: its own module)
package main

import (
	"cmp"
	"context"
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware/ginmw"
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

	r := gin.New()
	r.Use(gin.Recovery(), ginmw.New(b.Middleware))
	r.GET("/api/whoami", func(c *gin.Context) {
		u, err := ginmw.User(c)
		if err != nil {
			_ = c.Error(err) // the middleware answers: 503 with the reason
			return
		}
		c.JSON(http.StatusOK, whoami(u))
	})
	log.Fatal(r.Run(cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")))
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
