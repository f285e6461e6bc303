package fiber3mw_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/gofiber/fiber/v3"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fiber3mw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func messagesApp(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response {
	app := fiber.New()
	app.Use(fiber3mw.New(mw))
	app.Get("/add", func(c fiber.Ctx) error {
		m, err := fiber3mw.Messages(c)
		if err != nil {
			return err
		}
		adaptertest.AddMessages(m)
		return c.SendString("added")
	})
	app.Get("/show", func(c fiber.Ctx) error {
		m, err := fiber3mw.Messages(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(adaptertest.ShowMessages(m))
	})
	return func(r *http.Request) *http.Response {
		resp, err := app.Test(r, fiber.TestConfig{Timeout: 0})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
}

// Flash messages a fiber handler adds (fiber3mw.Messages) are shown by a
// Django view, and the reverse, for the cookie, session and fallback
// storages on every release.
func TestMessagesWithDjango(t *testing.T) { adaptertest.CheckMessagesWithDjango(t, messagesApp) }

func TestMessagesNotConfigured(t *testing.T) { adaptertest.CheckMessagesNotConfigured(t, messagesApp) }
