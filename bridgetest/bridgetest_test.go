package bridgetest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge/bridgetest"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echomw"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
)

// An application's handlers: who am I, and a POST that needs a permission.
func whoami(name string, u *djangouser.User) string {
	if !u.IsAuthenticated() {
		return "anonymous"
	}
	return name
}

func kit(t *testing.T) (*bridgetest.Kit, *djangouser.User, *djangouser.User) {
	t.Helper()
	k, err := bridgetest.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	alice := k.AddUser(&djangouser.User{Username: "alice"}, "polls.vote")
	bob := k.AddUser(&djangouser.User{Username: "bob"})
	return k, alice, bob
}

// serve sends req to h and returns the status and body.
func serve(t *testing.T, h http.Handler, req *http.Request) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func check(t *testing.T, k *bridgetest.Kit, alice, bob *djangouser.User, do func(*http.Request) (int, string)) {
	t.Helper()
	ctx := context.Background()
	req := func(u *djangouser.User, method, path string) *http.Request {
		r, err := k.Request(ctx, u, method, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		r      *http.Request
		status int
		body   string
	}{
		{req(alice, "GET", "/whoami"), 200, "alice"},
		{req(nil, "GET", "/whoami"), 200, "anonymous"},
		{req(alice, "POST", "/vote"), 200, "voted"}, // passes CSRF, has the permission
		{req(bob, "POST", "/vote"), 403, ""},        // no permission
	} {
		status, body := do(c.r)
		if status != c.status || (c.body != "" && body != c.body) {
			t.Errorf("%s %s: %d %q; want %d %q", c.r.Method, c.r.URL.Path, status, body, c.status, c.body)
		}
	}
	// A POST without the kit's CSRF token is refused, as Django refuses it.
	r := httptest.NewRequest("POST", "/vote", nil)
	c, err := k.ForceLogin(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	r.AddCookie(c)
	if status, _ := do(r); status != http.StatusForbidden {
		t.Errorf("POST without CSRF: %d", status)
	}
}

func TestNetHTTP(t *testing.T) {
	k, alice, bob := kit(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		u, err := middleware.User(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		fmt.Fprint(w, whoami(u.Username, u))
	})
	mux.Handle("POST /vote", middleware.PermissionRequired("polls.vote")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "voted")
	})))
	h := k.Middleware.Handler(mux)
	check(t, k, alice, bob, func(r *http.Request) (int, string) { return serve(t, h, r) })
}

func TestEcho(t *testing.T) {
	k, alice, bob := kit(t)
	e := echo.New()
	e.Use(echomw.New(k.Middleware))
	e.GET("/whoami", func(c echo.Context) error {
		u, err := echomw.User(c)
		if err != nil {
			return err
		}
		return c.String(200, whoami(u.Username, u))
	})
	e.POST("/vote", func(c echo.Context) error { return c.String(200, "voted") }, echomw.PermissionRequired("polls.vote"))
	check(t, k, alice, bob, func(r *http.Request) (int, string) { return serve(t, e, r) })
}

func TestFiber(t *testing.T) {
	k, alice, bob := kit(t)
	app := fiber.New()
	app.Use(fibermw.New(k.Middleware, fibermw.Config{}))
	app.Get("/whoami", func(c *fiber.Ctx) error {
		u, err := fibermw.User(c)
		if err != nil {
			return err
		}
		return c.SendString(whoami(u.Username, u))
	})
	app.Post("/vote", fibermw.PermissionRequired("polls.vote"), func(c *fiber.Ctx) error { return c.SendString("voted") })
	check(t, k, alice, bob, func(r *http.Request) (int, string) {
		res, err := app.Test(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	})
}

// The session ForceLogin makes is the one Django's login makes: the
// user's id, backend and auth hash, which get_user verifies.
func TestForceLoginSession(t *testing.T) {
	k, alice, _ := kit(t)
	ctx := context.Background()
	c, err := k.ForceLogin(ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	sess := k.Sessions.Open(ctx, c.Value)
	u, err := k.Auth.GetUser(ctx, sess)
	if err != nil || u.Username != "alice" {
		t.Fatalf("%v, %v", u, err)
	}
	for _, key := range []string{"_auth_user_id", "_auth_user_backend", "_auth_user_hash"} {
		if !sess.Has(key) {
			t.Errorf("no %s", key)
		}
	}
	if _, err := k.ForceLogin(ctx, djangouser.Anonymous()); err == nil {
		t.Error("ForceLogin of the anonymous user")
	}
}
