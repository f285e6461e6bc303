package ginmw_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/ginmw"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

func init() { gin.SetMode(gin.ReleaseMode) }

func newRequest(req adaptertest.Request, target string) *http.Request {
	r := httptest.NewRequest(req.Method, target, strings.NewReader(req.Form))
	if req.Form != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	for k, v := range req.Cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	return r
}

// Every scenario answers through gin exactly as through net/http: same
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
			e := gin.New()
			e.Use(ginmw.New(st.MW))
			e.Any("/", func(c *gin.Context) {
				c.Status(sc.Handle(c.Request.Context(), ginmw.State(c)))
				c.Writer.WriteHeaderNow()
			})
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, newRequest(req, "/"))
			got := adaptertest.Normalize(st, rec.Code, rec.Result().Header)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("gin:\n got %+v\nwant %+v (net/http)", got, want)
			}
		})
	}
}

// Django's decorators answer through gin as through net/http.
func TestHelpersAnswerAsNetHTTP(t *testing.T) {
	mw := map[string]gin.HandlerFunc{
		"login": ginmw.LoginRequired, "api": ginmw.LoginRequiredAPI, "staff": ginmw.StaffOnly,
		"perm": ginmw.PermissionRequired("auth.add_user"),
	}
	for _, hc := range adaptertest.HelperCases() {
		t.Run(hc.Name, func(t *testing.T) {
			want := adaptertest.RunNetHTTPHelper(t, hc)
			st, cookies := hc.Prepare(t)
			e := gin.New()
			e.Use(ginmw.New(st.MW))
			e.GET("/*any", mw[hc.Helper], func(c *gin.Context) { c.String(200, "ok") })
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, newRequest(adaptertest.Request{Method: "GET", Cookies: cookies}, hc.Target))
			got := adaptertest.HelperResult{Status: rec.Code, Location: rec.Header().Get("Location"), Body: rec.Body.String()}
			if !got.Same(want) {
				t.Errorf("gin %+v, net/http %+v", got, want)
			}
		})
	}
}

func start(cfg ginmw.Config) adaptertest.Starter {
	return func(t *testing.T, st *adaptertest.Site) string {
		e := gin.New()
		e.Use(ginmw.New(st.MW, cfg))
		e.GET("/user", func(c *gin.Context) {
			u, err := ginmw.User(c)
			if err != nil {
				_ = c.Error(err)
				return
			}
			c.String(http.StatusOK, u.Username)
		})
		srv := httptest.NewServer(e)
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

func TestReleasesDisconnectedClients(t *testing.T) {
	adaptertest.CheckDisconnect(t, start(ginmw.Config{}))
}

// A store call past StoreTimeout is recorded in c.Errors and answered with
// its reason: the core's text by default, Config.ErrorHandler's if set.
func TestStoreTimeoutAnswersWithItsReason(t *testing.T) {
	adaptertest.CheckTimeout(t, start(ginmw.Config{}))
	var got error
	_, body := adaptertest.CheckTimeout(t, start(ginmw.Config{ErrorHandler: func(c *gin.Context, err error) {
		got = err
		if len(c.Errors) != 1 || c.Errors[0].Err != err {
			t.Errorf("c.Errors = %v", c.Errors)
		}
		c.JSON(middleware.StatusFor(err), gin.H{"error": middleware.Reason(err)})
	}}))
	if !errors.Is(got, middleware.ErrStoreTimeout) || !strings.HasPrefix(body, `{"error":"Service unavailable`) {
		t.Fatalf("ErrorHandler got %v, answered %s", got, body)
	}
}

// Skip leaves a route out; the session and user are in c.Get; a CSRF
// failure is 403 through the error handling.
func TestSkipKeysAndCSRF(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	e := gin.New()
	e.Use(ginmw.New(st.MW, ginmw.Config{Skip: func(c *gin.Context) bool { return c.FullPath() == "/health" }}))
	e.GET("/health", func(c *gin.Context) {
		if ginmw.State(c) != nil {
			t.Error("the skipped route went through the middleware")
		}
		c.Status(204)
	})
	e.GET("/user", func(c *gin.Context) {
		v, _ := c.Get(middleware.KeyUser)
		u, err := v.(middleware.LazyUser).Get(c.Request.Context())
		if err != nil {
			_ = c.Error(err)
			return
		}
		c.String(200, u.Username)
	})
	e.POST("/user", func(c *gin.Context) { c.String(200, "posted") })
	key := st.LoginSession(t)
	for path, want := range map[string]string{"/health": "", "/user": "demo"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, newRequest(adaptertest.Request{Method: "GET", Cookies: map[string]string{"sessionid": key}}, path))
		if rec.Body.String() != want {
			t.Errorf("%s: %d %q, want %q", path, rec.Code, rec.Body, want)
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, newRequest(adaptertest.Request{Method: "POST"}, "/user"))
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "CSRF verification failed") {
		t.Errorf("POST without token: %d %q", rec.Code, rec.Body)
	}
}

// The handler's JSON passes through with the session cookie set.
func TestJSONWithSessionCookie(t *testing.T) {
	st := adaptertest.NewSite(t, nil)
	e := gin.New()
	e.Use(ginmw.New(st.MW))
	e.GET("/", func(c *gin.Context) {
		if err := ginmw.Session(c).Set("k", "v"); err != nil {
			_ = c.Error(err)
			return
		}
		c.JSON(201, gin.H{"ok": true})
	})
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 201 || rec.Body.String() != `{"ok":true}` || !strings.HasPrefix(rec.Header().Get("Set-Cookie"), "sessionid=") {
		t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

// A 10 MiB form gets Django's 400, with a Content-Length or chunked: not
// 403, not a dropped connection.
func TestHugeBodyIs400(t *testing.T) {
	if a, b := adaptertest.CheckHugeBody(t, start(ginmw.Config{})); a != 400 || b != 400 {
		t.Fatalf("statuses %d (Content-Length), %d (chunked), want 400", a, b)
	}
}
