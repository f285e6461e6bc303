package echo5mw_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echo5mw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func messagesApp(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response {
	e := echo.New()
	e.Use(echo5mw.New(mw))
	e.GET("/add", func(c *echo.Context) error {
		m, err := echo5mw.Messages(c)
		if err != nil {
			return err
		}
		adaptertest.AddMessages(m)
		return c.String(http.StatusOK, "added")
	})
	e.GET("/show", func(c *echo.Context) error {
		m, err := echo5mw.Messages(c)
		if err != nil {
			return err
		}
		return c.JSONBlob(http.StatusOK, adaptertest.ShowMessages(m))
	})
	return func(r *http.Request) *http.Response {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, r)
		return rec.Result()
	}
}

// Flash messages an echo handler adds (echo5mw.Messages) are shown by a
// Django view, and the reverse, for the cookie, session and fallback
// storages on every release.
func TestMessagesWithDjango(t *testing.T) { adaptertest.CheckMessagesWithDjango(t, messagesApp) }

func TestMessagesNotConfigured(t *testing.T) { adaptertest.CheckMessagesNotConfigured(t, messagesApp) }
