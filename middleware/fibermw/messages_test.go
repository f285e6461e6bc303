package fibermw_test

import (
	"net/http"
	"os"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func messagesApp(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response {
	app := fiber.New()
	app.Use(fibermw.New(mw))
	app.Get("/add", func(c *fiber.Ctx) error {
		m, err := fibermw.Messages(c)
		if err != nil {
			return err
		}
		adaptertest.AddMessages(m)
		return c.SendString("added")
	})
	app.Get("/show", func(c *fiber.Ctx) error {
		m, err := fibermw.Messages(c)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(adaptertest.ShowMessages(m))
	})
	return func(r *http.Request) *http.Response {
		resp, err := app.Test(r, -1)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
}

// Flash messages a fiber handler adds (fibermw.Messages) are shown by a
// Django view, and the reverse, for the cookie, session and fallback
// storages on every release.
func TestMessagesWithDjango(t *testing.T) { adaptertest.CheckMessagesWithDjango(t, messagesApp) }

func TestMessagesNotConfigured(t *testing.T) { adaptertest.CheckMessagesNotConfigured(t, messagesApp) }
