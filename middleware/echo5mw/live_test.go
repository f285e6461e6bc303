package echo5mw_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echo5mw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func start(errorHandler echo.HTTPErrorHandler) adaptertest.Starter {
	return func(t *testing.T, st *adaptertest.Site) string {
		e := echo.New()
		if errorHandler != nil {
			e.HTTPErrorHandler = errorHandler
		}
		e.Use(echo5mw.New(st.MW))
		e.GET("/user", func(c *echo.Context) error {
			u, err := echo5mw.User(c)
			if err != nil {
				return err
			}
			return c.String(http.StatusOK, u.Username)
		})
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

func TestReleasesDisconnectedClients(t *testing.T) { adaptertest.CheckDisconnect(t, start(nil)) }

// A store call past StoreTimeout answers through echo's HTTPErrorHandler:
// the default one renders the reason as JSON; a custom one gets an
// *echo.HTTPError wrapping the core's timeout.
func TestStoreTimeoutGoesToHTTPErrorHandler(t *testing.T) {
	_, body := adaptertest.CheckTimeout(t, start(nil))
	if !strings.HasPrefix(body, `{"message":"Service unavailable: the session or user store did not answer within 100ms."}`) {
		t.Errorf("echo's default handler answered %s", body)
	}
	var got error
	adaptertest.CheckTimeout(t, start(func(c *echo.Context, err error) {
		got = err
		var he *echo.HTTPError
		errors.As(err, &he)
		_ = c.String(he.Code, he.Message)
	}))
	if !errors.Is(got, middleware.ErrStoreTimeout) || !errors.Is(got, middleware.ErrStore) {
		t.Fatalf("HTTPErrorHandler got %v", got)
	}
}

// Skipper leaves a route out; the session and user are in c.Get.
func TestSkipperAndContextKeys(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	e := echo.New()
	e.Use(echo5mw.NewWithConfig(st.MW, echo5mw.Config{Skipper: func(c *echo.Context) bool { return c.Path() == "/health" }}))
	e.GET("/health", func(c *echo.Context) error {
		if echo5mw.State(c) != nil {
			t.Error("the skipped route went through the middleware")
		}
		return c.NoContent(204)
	})
	e.GET("/user", func(c *echo.Context) error {
		lu, _ := c.Get(middleware.KeyUser).(middleware.LazyUser)
		u, err := lu.Get(c.Request().Context())
		if err != nil {
			return err
		}
		if c.Get(middleware.KeySession) == nil || c.Get(middleware.KeyState) == nil {
			t.Error("session or state missing from c.Get")
		}
		return c.String(200, u.Username)
	})
	key := st.LoginSession(t)
	for path, want := range map[string]string{"/health": "", "/user": "demo"} {
		r := httptest.NewRequest("GET", path, nil)
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		if rec.Body.String() != want {
			t.Errorf("%s: %d %q, want %q", path, rec.Code, rec.Body, want)
		}
	}
}

// A 10 MiB form gets Django's 400 through echo's HTTPErrorHandler, with a
// Content-Length or chunked: not 403, not a dropped connection.
func TestHugeBodyIs400(t *testing.T) {
	if a, b := adaptertest.CheckHugeBody(t, start(nil)); a != 400 || b != 400 {
		t.Fatalf("statuses %d (Content-Length), %d (chunked), want 400", a, b)
	}
}
