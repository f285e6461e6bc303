package ginmw_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/ginmw"
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

	r := gin.New()
	r.Use(ginmw.New(m))
	r.GET("/hello", func(c *gin.Context) {
		msgs, err := ginmw.Messages(c)
		if err != nil {
			_ = c.Error(err) // the middleware answers
			return
		}
		msgs.Add(messages.Info, "Hello from Go.", "greeting")
		c.Redirect(http.StatusSeeOther, "/")
	})
	r.GET("/", func(c *gin.Context) {
		msgs, err := ginmw.Messages(c)
		if err != nil {
			_ = c.Error(err)
			return
		}
		var page strings.Builder
		for _, msg := range msgs.Messages() { // shown, so not kept for the next page
			fmt.Fprintf(&page, "[%s] %s\n", flash.Tags(msg), msg.Message)
		}
		c.String(http.StatusOK, page.String())
	})

	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		next.AddCookie(c) // the browser follows the redirect with the cookie
	}
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, next)
	fmt.Print(rec.Body.String())
	fmt.Println(rec.Header().Get("Set-Cookie")[:30])
	// Output:
	// [greeting info] Hello from Go.
	// messages=""; expires=Thu, 01 J
}
