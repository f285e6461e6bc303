package fiber3mw_test

import (
	"fmt"
	"io"
	"net/http/httptest"

	"github.com/gofiber/fiber/v3"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fiber3mw"
)

// A fiber app reading and writing the Django session. A real app passes a
// database engine (sqlstore, pgxstore) and Options.Auth for request.user.
func ExampleNew() {
	s := djangobridge.Defaults()
	s.SecretKey = "your Django SECRET_KEY"
	sessions, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		panic(err)
	}
	m, err := middleware.New(middleware.Options{Sessions: sessions, SessionsOnly: true})
	if err != nil {
		panic(err)
	}

	app := fiber.New()
	app.Use(fiber3mw.New(m))
	app.Get("/count", func(c fiber.Ctx) error {
		sess := fiber3mw.Session(c)
		n, _ := sess.GetInt("count")
		if err := sess.Set("count", n+1); err != nil {
			return err
		}
		return c.SendString(fmt.Sprint("visit ", n+1))
	})

	resp, _ := app.Test(httptest.NewRequest("GET", "/count", nil))
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(string(body))
	fmt.Println(resp.Header.Get("Set-Cookie")[:10])
	// Output:
	// visit 1
	// sessionid=
}
