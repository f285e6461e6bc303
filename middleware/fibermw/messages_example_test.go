package fibermw_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
)

// A handler adds a flash message that the next page shows, Django's or
// Go's: the middleware stores it (here in Django's signed "messages"
// cookie, FallbackStorage's first choice) before the session is saved.
func ExampleMessages() {
	s := djangobridge.Defaults()
	s.SecretKey = "your Django SECRET_KEY"
	sessions, _ := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	flash, err := messages.New(&s, messages.Options{}) // MESSAGE_STORAGE: FallbackStorage, Django's default
	if err != nil {
		panic(err)
	}
	m, err := middleware.New(middleware.Options{Sessions: sessions, SessionsOnly: true, Messages: flash})
	if err != nil {
		panic(err)
	}

	app := fiber.New()
	app.Use(fibermw.New(m))
	app.Get("/hello", func(c *fiber.Ctx) error {
		msgs, err := fibermw.Messages(c)
		if err != nil {
			return err
		}
		msgs.Add(messages.Info, "Hello from Go.", "greeting")
		return c.Redirect("/", fiber.StatusSeeOther)
	})
	app.Get("/", func(c *fiber.Ctx) error {
		msgs, err := fibermw.Messages(c)
		if err != nil {
			return err
		}
		var page strings.Builder
		for _, msg := range msgs.Messages() { // shown, so not kept for the next page
			fmt.Fprintf(&page, "[%s] %s\n", flash.Tags(msg), msg.Message)
		}
		return c.SendString(page.String())
	})

	resp, _ := app.Test(httptest.NewRequest("GET", "/hello", nil))
	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range resp.Cookies() {
		next.AddCookie(c) // the browser follows the redirect with the cookie
	}
	resp, _ = app.Test(next)
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(string(body))
	fmt.Println(resp.Header.Get("Set-Cookie")[:30])
	// Output:
	// [greeting info] Hello from Go.
	// messages=""; expires=Thu, 01 J
}
