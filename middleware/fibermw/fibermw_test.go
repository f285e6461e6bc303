package fibermw_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// serve runs one request through a fiber app with the middleware and h.
func serve(t testing.TB, st *adaptertest.Site, req adaptertest.Request, h fiber.Handler) *http.Response {
	t.Helper()
	app := fiber.New()
	app.Use(fibermw.New(st.MW))
	app.All("/", h)
	var body io.Reader = strings.NewReader(req.Form)
	r := httptest.NewRequest(req.Method, "/", body)
	if req.Form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	for k, v := range req.Cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Every scenario answers through fiber exactly as through net/http: same
// status, same Set-Cookie attributes, same Vary, same store queries.
func TestScenariosAnswerAsNetHTTP(t *testing.T) {
	for _, sc := range adaptertest.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			want := adaptertest.RunNetHTTP(t, sc)
			st := adaptertest.NewSite(t, sc.Configure)
			req := sc.Request(t, st)
			if sc.Before != nil {
				sc.Before(st)
			}
			resp := serve(t, st, req, func(c *fiber.Ctx) error {
				return c.SendStatus(sc.Handle(c.UserContext(), fibermw.State(c)))
			})
			got := adaptertest.Normalize(st, resp.StatusCode, resp.Header)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("fiber:\n got %+v\nwant %+v (net/http)", got, want)
			}
		})
	}
}

// fasthttp reuses a request's buffers for the next request once the
// handler returns. What the middleware keeps (the session key from the
// cookie, the CSRF cookie) must have been copied: a session kept past its
// request still has its own key after other requests reused the buffers.
func TestKeepsNothingOfFasthttpsBuffers(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	app := fiber.New()
	app.Use(fibermw.New(st.MW))
	var (
		mu   sync.Mutex
		kept []*middleware.State
	)
	app.Get("/", func(c *fiber.Ctx) error {
		mu.Lock()
		kept = append(kept, fibermw.State(c))
		mu.Unlock()
		return nil
	})
	keys := make([]string, 50)
	for i := range keys {
		// Keys of one length, so a later request's bytes land exactly
		// where an earlier one's were.
		keys[i] = st.Session(t, "n", int64(i))
		r := httptest.NewRequest("GET", "/", nil)
		r.AddCookie(&http.Cookie{Name: "sessionid", Value: keys[i]})
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: strings.Repeat(string(rune('a'+i%26)), 32)})
		if _, err := app.Test(r, -1); err != nil {
			t.Fatal(err)
		}
	}
	if len(kept) != len(keys) {
		t.Fatalf("%d requests served, want %d", len(kept), len(keys))
	}
	for i, s := range kept {
		sess := s.Session()
		if sess.Key() != keys[i] {
			t.Fatalf("request %d: session key %q after later requests, want %q", i, sess.Key(), keys[i])
		}
		if n, _ := sess.GetInt("n"); n != int64(i) {
			t.Errorf("request %d: session holds n=%d", i, n)
		}
	}
}

// An error a handler returns is answered by the app's ErrorHandler inside
// the flow, so the status the client sees decides the save: a 5xx keeps
// the session unsaved, a 404 saves it.
func TestHandlerErrorsGoThroughTheAppsErrorHandler(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		saved  bool
	}{
		{fiber.ErrNotFound, 404, true},
		{fiber.NewError(500, "boom"), 500, false},
		{errors.New("plain"), 500, false},
	} {
		st := adaptertest.NewSite(t, nil)
		resp := serve(t, st, adaptertest.Request{Method: "GET"}, func(c *fiber.Ctx) error {
			if err := fibermw.Session(c).Set("k", "v"); err != nil {
				return err
			}
			return tc.err
		})
		cookie := resp.Header.Get("Set-Cookie")
		if resp.StatusCode != tc.status || strings.HasPrefix(cookie, "sessionid=") != tc.saved {
			t.Errorf("%v: status %d, Set-Cookie %q; want %d, saved=%v", tc.err, resp.StatusCode, cookie, tc.status, tc.saved)
		}
	}
}

