// Command register is a net/http sign-up page that the Django site agrees
// with: django-registration's one-step workflow (the user is created in
// auth_user, with the password hashed as Django hashes it, and logged in)
// and a flash message ("Welcome, alice.") that the next page shows, Go's or
// Django's.
//
//	DATABASE_URL=postgres://postgres@127.0.0.1:5432/site SECRET_KEY=... DJANGO_VERSION=4.2 \
//	  SESSION_ENGINE=cache CACHE_URL=redis://127.0.0.1:6379/1 go run ./examples/register
//
// then open http://127.0.0.1:8080/accounts/register/. Any database works
// (bridge/anydb picks the driver from DATABASE_URL; a service imports only
// its own: bridge/postgres, bridge/sqlite or bridge/mysql); CACHE_URL and
// CACHE_KEY_PREFIX are needed only with SESSION_ENGINE=cache or cached_db.
package main

import (
	"cmp"
	"context"
	"errors"
	"html/template"
	"log"
	"net/http"
	"os"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/messages"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/registration"
	"github.com/djangobridge/djangobridge/sqlstore"
)

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) error {
	s, err := djangobridge.SettingsFromEnv(os.Getenv)
	if err != nil {
		return err
	}
	// MessageMiddleware with Django's default MESSAGE_STORAGE (the cookie,
	// then the session).
	flash, err := messages.New(&s, messages.Options{})
	if err != nil {
		return err
	}
	b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: os.Getenv("DATABASE_URL"), Settings: &s,
		Middleware: middleware.Options{Messages: flash}})
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.Check(ctx); err != nil {
		return err
	}

	// Registration needs the user table's queries on the same database:
	// b.DB() is the bridge's database/sql handle (for PostgreSQL, over the
	// same pgx pool).
	db, dialect := b.DB()
	accounts, err := sqlstore.NewAccounts(db, dialect, b.Settings)
	if err != nil {
		return err
	}
	signup, err := registration.NewOneStep(registration.Config{
		Settings:    b.Settings,
		Users:       registration.StoreUsers{Store: b.Auth.Store(), Accounts: accounts},
		Passwords:   b.Hashers,
		SuccessURLs: map[string]string{"register": "/"},
	}, b.Auth)
	if err != nil {
		return err
	}
	// {{ message.tags }} is flash.Tags: MESSAGE_TAGS is a setting.
	page := template.Must(template.New("page").Funcs(template.FuncMap{"tags": flash.Tags}).Parse(pageHTML))

	// render shows the page: the pending messages (shown once, then gone,
	// as iterating get_messages in a Django template), who is logged in,
	// and the form with its CSRF token.
	render := func(w http.ResponseWriter, r *http.Request, status int, form registration.Form, errs registration.FormErrors) {
		user, err := middleware.User(r)
		if err != nil {
			middleware.Fail(w, r, err) // 503: the database went away
			return
		}
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		token, err := middleware.CSRFToken(r) // {% csrf_token %}
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		// Read the messages before the first WriteHeader or Write: the
		// "messages" cookie that says they were shown goes out with the
		// header, so messages read later would show again on the next page.
		data := map[string]any{
			"Messages": m.Messages(), "User": b.Auth.GetUsername(user), "CSRFToken": token,
			"Form": form, "Errors": errs,
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_ = page.Execute(w, data)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, http.StatusOK, registration.Form{}, nil)
	})
	mux.HandleFunc("GET /accounts/register/", func(w http.ResponseWriter, r *http.Request) {
		render(w, r, http.StatusOK, registration.Form{}, nil)
	})
	// The CSRF check ran before this handler: a POST without the
	// csrfmiddlewaretoken field (or the X-CSRFToken header) is a 403.
	mux.HandleFunc("POST /accounts/register/", func(w http.ResponseWriter, r *http.Request) {
		form := registration.Form{Username: r.PostFormValue("username"), Email: r.PostFormValue("email"),
			Password1: r.PostFormValue("password1"), Password2: r.PostFormValue("password2")}
		_, err := signup.Register(r.Context(), middleware.Session(r), form)
		var errs registration.FormErrors
		switch {
		case errors.As(err, &errs): // RegistrationForm's messages, per field
			form.Password1, form.Password2 = "", ""
			render(w, r, http.StatusOK, form, errs)
			return
		case errors.Is(err, registration.ErrClosed):
			http.Error(w, "Registration is closed.", http.StatusForbidden)
			return
		case err != nil:
			middleware.Fail(w, r, err)
			return
		}
		m, err := middleware.Messages(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		m.Success("Welcome, " + form.Username + ".")
		http.Redirect(w, r, signup.SuccessURL("register"), http.StatusFound)
	})

	addr := cmp.Or(os.Getenv("ADDR"), "127.0.0.1:8080")
	log.Printf("listening on http://%s/accounts/register/", addr)
	return http.ListenAndServe(addr, b.Handler(mux))
}

const pageHTML = `<!doctype html>
<title>Register</title>
{{range .Messages}}<p class="{{tags .}}">{{.Message}}</p>
{{end}}{{with .User}}<p>Logged in as {{.}}.</p>
{{end}}<form method="post" action="/accounts/register/">
<input type="hidden" name="csrfmiddlewaretoken" value="{{.CSRFToken}}">
{{range $field, $msgs := .Errors}}{{range $msgs}}<p class="error">{{$field}}: {{.}}</p>
{{end}}{{end}}<input name="username" value="{{.Form.Username}}" placeholder="username">
<input name="email" value="{{.Form.Email}}" placeholder="email">
<input name="password1" type="password" placeholder="password">
<input name="password2" type="password" placeholder="password (again)">
<button>Register</button>
</form>
`
