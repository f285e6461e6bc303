package main

import (
	"mime"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echomw"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
)

// The three frameworks' glue: each registers the one route table (routes,
// app.go) behind djangobridge's middleware for that framework, turning its
// request into a request and writing the response back. No handler logic
// lives here.

// netHTTPHandler is the net/http app: an http.ServeMux behind
// middleware.Handler.
func netHTTPHandler(a *app, m *middleware.Middleware) http.Handler {
	mux := http.NewServeMux()
	for _, rt := range routes {
		pattern := rt.method + " " + rt.path
		if rt.path == "/" {
			pattern += "{$}" // the page only, not every path
		}
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			res := rt.handle(a, &request{
				ctx:   r.Context(),
				form:  r.PostFormValue,
				query: r.URL.Query().Get,
				cookie: func(name string) string {
					if c, err := r.Cookie(name); err == nil {
						return c.Value
					}
					return ""
				},
				setCookie: func(c *http.Cookie) { http.SetCookie(w, c) },
				state:     middleware.StateFromContext(r.Context()),
			})
			w.Header().Set("Content-Type", res.contentType)
			w.WriteHeader(res.status)
			_, _ = w.Write(res.body)
		})
	}
	return m.Handler(mux)
}

// echoApp is the echo app: echo's router behind echomw.
func echoApp(a *app, m *middleware.Middleware) *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(echomw.New(m))
	for _, rt := range routes {
		e.Add(rt.method, rt.path, func(c echo.Context) error {
			r := c.Request()
			res := rt.handle(a, &request{
				ctx:   r.Context(),
				form:  r.PostFormValue, // the body only, as Django's request.POST
				query: c.QueryParam,
				cookie: func(name string) string {
					if ck, err := c.Cookie(name); err == nil {
						return ck.Value
					}
					return ""
				},
				setCookie: c.SetCookie,
				state:     echomw.State(c),
			})
			return c.Blob(res.status, res.contentType, res.body)
		})
	}
	return e
}

// fiberApp is the fiber app: fiber's router behind fibermw.
func fiberApp(a *app, m *middleware.Middleware) *fiber.App {
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	f.Use(fibermw.New(m, fibermw.Config{}))
	for _, rt := range routes {
		f.Add(rt.method, rt.path, func(c *fiber.Ctx) error {
			res := rt.handle(a, &request{
				ctx:    c.UserContext(),
				form:   func(name string) string { return fiberPostValue(c, name) },
				query:  func(name string) string { return strings.Clone(c.Query(name)) },
				cookie: func(name string) string { return strings.Clone(c.Cookies(name)) },
				setCookie: func(ck *http.Cookie) {
					c.Response().Header.Add(fiber.HeaderSetCookie, ck.String())
				},
				state: fibermw.State(c),
			})
			c.Set(fiber.HeaderContentType, res.contentType)
			return c.Status(res.status).Send(res.body)
		})
	}
	return f
}

// fiberPostValue is a field of the POST body (not the query string, as
// Django's request.POST), copied out of fasthttp's reused buffers: it may
// end up in the session.
func fiberPostValue(c *fiber.Ctx, name string) string {
	ct, _, _ := mime.ParseMediaType(string(c.Request().Header.ContentType()))
	if ct == fiber.MIMEMultipartForm {
		if form, err := c.MultipartForm(); err == nil && len(form.Value[name]) > 0 {
			return strings.Clone(form.Value[name][0])
		}
		return ""
	}
	if ct != fiber.MIMEApplicationForm {
		return ""
	}
	return string(c.Request().PostArgs().Peek(name))
}
