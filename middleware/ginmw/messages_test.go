package ginmw_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/ginmw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

func messagesApp(t *testing.T, mw *middleware.Middleware) func(*http.Request) *http.Response {
	r := gin.New()
	r.Use(ginmw.New(mw))
	r.GET("/add", func(c *gin.Context) {
		m, err := ginmw.Messages(c)
		if err != nil {
			_ = c.Error(err)
			return
		}
		adaptertest.AddMessages(m)
		c.String(http.StatusOK, "added")
	})
	r.GET("/show", func(c *gin.Context) {
		m, err := ginmw.Messages(c)
		if err != nil {
			_ = c.Error(err)
			return
		}
		c.Data(http.StatusOK, "application/json", adaptertest.ShowMessages(m))
	})
	return func(req *http.Request) *http.Response {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		return rec.Result()
	}
}

// Flash messages a gin handler adds (ginmw.Messages) are shown by a
// Django view, and the reverse, for the cookie, session and fallback
// storages on every release.
func TestMessagesWithDjango(t *testing.T) { adaptertest.CheckMessagesWithDjango(t, messagesApp) }

func TestMessagesNotConfigured(t *testing.T) { adaptertest.CheckMessagesNotConfigured(t, messagesApp) }
