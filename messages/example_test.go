package messages_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/messages"
)

// A Go handler adds a flash message that the next page (Django's or Go's)
// shows, in Django's signed "messages" cookie.
func Example() {
	s := djangobridge.Defaults()
	s.SecretKey = "the SECRET_KEY of settings.py"
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	f, err := messages.New(&s, messages.Options{Storage: messages.CookieStorage})
	if err != nil {
		panic(err)
	}

	save := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := f.FromRequest(r, nil) // pass the request's *djangosession.Session for the session storages
		m.Success("Saved.")
		if _, err := m.Write(r.Context(), w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	rec := httptest.NewRecorder()
	save.ServeHTTP(rec, httptest.NewRequest("POST", "/save", nil))

	// The next request carries the cookie; showing the messages consumes them.
	next := httptest.NewRequest("GET", "/", nil)
	for _, c := range rec.Result().Cookies() {
		next.AddCookie(c)
	}
	m := f.FromRequest(next, nil)
	for _, msg := range m.Messages() {
		fmt.Printf("%s: %s\n", f.Tags(msg), msg.Message)
	}
	c, _, _ := m.Update(context.Background())
	fmt.Println("cookie deleted:", c.MaxAge < 0)
	// Output:
	// success: Saved.
	// cookie deleted: true
}
