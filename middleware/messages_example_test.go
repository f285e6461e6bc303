package middleware_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
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
	mw, err := middleware.New(middleware.Options{Sessions: sessions, SessionsOnly: true, Messages: flash})
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		m.Add(messages.Info, "Hello from Go.", "greeting")
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		for _, msg := range m.Messages() { // shown, so not kept for the next page
			fmt.Fprintf(w, "[%s] %s\n", flash.Tags(msg), msg.Message)
		}
	})
	app := mw.Handler(mux)

	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest("GET", "/hello", nil))
	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		next.AddCookie(c) // the browser follows the redirect with the cookie
	}
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, next)
	body, _ := io.ReadAll(rec.Body)
	fmt.Print(string(body))
	fmt.Println(rec.Header().Get("Set-Cookie")[:30])
	// Output:
	// [greeting info] Hello from Go.
	// messages=""; expires=Thu, 01 J
}
