package middleware_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/internal/adaptertest"
)

// userRoute is GET /user: request.user's name, or the error through Fail.
func userRoute(w http.ResponseWriter, r *http.Request) {
	u, err := middleware.User(r)
	if err != nil {
		middleware.Fail(w, r, err)
		return
	}
	_, _ = io.WriteString(w, u.Username)
}

// routers are the net/http routers the middleware is shown working with.
var routers = map[string]func(mw *middleware.Middleware) http.Handler{
	"ServeMux": func(mw *middleware.Middleware) http.Handler {
		m := http.NewServeMux()
		m.HandleFunc("GET /user", userRoute)
		m.Handle("GET /staff", middleware.StaffOnly(http.HandlerFunc(userRoute)))
		return mw.Handler(m)
	},
	"chi": func(mw *middleware.Middleware) http.Handler {
		r := chi.NewRouter()
		r.Use(mw.Handler)
		r.Get("/user", userRoute)
		r.With(middleware.StaffOnly).Get("/staff", userRoute)
		return r
	},
	"gorilla/mux": func(mw *middleware.Middleware) http.Handler {
		r := mux.NewRouter()
		r.Use(mw.Handler)
		r.HandleFunc("/user", userRoute).Methods("GET")
		r.Handle("/staff", middleware.StaffOnly(http.HandlerFunc(userRoute))).Methods("GET")
		return r
	},
}

func starter(router func(*middleware.Middleware) http.Handler) adaptertest.Starter {
	return func(t *testing.T, st *adaptertest.Site) string {
		srv := httptest.NewServer(router(st.MW))
		t.Cleanup(srv.Close)
		return srv.URL
	}
}

// Each router serves the user, the staff decorator, and the flow's cookies.
func TestRouters(t *testing.T) {
	for name, router := range routers {
		t.Run(name, func(t *testing.T) {
			st := adaptertest.NewSite(t, nil)
			h := router(st.MW)
			key := st.LoginSession(t)
			r := httptest.NewRequest("GET", "/user", nil)
			r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != 200 || rec.Body.String() != "demo" || rec.Header().Get("Vary") != "Cookie" {
				t.Fatalf("GET /user: %d %q %v", rec.Code, rec.Body, rec.Header())
			}
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/staff?x=1", nil))
			if rec.Code != 302 || rec.Header().Get("Location") != "/accounts/login/?next=/staff%3Fx%3D1" {
				t.Fatalf("GET /staff anonymous: %d %v", rec.Code, rec.Header())
			}
		})
	}
}

func TestRoutersReleaseDisconnectedClients(t *testing.T) {
	for name, router := range routers {
		t.Run(name, func(t *testing.T) { adaptertest.CheckDisconnect(t, starter(router)) })
	}
}

func TestRoutersBoundStoreCalls(t *testing.T) {
	for name, router := range routers {
		t.Run(name, func(t *testing.T) { adaptertest.CheckTimeout(t, starter(router)) })
	}
}

// A store call past StoreTimeout reaches Options.ErrorHandler as an error
// wrapping ErrStore and ErrStoreTimeout, naming the call and the bound.
func TestStoreTimeoutReachesErrorHandler(t *testing.T) {
	var got error
	st := adaptertest.NewSiteWith(t, nil, func(o *middleware.Options) {
		o.StoreTimeout = 20 * 1e6
		o.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
			got = err
			http.Error(w, middleware.Reason(err), middleware.StatusFor(err))
		}
	})
	key := st.LoginSession(t)
	st.Sessions.Stall.Store(true)
	r := httptest.NewRequest("GET", "/user", nil)
	r.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	rec := httptest.NewRecorder()
	st.MW.Handler(http.HandlerFunc(userRoute)).ServeHTTP(rec, r)
	<-st.Sessions.Released
	var te *middleware.TimeoutError
	if !errors.Is(got, middleware.ErrStore) || !errors.Is(got, middleware.ErrStoreTimeout) || !errors.As(got, &te) ||
		te.Op != "request.user" || te.After.String() != "20ms" {
		t.Fatalf("error handler got %v", got)
	}
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "did not answer within 20ms") {
		t.Fatalf("answer %d %q", rec.Code, rec.Body)
	}
}

// A handler on a mux that was never wrapped: 500 and a log line naming the
// mistake (not a 503 that looks like an outage).
func TestUnwrappedMuxIsAProgrammingError(t *testing.T) {
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, nil)))
	defer slog.SetDefault(old)
	for name, h := range map[string]http.Handler{
		"User then Fail": http.HandlerFunc(userRoute),
		"decorator":      middleware.LoginRequired(http.HandlerFunc(userRoute)),
	} {
		buf.Reset()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/p", nil))
		if rec.Code != 500 {
			t.Errorf("%s: status %d, want 500", name, rec.Code)
		}
		if n := strings.Count(buf.String(), "did not pass through the middleware"); n != 1 ||
			!strings.Contains(buf.String(), "mw.Handler(mux)") || !strings.Contains(buf.String(), "path=/p") {
			t.Errorf("%s: log %q, want one line naming the mistake and the fix", name, buf.String())
		}
	}
}

// New refuses a nil Auth with the fix, unless SessionsOnly says so.
func TestNilAuthIsAnExplicitChoice(t *testing.T) {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	_, err = middleware.New(middleware.Options{Sessions: mgr})
	if err == nil || !strings.Contains(err.Error(), "djangouser.New") || !strings.Contains(err.Error(), "SessionsOnly") {
		t.Fatalf("New without Auth: %v", err)
	}
	mw, err := middleware.New(middleware.Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	mw.Handler(http.HandlerFunc(userRoute)).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 {
		t.Fatalf("User with SessionsOnly: %d, want 500 (ErrNoAuth is a programming error)", rec.Code)
	}
}

// A 10 MiB form gets Django's 400, with a Content-Length or chunked: not
// 403, not a dropped connection. (gorilla/mux runs its middleware only for
// a matched route, as Django runs process_view only for a resolved view:
// its POST /user is the router's 405.)
func TestRoutersAnswerHugeBodies400(t *testing.T) {
	for _, name := range []string{"ServeMux", "chi"} {
		router := routers[name]
		t.Run(name, func(t *testing.T) {
			if a, b := adaptertest.CheckHugeBody(t, starter(router)); a != 400 || b != 400 {
				t.Fatalf("statuses %d (Content-Length), %d (chunked), want 400", a, b)
			}
		})
	}
}
