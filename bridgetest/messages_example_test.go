package bridgetest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/djangobridge/djangobridge/bridgetest"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

// A handler that adds a flash message, and the next page that shows it,
// tested with the kit's MessageMiddleware: the "messages" cookie the first
// answer sets is sent with the second request, as a browser would.
func ExampleKit_Messages() {
	kit, err := bridgetest.New(nil)
	if err != nil {
		panic(err)
	}
	alice := kit.AddUser(&djangouser.User{Username: "alice"})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /profile", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		m.Success("Profile saved.")
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		shown := m.Messages() // before the first Write
		for _, msg := range shown {
			fmt.Fprintf(w, "%s: %s\n", kit.Messages.Tags(msg), msg.Message)
		}
	})
	h := kit.Middleware.Handler(mux)

	ctx := context.Background()
	post, err := kit.Request(ctx, alice, "POST", "/profile", nil)
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, post)

	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range post.Cookies() { // the session
		next.AddCookie(c)
	}
	for _, c := range rec.Result().Cookies() { // the messages cookie
		next.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, next)
	fmt.Print(rec.Body.String())
	// Output:
	// success: Profile saved.
}
