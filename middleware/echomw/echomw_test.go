package echomw_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echomw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// serve runs one request through an echo app with the middleware and h.
func serve(t testing.TB, st *adaptertest.Site, req adaptertest.Request, h echo.HandlerFunc) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	e.Use(echomw.New(st.MW))
	e.Any("/", h)
	r := httptest.NewRequest(req.Method, "/", strings.NewReader(req.Form))
	if req.Form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	for k, v := range req.Cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	return rec
}

// Every scenario answers through echo exactly as through net/http: same
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
			rec := serve(t, st, req, func(c echo.Context) error {
				return c.NoContent(sc.Handle(c.Request().Context(), echomw.State(c)))
			})
			got := adaptertest.Normalize(st, rec.Code, rec.Result().Header)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("echo:\n got %+v\nwant %+v (net/http)", got, want)
			}
		})
	}
}

// An error a handler returns is answered by echo's HTTPErrorHandler inside
// the flow, so the status the client sees decides the save (none on a 5xx)
// and the cookies reach the error response.
func TestHandlerErrorsGoThroughEchosErrorHandler(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		saved  bool
	}{
		{echo.ErrNotFound, 404, true},
		{echo.NewHTTPError(500, "boom"), 500, false},
		{errors.New("plain"), 500, false},
	} {
		st := adaptertest.NewSite(t, nil)
		rec := serve(t, st, adaptertest.Request{Method: "GET"}, func(c echo.Context) error {
			if err := echomw.Session(c).Set("k", "v"); err != nil {
				return err
			}
			return tc.err
		})
		cookie := rec.Header().Get("Set-Cookie")
		if rec.Code != tc.status || strings.HasPrefix(cookie, "sessionid=") != tc.saved {
			t.Errorf("%v: status %d, Set-Cookie %q; want %d, saved=%v", tc.err, rec.Code, cookie, tc.status, tc.saved)
		}
	}
}

// User, Login, Logout and CSRFToken work on the request's state; outside
// the middleware they return ErrNoState.
func TestHelpers(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	key := st.LoginSession(t)
	rec := serve(t, st, adaptertest.Request{Method: "GET", Cookies: map[string]string{"sessionid": key}}, func(c echo.Context) error {
		u, err := echomw.User(c)
		if err != nil {
			return err
		}
		tok, err := echomw.CSRFToken(c)
		if err != nil {
			return err
		}
		if err := echomw.Logout(c); err != nil {
			return err
		}
		after, _ := echomw.User(c)
		return c.String(200, u.Username+" "+string(rune('0'+len(tok)/10))+string(rune('0'+len(tok)%10))+" "+after.Username)
	})
	if rec.Body.String() != "demo 64 " {
		t.Errorf("body %q", rec.Body.String())
	}

	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		if _, err := echomw.User(c); !errors.Is(err, middleware.ErrNoState) {
			t.Errorf("User without the middleware: %v", err)
		}
		if echomw.Session(c) != nil || echomw.State(c) != nil {
			t.Error("Session or State without the middleware")
		}
		return nil
	})
	e.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

// Concurrent requests (run with -race) each see their own session.
func TestConcurrentRequests(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	e := echo.New()
	e.Use(echomw.New(st.MW))
	e.GET("/", func(c echo.Context) error {
		v, _ := echomw.Session(c).GetString("v")
		if _, err := echomw.User(c); err != nil {
			return err
		}
		return c.String(200, v)
	})
	keys := make([]string, 16)
	for i := range keys {
		keys[i] = st.Session(t, "v", strings.Repeat("x", i))
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := http.NewRequest("GET", srv.URL, nil)
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: keys[i%len(keys)]})
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if want := strings.Repeat("x", i%len(keys)); string(body) != want {
				t.Errorf("request %d: %q, want %q", i, body, want)
			}
		}()
	}
	wg.Wait()
}

// echo's Response records the status the flow answered with, also when
// the middleware answered by itself (a CSRF failure), for the middlewares
// before it (a logger).
func TestEchosResponseKnowsTheStatus(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	e := echo.New()
	var status int
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			status = c.Response().Status
			return err
		}
	})
	e.Use(echomw.New(st.MW))
	e.POST("/", func(c echo.Context) error { return c.NoContent(204) })
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != 403 || status != 403 {
		t.Errorf("CSRF failure: answered %d, echo's Response says %d; want 403", rec.Code, status)
	}
}

// Django's decorators answer through echo as through net/http.
func TestHelpersAnswerAsNetHTTP(t *testing.T) {
	mw := map[string]echo.MiddlewareFunc{
		"login": echomw.LoginRequired, "api": echomw.LoginRequiredAPI, "staff": echomw.StaffOnly,
		"perm": echomw.PermissionRequired("auth.add_user"),
	}
	for _, hc := range adaptertest.HelperCases() {
		t.Run(hc.Name, func(t *testing.T) {
			want := adaptertest.RunNetHTTPHelper(t, hc)
			st, cookies := hc.Prepare(t)
			e := echo.New()
			e.Use(echomw.New(st.MW))
			e.GET("/*", func(c echo.Context) error { return c.String(200, "ok") }, mw[hc.Helper])
			r := httptest.NewRequest("GET", hc.Target, nil)
			for k, v := range cookies {
				r.AddCookie(&http.Cookie{Name: k, Value: v})
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, r)
			got := adaptertest.HelperResult{Status: rec.Code, Location: rec.Header().Get("Location"), Body: rec.Body.String()}
			if !got.Same(want) {
				t.Errorf("echo %+v, net/http %+v", got, want)
			}
		})
	}
}

// A handler that returns the store error of User gets the middleware's
// error handler (503), not echo's 500.
func TestStoreErrorReturnedByAHandlerIs503(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	key := st.LoginSession(t)
	st.Sessions.Fail.Store(true)
	rec := serve(t, st, adaptertest.Request{Method: "GET", Cookies: map[string]string{"sessionid": key}}, func(c echo.Context) error {
		_, err := echomw.User(c)
		return err
	})
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", rec.Code)
	}
}

// A form over DATA_UPLOAD_MAX_MEMORY_SIZE reaches echo's HTTPErrorHandler
// as an *echo.HTTPError 400 whose Internal is the core's *BodyError.
func TestBodyLimitGoesThroughEchosErrorHandler(t *testing.T) {
	st := adaptertest.NewSite(t, func(s *djangobridge.Settings) { s.DataUploadMaxMemorySize = 100 })
	e := echo.New()
	var got error
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		got = err
		_ = c.NoContent(err.(*echo.HTTPError).Code)
	}
	e.Use(echomw.New(st.MW))
	e.POST("/", func(c echo.Context) error { t.Error("the handler ran"); return nil })
	cookie, header := adaptertest.CSRFPair()
	r := httptest.NewRequest("POST", "/", strings.NewReader(adaptertest.PadTo("a=1", 101)))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-CSRFToken", header)
	r.AddCookie(&http.Cookie{Name: "csrftoken", Value: cookie})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, r)
	var he *echo.HTTPError
	if rec.Code != 400 || !errors.As(got, &he) || he.Code != 400 || !errors.Is(he.Internal, middleware.ErrBadRequest) {
		t.Fatalf("%d, HTTPErrorHandler got %#v", rec.Code, got)
	}
}
