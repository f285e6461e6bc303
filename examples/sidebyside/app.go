package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	_ "embed"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/middleware"
)

// page is the demo page, the same file examples/django_app serves, so the
// four apps look alike; {{APP}} is replaced by the serving app's name.
//
//go:embed index.html
var page string

// app holds the demo's route handlers, written once for the three
// frameworks: each framework's glue (nethttp.go, echo.go, fiber.go) turns
// its request into a request, calls the handler from routes, and writes
// the response back. The handlers behave as examples/django_app/demo/views.py.
type app struct {
	name string // shown on the page: "net/http", "echo", "fiber"
	auth *djangouser.Auth
	log  *slog.Logger
	acct *accounts
	// flash is the messages framework (messages.go).
	flash *flash
}

// request is what a handler needs of an HTTP request. The framework glue
// fills it; state is the request's pass through djangobridge's middleware
// (session, user, CSRF), the same type under the three frameworks.
type request struct {
	ctx   context.Context
	form  func(name string) string // a field of the POST body
	query func(name string) string // a query parameter
	param func(name string) string // a {name} parameter of the route's path
	state *middleware.State
}

// response is a handler's answer; location, when set, is the Location
// header of a redirect.
type response struct {
	status      int
	contentType string
	body        []byte
	location    string
}

// route is one entry of the demo's route table; a path segment {name} is
// a parameter (r.param(name)).
type route struct {
	method, path string
	handle       func(*app, *request) response
}

// routes is the one route table every framework registers.
var routes = []route{
	{http.MethodGet, "/", (*app).index},
	{http.MethodGet, "/api/whoami", (*app).whoami},
	{http.MethodPost, "/api/login", (*app).login},
	{http.MethodPost, "/api/logout", (*app).logout},
	{http.MethodGet, "/api/session", (*app).getSession},
	{http.MethodPost, "/api/session", (*app).setSession},
	{http.MethodPost, "/api/password", (*app).password},
	{http.MethodGet, "/api/perm", (*app).perm},
	{http.MethodPost, "/api/register", (*app).register},
	{http.MethodPost, "/api/activate", (*app).activate},
	{http.MethodPost, "/api/password-reset", (*app).passwordReset},
	{http.MethodPost, "/api/password-reset/confirm", (*app).passwordResetConfirm},
	// The HTML account pages (accountpages.go).
	{http.MethodGet, "/accounts/register/", (*app).registerPage},
	{http.MethodPost, "/accounts/register/", (*app).registerSubmit},
	{http.MethodGet, "/accounts/register/complete/", (*app).registerCompletePage},
	{http.MethodGet, "/accounts/register/closed/", (*app).registerClosedPage},
	{http.MethodGet, "/accounts/activate/complete/", (*app).activationCompletePage}, // before {activation_key}: fiber takes the first match
	{http.MethodGet, "/accounts/activate/{activation_key}/", (*app).activatePage},
	{http.MethodGet, "/accounts/password_reset/", (*app).passwordResetPage},
	{http.MethodPost, "/accounts/password_reset/", (*app).passwordResetSubmit},
	{http.MethodGet, "/accounts/password_reset/done/", (*app).passwordResetDonePage},
	{http.MethodGet, "/reset/done/", (*app).passwordResetCompletePage},
	{http.MethodGet, "/reset/{uidb64}/{token}/", (*app).passwordResetConfirmPage},
	{http.MethodPost, "/reset/{uidb64}/{token}/", (*app).passwordResetConfirmSubmit},
	{http.MethodGet, "/api/messages", (*app).getMessages},
	{http.MethodPost, "/api/messages", (*app).addMessage},
	{http.MethodGet, "/messages/", (*app).showMessages},
}

// index is the page: who you are, a login form, a logout button and a
// counter kept in the session (incremented on every view).
func (a *app) index(r *request) response {
	if _, err := r.state.CSRFToken(); err != nil {
		return a.fail(err)
	}
	sess := r.state.Session()
	if err := sess.Load(r.ctx); err != nil {
		return a.fail(err)
	}
	n, _ := sess.GetInt("counter")
	if err := sess.Set("counter", n+1); err != nil {
		return a.fail(err)
	}
	body := strings.ReplaceAll(page, "{{APP}}", html.EscapeString(a.name+" (djangobridge)"))
	return response{status: http.StatusOK, contentType: "text/html; charset=utf-8", body: []byte(body)}
}

// whoami answers {"authenticated": false} or the user, and sets the
// csrftoken cookie when absent (Django's ensure_csrf_cookie).
func (a *app) whoami(r *request) response {
	if _, err := r.state.CSRFToken(); err != nil {
		return a.fail(err)
	}
	u, err := r.state.User(r.ctx)
	if err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, a.whoamiJSON(u))
}

// login authenticates the form's username and password and logs the user
// in: 200 with the whoami JSON, or 401.
func (a *app) login(r *request) response {
	u, err := a.auth.Authenticate(r.ctx, map[string]string{
		"username": r.form("username"),
		"password": r.form("password"),
	})
	if errors.Is(err, djangouser.ErrInvalidCredentials) {
		return errorResponse(http.StatusUnauthorized, "invalid username or password")
	}
	if err != nil {
		return a.fail(err)
	}
	if err := r.state.Login(r.ctx, u); err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, a.whoamiJSON(u))
}

