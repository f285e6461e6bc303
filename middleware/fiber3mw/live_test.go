package fiber3mw_test

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"

	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fiber3mw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func start(cfg fiber.Config) adaptertest.Starter {
	return func(t *testing.T, st *adaptertest.Site) string {
		app := fiber.New(cfg)
		app.Use(fiber3mw.New(st.MW))
		app.Get("/user", func(c fiber.Ctx) error {
			u, err := fiber3mw.User(c)
			if err != nil {
				return err
			}
			return c.SendString(u.Username)
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() { _ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
		t.Cleanup(func() { _ = app.Shutdown() })
		return "http://" + ln.Addr().String()
	}
}

// fasthttp does not end a request's context when its client goes away:
// the core watches the connection during the store call.
func TestReleasesDisconnectedClients(t *testing.T) {
	adaptertest.CheckDisconnect(t, start(fiber.Config{}))
}

// A store call past StoreTimeout answers through fiber's ErrorHandler: the
// default one sends the reason; a custom one gets a *fiber.Error that
// unwraps to the core's timeout.
func TestStoreTimeoutGoesToTheAppsErrorHandler(t *testing.T) {
	adaptertest.CheckTimeout(t, start(fiber.Config{}))
	var got error
	status, body := adaptertest.CheckTimeout(t, start(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error {
		got = err
		var fe *fiber.Error
		errors.As(err, &fe)
		return c.Status(fe.Code).JSON(fiber.Map{"error": fe.Message})
	}}))
	if !errors.Is(got, middleware.ErrStoreTimeout) || !errors.Is(got, middleware.ErrStore) || status != 503 ||
		!strings.HasPrefix(body, `{"error":"Service unavailable`) {
		t.Fatalf("ErrorHandler got %v; answered %d %s", got, status, body)
	}
}

// Next leaves a route out; the session and user are in c.Locals.
func TestNextAndLocals(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	app := fiber.New()
	app.Use(fiber3mw.New(st.MW, fiber3mw.Config{Next: func(c fiber.Ctx) bool { return c.Path() == "/health" }}))
	app.Get("/health", func(c fiber.Ctx) error {
		if fiber3mw.State(c) != nil {
			t.Error("the skipped route went through the middleware")
		}
		return c.SendStatus(204)
	})
	app.Get("/user", func(c fiber.Ctx) error {
		lu, _ := c.Locals(middleware.KeyUser).(middleware.LazyUser)
		u, err := lu.Get(c.Context())
		if err != nil {
			return err
		}
		if c.Locals(middleware.KeySession) == nil || c.Locals(middleware.KeyState) == nil {
			t.Error("session or state missing from c.Locals")
		}
		return c.SendString(u.Username)
	})
	key := st.LoginSession(t)
	for path, want := range map[string]string{"/health": "", "/user": "demo"} {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
		resp, err := app.Test(r, fiber.TestConfig{Timeout: 0})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if string(body) != want {
			t.Errorf("%s: %q, want %q", path, body, want)
		}
	}
}

// With StreamRequestBody, a 10 MiB form reaches the middleware, which
// reads no more than DATA_UPLOAD_MAX_MEMORY_SIZE + 1 bytes of it and
// answers Django's 400 through the app's ErrorHandler. Without it,
// fasthttp refuses a body over fiber's BodyLimit (4 MiB) itself with 413
// before any handler runs: the middleware cannot answer that one.
func TestHugeBodyIs400(t *testing.T) {
	if a, b := adaptertest.CheckHugeBody(t, start(fiber.Config{StreamRequestBody: true})); a != 400 || b != 400 {
		t.Fatalf("StreamRequestBody: statuses %d (Content-Length), %d (chunked), want 400", a, b)
	}
	a, b := adaptertest.CheckHugeBody(t, start(fiber.Config{}))
	t.Logf("fiber's default BodyLimit: statuses %d (Content-Length), %d (chunked)", a, b)
}