// User, Login, Logout and CSRFToken work on the request's state; outside
// the middleware they return ErrNoState.
func TestHelpers(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	key := st.LoginSession(t)
	resp := serve(t, st, adaptertest.Request{Method: "GET", Cookies: map[string]string{"sessionid": key}}, func(c *fiber.Ctx) error {
		u, err := fibermw.User(c)
		if err != nil {
			return err
		}
		tok, err := fibermw.CSRFToken(c)
		if err != nil {
			return err
		}
		if err := fibermw.Logout(c); err != nil {
			return err
		}
		after, _ := fibermw.User(c)
		return c.SendString(u.Username + " " + itoa(len(tok)) + " " + after.Username)
	})
	body, _ := io.ReadAll(resp.Body)
	if string(body) != "demo 64 " {
		t.Errorf("body %q", body)
	}

	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error {
		if _, err := fibermw.User(c); !errors.Is(err, middleware.ErrNoState) {
			t.Errorf("User without the middleware: %v", err)
		}
		if fibermw.Session(c) != nil || fibermw.State(c) != nil {
			t.Error("Session or State without the middleware")
		}
		return nil
	})
	if _, err := app.Test(httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Fatal(err)
	}
}

// Concurrent requests (run with -race) each see their own session.
func TestConcurrentRequests(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	app := fiber.New()
	app.Use(fibermw.New(st.MW))
	app.Get("/", func(c *fiber.Ctx) error {
		n, _ := fibermw.Session(c).GetInt("n")
		u, err := fibermw.User(c)
		if err != nil {
			return err
		}
		return c.SendString(itoa(int(n)) + u.Username)
	})
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = st.Session(t, "n", int64(i))
	}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := httptest.NewRequest("GET", "/", nil)
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: keys[i%len(keys)]})
			resp, err := app.Test(r, -1)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			if want := itoa(i % len(keys)); string(body) != want {
				t.Errorf("request %d: %q, want %q", i, body, want)
			}
		}()
	}
	wg.Wait()
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

var _ = context.Background

// Django's decorators answer through fiber as through net/http.
func TestHelpersAnswerAsNetHTTP(t *testing.T) {
	mw := map[string]fiber.Handler{
		"login": fibermw.LoginRequired, "api": fibermw.LoginRequiredAPI, "staff": fibermw.StaffOnly,
		"perm": fibermw.PermissionRequired("auth.add_user"),
	}
	for _, hc := range adaptertest.HelperCases() {
		t.Run(hc.Name, func(t *testing.T) {
			want := adaptertest.RunNetHTTPHelper(t, hc)
			st, cookies := hc.Prepare(t)
			app := fiber.New()
			app.Use(fibermw.New(st.MW))
			app.Get("/*", mw[hc.Helper], func(c *fiber.Ctx) error { return c.SendString("ok") })
			r := httptest.NewRequest("GET", hc.Target, nil)
			for k, v := range cookies {
				r.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			resp, err := app.Test(r, -1)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			got := adaptertest.HelperResult{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(body)}
			if !got.Same(want) {
				t.Errorf("fiber %+v, net/http %+v", got, want)
			}
		})
	}
}

// A handler that returns the store error of User gets the middleware's
// error handler (503), not the app's 500.
func TestStoreErrorReturnedByAHandlerIs503(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	key := st.LoginSession(t)
	st.Sessions.Fail.Store(true)
	resp := serve(t, st, adaptertest.Request{Method: "GET", Cookies: map[string]string{"sessionid": key}}, func(c *fiber.Ctx) error {
		_, err := fibermw.User(c)
		return err
	})
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
}

// A form over DATA_UPLOAD_MAX_MEMORY_SIZE reaches Config.ErrorHandler as a
// *fiber.Error 400 that unwraps to the core's *BodyError.
func TestBodyLimitGoesThroughTheErrorHandler(t *testing.T) {
	st := adaptertest.NewSite(t, func(s *djangobridge.Settings) { s.DataUploadMaxMemorySize = 100 })
	var got error
	app := fiber.New()
	app.Use(fibermw.New(st.MW, fibermw.Config{ErrorHandler: func(c *fiber.Ctx, err error) error {
		got = err
		var fe *fiber.Error
		errors.As(err, &fe)
		return c.SendStatus(fe.Code)
	}}))
	app.Post("/", func(c *fiber.Ctx) error { t.Error("the handler ran"); return nil })
	cookie, header := adaptertest.CSRFPair()
	r := httptest.NewRequest("POST", "/", strings.NewReader(adaptertest.PadTo("a=1", 101)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-CSRFToken", header)
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: cookie})
	resp, err := app.Test(r, -1)
	if err != nil {
		t.Fatal(err)
	}
	var fe *fiber.Error
	var be *middleware.BodyError
	if resp.StatusCode != 400 || !errors.As(got, &fe) || fe.Code != 400 || !errors.As(got, &be) || be.Django != middleware.RequestDataTooBig {
		t.Fatalf("%d, ErrorHandler got %#v", resp.StatusCode, got)
	}
}