// logout flushes the session, as django.contrib.auth.logout.
func (a *app) logout(r *request) response {
	if err := r.state.Logout(r.ctx); err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, []byte(`{"authenticated": false}`))
}

// getSession answers the session's data in its key order.
func (a *app) getSession(r *request) response {
	sess := r.state.Session()
	if err := sess.Load(r.ctx); err != nil {
		return a.fail(err)
	}
	b, err := djangosession.AppendJSON(nil, sess.Data())
	if err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, pySpaced(b))
}

// pySpaced turns compact JSON (as Django writes sessions) into the spacing
// of Python's json.dumps defaults, ", " and ": ", which JsonResponse uses:
// the Go apps answer byte for byte as the Django app does.
func pySpaced(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8)
	inString, escaped := false, false
	for _, c := range compact {
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return out
}

// setSession stores the form's value (JSON text) under its key and answers
// the session's data. Keys starting with "_" belong to django.contrib.auth
// (_auth_user_id…): refused, or anyone could log in as anyone.
func (a *app) setSession(r *request) response {
	key := r.form("key")
	switch {
	case key == "":
		return errorResponse(http.StatusBadRequest, "key is required")
	case strings.HasPrefix(key, "_"):
		return errorResponse(http.StatusBadRequest, "keys starting with _ are reserved")
	}
	v, err := djangosession.ParseJSON([]byte(r.form("value")), 64<<10)
	if err != nil {
		return errorResponse(http.StatusBadRequest, "value is not valid JSON")
	}
	v = asPython(v)
	if err := r.state.Session().Set(key, v); err != nil {
		return a.fail(err)
	}
	return a.getSession(r)
}

// asPython gives the numbers of v the form Python's json.loads then
// json.dumps gives them, as the Django app stores what it is sent: 1e3
// becomes 1000.0, -0 becomes 0. (ParseJSON keeps a number's literal text,
// so that what Django wrote is written back unchanged; text from elsewhere
// is not Django's.)
func asPython(v any) any {
	switch x := v.(type) {
	case djangosession.Number:
		if x.IsInt() {
			if n, ok := x.BigInt(); ok {
				return djangosession.Number(n.String())
			}
			return x
		}
		f, err := x.Float64()
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return x
		}
		return djangosession.Number(djangosession.PyFloatRepr(f))
	case *djangosession.Map:
		for _, it := range x.Items() {
			x.Set(it.Key, asPython(it.Value))
		}
	case []any:
		for i := range x {
			x[i] = asPython(x[i])
		}
	}
	return v
}

// password sets the user's password; this session stays logged in
// (update_session_auth_hash), the user's other sessions end.
func (a *app) password(r *request) response {
	u, err := r.state.User(r.ctx)
	if err != nil {
		return a.fail(err)
	}
	if !u.IsAuthenticated() {
		return errorResponse(http.StatusUnauthorized, "not logged in")
	}
	pw := r.form("password")
	if pw == "" {
		return errorResponse(http.StatusBadRequest, "password is required")
	}
	if err := a.auth.SetPassword(r.ctx, u, pw); err != nil {
		return a.fail(err)
	}
	if err := a.auth.UpdateSessionAuthHash(r.ctx, r.state.Session(), u); err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, a.whoamiJSON(u))
}

// perm answers {"has_perm": …} for ?name=app_label.codename.
func (a *app) perm(r *request) response {
	name := r.query("name")
	if name == "" {
		return errorResponse(http.StatusBadRequest, "name is required")
	}
	u, err := r.state.User(r.ctx)
	if err != nil {
		return a.fail(err)
	}
	ok, err := a.auth.HasPerm(r.ctx, u, name)
	if err != nil {
		return a.fail(err)
	}
	return jsonResponse(http.StatusOK, []byte(`{"has_perm": `+strconv.FormatBool(ok)+`}`))
}

// whoamiJSON is the whoami answer, spaced as Django's JsonResponse.
func (a *app) whoamiJSON(u *djangouser.User) []byte {
	if !u.IsAuthenticated() {
		return []byte(`{"authenticated": false}`)
	}
	b := make([]byte, 0, 128)
	b = append(b, `{"authenticated": true, "id": `...)
	// Strings as json.dumps writes them (ensure_ascii), like Django's answer.
	if id, ok := u.ID.(int64); ok {
		b = strconv.AppendInt(b, id, 10)
	} else {
		b, _ = djangosession.AppendJSON(b, fmt.Sprint(u.ID))
	}
	b = append(b, `, "username": `...)
	b, _ = djangosession.AppendJSON(b, a.auth.GetUsername(u))
	b = append(b, `, "is_staff": `...)
	b = strconv.AppendBool(b, u.IsStaff)
	b = append(b, `, "is_superuser": `...)
	b = strconv.AppendBool(b, u.IsSuperuser)
	return append(b, '}')
}

// fail logs a store or context error and answers 503: the database is
// down, which is never shown as an anonymous user.
func (a *app) fail(err error) response {
	a.log.Error("sidebyside: request failed", "app", a.name, "err", err)
	return errorResponse(http.StatusServiceUnavailable, "service unavailable")
}

func jsonResponse(status int, body []byte) response {
	return response{status: status, contentType: "application/json", body: body}
}

func errorResponse(status int, msg string) response {
	b, _ := json.Marshal(msg)
	return jsonResponse(status, []byte(`{"error": `+string(b)+`}`))
}
