package fiber3mw_test

import (
	"testing"

	"github.com/gofiber/fiber/v3"
	"github.com/valyala/fasthttp"

	"github.com/djangobridge/djangobridge/middleware/fiber3mw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// benchmark serves GET / through the fiber handler chain (no network), with
// cookie as the Cookie header, and a handler that reads the user or not.
func benchmark(b *testing.B, cookie func(st *adaptertest.Site) string, readUser bool) {
	st := adaptertest.NewSite(b, nil)
	app := fiber.New()
	app.Use(fiber3mw.New(st.MW))
	app.Get("/", func(c fiber.Ctx) error {
		if readUser {
			if _, err := fiber3mw.User(c); err != nil {
				return err
			}
		}
		return nil
	})
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI("/")
	if cookie != nil {
		ctx.Request.Header.Set("Cookie", cookie(st))
	}
	adaptertest.Loop(b, func() {
		ctx.Response.Reset()
		ctx.ResetUserValues() // as fasthttp does between requests
		h(&ctx)
	})
}

func BenchmarkNoCookie(b *testing.B) { benchmark(b, nil, false) }

func BenchmarkSessionCookieUntouched(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.Session(b, "a", "b") }, false)
}

// The user read with an in-memory store: the middleware's own cost.
func BenchmarkLoggedInUserRead(b *testing.B) {
	benchmark(b, func(st *adaptertest.Site) string { return "sessionid=" + st.LoginSession(b) }, true)
}

// The framework alone, for comparison.
func BenchmarkBareFiber(b *testing.B) {
	app := fiber.New()
	app.Get("/", func(c fiber.Ctx) error { return nil })
	h := app.Handler()
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod("GET")
	ctx.Request.SetRequestURI("/")
	adaptertest.Loop(b, func() {
		ctx.Response.Reset()
		ctx.ResetUserValues() // as fasthttp does between requests
		h(&ctx)
	})
}
