package gorillastore_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/gorillastore"
)

// gorilla/sessions code reading and writing Django's session: the same
// record Django's SessionMiddleware reads under the sessionid cookie.
func Example() {
	s := djangobridge.Defaults()
	s.SecretKey = "example-secret-key"
	// In production: sqlstore.New / pgxstore.New on Django's database.
	mgr, _ := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	store := gorillastore.New(mgr)

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, err := store.Get(r, s.SessionCookieName)
		if err != nil {
			http.Error(w, "session store unavailable", http.StatusServiceUnavailable)
			return
		}
		n, _ := sess.Values["visits"].(int64)
		sess.Values["visits"] = n + 1
		if err := sess.Save(r, w); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "visit %d", n+1)
	})

	var cookie *http.Cookie
	for range 3 {
		req := httptest.NewRequest("GET", "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		cookie = rec.Result().Cookies()[0]
		fmt.Println(rec.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}
