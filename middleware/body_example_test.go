package middleware_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
)

// A POST form over DATA_UPLOAD_MAX_MEMORY_SIZE gets Django's 400 from the
// CSRF check, X-CSRFToken or not, and the handler does not run; the core's
// rule is also callable by an adapter of another framework.
func ExampleMiddleware_ReadURLEncoded() {
	s := djangobridge.Defaults()
	s.SecretKey = "example-secret-key"
	s.DataUploadMaxMemorySize = 1000 // bytes; djangobridge.NoLimit is None
	mgr, _ := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		panic(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("the handler ran")
	}))
	secret := middleware.NewCSRFSecret()
	r := httptest.NewRequest("POST", "/", strings.NewReader("a="+strings.Repeat("x", 2000)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-CSRFToken", middleware.MaskCSRFSecret(secret))
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Print(rec.Code, " ", rec.Body.String())

	_, err = mw.ReadURLEncoded(-1, strings.NewReader("a=1&b=2"))
	fmt.Println(err)
	_, err = mw.ReadURLEncoded(2000, strings.NewReader(""))
	var be *middleware.BodyError
	fmt.Println(errors.As(err, &be), be.Django, errors.Is(err, middleware.ErrBadRequest), middleware.StatusFor(err))
	// Output:
	// 400 Bad Request (400)
	// <nil>
	// true RequestDataTooBig true 400
}
