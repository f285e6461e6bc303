package echomw_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echomw"
)

// An echo app reading and writing the Django session. A real app passes a
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

	e := echo.New()
	e.Use(echomw.New(m))
	e.GET("/count", func(c echo.Context) error {
		sess := echomw.Session(c)
		n, _ := sess.GetInt("count")
		if err := sess.Set("count", n+1); err != nil {
			return err
		}
		return c.String(200, fmt.Sprint("visit ", n+1))
	})

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/count", nil))
	fmt.Println(rec.Body.String())
	fmt.Println(rec.Header().Get("Set-Cookie")[:10])
	// Output:
	// visit 1
	// sessionid=
}
