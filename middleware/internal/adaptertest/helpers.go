package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/middleware"
)

// A HelperCase is a request to a route guarded by one of Django's view
// decorators (LoginRequired, LoginRequiredAPI, StaffOnly,
// PermissionRequired("auth.add_user")).
type HelperCase struct {
	Name     string
	Helper   string // "login", "api", "staff", "perm"
	LoggedIn bool
	Down     bool   // the session store fails
	Target   string // path and query
}

// HelperCases are the cases every adapter answers as net/http does.
func HelperCases() []HelperCase {
	var out []HelperCase
	for _, h := range []string{"login", "api", "staff", "perm"} {
		out = append(out,
			HelperCase{Name: h + " anonymous", Helper: h, Target: "/a%20b/c?x=1&y=%C3%A9&z=a/b"},
			HelperCase{Name: h + " logged in", Helper: h, LoggedIn: true, Target: "/p"},
			HelperCase{Name: h + " database down", Helper: h, LoggedIn: true, Down: true, Target: "/p"},
		)
	}
	return out
}

// HelperResult is what a guarded route answered.
type HelperResult struct {
	Status   int
	Location string
	Body     string
}

// NetHTTPHelper returns the net/http helper of hc.Helper.
func NetHTTPHelper(name string) func(http.Handler) http.Handler {
	switch name {
	case "login":
		return middleware.LoginRequired
	case "api":
		return middleware.LoginRequiredAPI
	case "staff":
		return middleware.StaffOnly
	}
	return middleware.PermissionRequired("auth.add_user")
}

// Prepare makes hc's site and cookies.
func (hc HelperCase) Prepare(t testing.TB) (*Site, map[string]string) {
	st := NewSite(t, nil)
	cookies := map[string]string{}
	if hc.LoggedIn {
		cookies[st.Settings.SessionCookieName] = st.LoginSession(t)
	}
	if hc.Down {
		st.Sessions.Fail.Store(true)
	}
	return st, cookies
}

// RunNetHTTPHelper is the reference answer for hc: the handler behind the
// helper answers 200 "ok".
func RunNetHTTPHelper(t testing.TB, hc HelperCase) HelperResult {
	st, cookies := hc.Prepare(t)
	r := httptest.NewRequest("GET", hc.Target, nil)
	for k, v := range cookies {
		r.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	st.MW.Handler(NetHTTPHelper(hc.Helper)(ok)).ServeHTTP(rec, r)
	return HelperResult{rec.Code, rec.Header().Get("Location"), rec.Body.String()}
}

// Same reports whether an adapter's answer r matches net/http's want: the
// same status and Location, and the same body (but for surrounding space)
// unless it is an error answer, which each framework's error handler
// renders in its own format (fiber: the reason as text; echo: JSON).
func (r HelperResult) Same(want HelperResult) bool {
	if r.Status != want.Status || r.Location != want.Location {
		return false
	}
	return r.Status >= 500 || strings.TrimSpace(r.Body) == strings.TrimSpace(want.Body)
}
