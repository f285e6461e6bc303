package bridge_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/bridge/anydb"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/middleware"
	"github.com/djangobridge/djangobridge/middleware/echomw"
	"github.com/djangobridge/djangobridge/middleware/fibermw"
)

// A database real Django migrated, on each release and database kind:
// Check finds nothing to say, and a cookie from a real Django login is
// seen as that user by a Bridge under net/http, echo and fiber.
func TestDjangoMigratedDatabaseAndLogin(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				djangotest.DjangoDir(t)
				db := djangotest.NewEmptyDatabase(t, kind)
				d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "interop-key", DatabaseURL: db.URL, UseTZ: true})
				d.Do(t, "migrate", map[string]any{}, nil)
				d.Do(t, "auth_create_user", map[string]any{"username": "alice", "password": "pw"}, nil)
				var login struct{ Key string }
				d.Do(t, "auth_login", map[string]any{"username": "alice", "password": "pw"}, &login)

				s := settings("interop-key")
				s.DjangoVersion = djangobridge.MustParseVersion(rel)
				ctx := context.Background()
				b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: db.URL, Settings: s})
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				if err := b.Check(ctx); err != nil {
					t.Fatalf("Check of a database Django %s migrated, with a live Django session: %v", rel, err)
				}
				wrong := settings("not-the-interop-key")
				wrong.DjangoVersion = s.DjangoVersion
				b2, err := anydb.Open(ctx, bridge.Config{DatabaseURL: db.URL, Settings: wrong})
				if err != nil {
					t.Fatal(err)
				}
				defer b2.Close()
				wantErr(t, b2.Check(ctx), bridge.ErrKeyMismatch, "verifies none of the 1 newest sessions")

				for name, h := range frameworks(b) {
					req := httptest.NewRequest("GET", "/whoami", nil)
					req.AddCookie(&http.Cookie{Name: "sessionid", Value: login.Key})
					if code, body := h(req); code != 200 || body != "alice" {
						t.Errorf("%s: %d %q", name, code, body)
					}
				}
			})
		}
	}
}

// frameworks serves /whoami through the Bridge's middleware on each framework.
func frameworks(b *bridge.Bridge) map[string]func(*http.Request) (int, string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		u, err := middleware.User(r)
		if err != nil {
			middleware.Fail(w, r, err)
			return
		}
		fmt.Fprint(w, u.Username)
	})
	nh := b.Handler(mux)
	e := echo.New()
	e.Use(echomw.New(b.Middleware))
	e.GET("/whoami", func(c echo.Context) error {
		u, err := echomw.User(c)
		if err != nil {
			return err
		}
		return c.String(200, u.Username)
	})
	f := fiber.New()
	f.Use(fibermw.New(b.Middleware, fibermw.Config{}))
	f.Get("/whoami", func(c *fiber.Ctx) error {
		u, err := fibermw.User(c)
		if err != nil {
			return err
		}
		return c.SendString(u.Username)
	})
	rec := func(h http.Handler) func(*http.Request) (int, string) {
		return func(r *http.Request) (int, string) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			return w.Code, w.Body.String()
		}
	}
	return map[string]func(*http.Request) (int, string){
		"net/http": rec(nh),
		"echo":     rec(e),
		"fiber": func(r *http.Request) (int, string) {
			res, err := f.Test(r, -1)
			if err != nil {
				return 0, err.Error()
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(body)
		},
	}
}

// Check on a database whose AUTH_USER_MODEL has no PermissionsMixin
// (internal/djangotest/ops/_authapp's Owner, tables by Django's migrate):
// Django makes no groups or user_permissions tables for it, and Check does
// not ask for them once UserModel.NoPermissionsMixin says so. Without it,
// Check names the tables it looked for.
func TestCheckCustomUserWithoutPermissionsMixin(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				djangotest.DjangoDir(t)
				db := djangotest.NewEmptyDatabase(t, kind)
				d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "interop-key", DatabaseURL: db.URL, UseTZ: true,
					Extra: map[string]any{
						"INSTALLED_APPS":  []string{"django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "ops._authapp"},
						"AUTH_USER_MODEL": "authapp.Owner",
					}})
				d.Do(t, "auth_custom_migrate", nil, nil)
				ctx := context.Background()
				check := func(noMixin bool) error {
					s := settings("interop-key")
					s.DjangoVersion = djangobridge.MustParseVersion(rel)
					s.UserModel = djangobridge.UserModel{Table: "accounts_owner", UsernameField: "email", NoPermissionsMixin: noMixin,
						OmitColumns: []string{"username", "first_name", "last_name", "is_staff", "date_joined"}}
					if noMixin {
						// The model has no is_superuser column either.
						s.UserModel.OmitColumns = append(s.UserModel.OmitColumns, "is_superuser")
					}
					b, err := anydb.Open(ctx, bridge.Config{DatabaseURL: db.URL, Settings: s})
					if err != nil {
						t.Fatal(err)
					}
					defer b.Close()
					return b.Check(ctx)
				}
				if err := check(true); err != nil {
					t.Fatalf("Check of Django's tables for a user model without PermissionsMixin: %v", err)
				}
				wantErr(t, check(false), bridge.ErrSchema, "accounts_owner_groups", "accounts_owner_user_permissions")
			})
		}
	}
}
