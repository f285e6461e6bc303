package echo5mw_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echo5mw"
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

	e := echo.New()
	e.Use(echo5mw.New(m))
	e.GET("/hello", func(c *echo.Context) error {
		msgs, err := echo5mw.Messages(c)
		if err != nil {
			return err
		}
		msgs.Add(messages.Info, "Hello from Go.", "greeting")
		return c.Redirect(http.StatusSeeOther, "/")
	})
	e.GET("/", func(c *echo.Context) error {
		msgs, err := echo5mw.Messages(c)
		if err != nil {
			return err
		}
		var page strings.Builder
		for _, msg := range msgs.Messages() { // shown, so not kept for the next page
			fmt.Fprintf(&page, "[%s] %s\n", flash.Tags(msg), msg.Message)
		}
		return c.String(http.StatusOK, page.String())
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		next.AddCookie(c) // the browser follows the redirect with the cookie
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, next)
	fmt.Print(rec.Body.String())
	fmt.Println(rec.Header().Get("Set-Cookie")[:30])
	// Output:
	// [greeting info] Hello from Go.
	// messages=""; expires=Thu, 01 J
}
