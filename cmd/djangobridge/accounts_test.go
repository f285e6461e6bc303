package main

import (
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestAccountCommandsWithDjango: the user, group, registration and
// password commands on a SQLite database shared with real Django 5.2:
// Django sees the groups and permissions the CLI set, activates with the
// CLI's key, and accepts its reset link; the CLI activates with Django's
// key.
func TestAccountCommandsWithDjango(t *testing.T) {
	db := djangotest.NewDatabaseRelease(t, "sqlite", "5.2")
	dj := djangotest.Start(t, "5.2", djangotest.Config{DatabaseURL: db.URL, UseTZ: true,
		PasswordHashers: []string{"django.contrib.auth.hashers.MD5PasswordHasher"}, Extra: map[string]any{"ACCOUNT_ACTIVATION_DAYS": 7}})
	env := map[string]string{"SECRET_KEY": "test-secret-key", "DATABASE_URL": db.URL, "DJANGO_VERSION": "5.2", "USE_TZ": "true", "TIME_ZONE": "UTC"}
	dj.Do(t, "auth_create_user", map[string]any{"username": "ann", "email": "ann@example.com", "password": "pw pw pw 1"}, nil)
	dj.Do(t, "auth_create_user", map[string]any{"username": "ben", "password": "pw pw pw 1", "is_active": false}, nil)
	ok := func(want string, args ...string) string {
		t.Helper()
		r := runCLI(t, env, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("%v: %+v", args, r)
		}
		return r.stdout
	}
	ok("ann\nben\n", "user", "list")
	ok(`"is_active":false`, "user", "show", "ben")
	ok("created group", "group", "create", "staff")
	ok("gave", "group", "perm", "staff", "auth.change_user")
	ok("added", "group", "add", "staff", "ann")
	ok("auth.change_user\n", "group", "perm", "staff")
	ok("ann\n", "group", "members", "staff")
	var p struct {
		HasPerm map[string]bool `json:"has_perm"`
		Groups  []string        `json:"groups"`
	}
	dj.Do(t, "auth_perms", map[string]any{"username": "ann", "check": []string{"auth.change_user"}}, &p)
	if !p.HasPerm["auth.change_user"] || len(p.Groups) != 1 {
		t.Errorf("Django: %+v", p)
	}
	if r := runCLI(t, env, "", "group", "create", "staff"); r.code != exitRefused {
		t.Errorf("duplicate group: %+v", r)
	}
	if r := runCLI(t, env, "", "group", "add", "nope", "ann"); r.code != exitRefused {
		t.Errorf("unknown group: %+v", r)
	}

	// The CLI's key activates in Django.
	key := strings.TrimSpace(ok("", "registration", "activation-key", "ben"))
	var a struct {
		IsActive bool `json:"is_active"`
	}
	dj.Do(t, "reg_activate", map[string]any{"key": key}, &a)
	if !a.IsActive {
		t.Error("Django did not activate with the CLI's key")
	}
	if r := runCLI(t, env, "", "registration", "activate", key); r.code != exitRefused ||
		!strings.Contains(r.stderr, "The account you tried to activate has already been activated.") {
		t.Errorf("replay: %+v", r)
	}
	if r := runCLI(t, env, "", "registration", "activate", key+"x"); r.code != exitRefused ||
		!strings.Contains(r.stderr, "The activation key you provided is invalid.") {
		t.Errorf("tampered: %+v", r)
	}
	// Django's key activates through the CLI.
	ok("deactivated", "user", "deactivate", "ben")
	var dk string
	dj.Do(t, "reg_make_key", map[string]any{"username": "ben"}, &dk)
	ok(`activated "ben"`, "registration", "activate", dk)

	// The CLI's reset link works in Django's view.
	out := ok("ann ", "password", "reset-link", "ANN@example.com")
	f := strings.Fields(out)
	var r struct {
		LinkValid bool `json:"link_valid"`
	}
	dj.Do(t, "reset_confirm_view", map[string]any{"uidb64": f[1], "token": f[2], "new_password1": "new pass 1 2 3", "new_password2": "new pass 1 2 3"}, &r)
	if !r.LinkValid {
		t.Errorf("Django refused the CLI's link %v", f)
	}
	ok("renamed", "group", "rename", "staff", "crew")
	ok("took", "group", "unperm", "crew", "auth.change_user")
	ok("removed", "group", "remove", "crew", "ann")
	ok("deleted group", "group", "delete", "crew")
	ok("deleted", "user", "delete", "ben")
	ok("ann\n", "user", "list")
	if r := runCLI(t, env, "", "password", "reset-link", "nobody@example.com"); r.code != exitRefused {
		t.Errorf("unknown: %+v", r)
	}
}
