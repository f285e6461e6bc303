package djangouser_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// ownerModel is the Go description of internal/djangotest/ops/_authapp's
// Owner: AbstractBaseUser without PermissionsMixin, USERNAME_FIELD email.
func ownerModel(s *djangobridge.Settings) {
	s.UserModel = djangobridge.UserModel{
		Table: "accounts_owner", UsernameField: "email", NoPermissionsMixin: true,
		OmitColumns: []string{"username", "first_name", "last_name", "is_staff", "is_superuser", "date_joined"},
	}
}

// backendAnswer is one answer of the auth_backend_perms op: a value or
// {"error": exception class}.
type backendAnswer struct {
	Value json.RawMessage
	Error string
}

func (a *backendAnswer) UnmarshalJSON(b []byte) error {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && e.Error != "" {
		a.Error = e.Error
		return nil
	}
	a.Value = append(json.RawMessage(nil), b...)
	return nil
}

// TestDjangoCustomUserWithoutPermissionsMixin: AUTH_USER_MODEL an
// AbstractBaseUser without PermissionsMixin, tables by Django's own
// migrate. Go logs the owner in both ways, and its permission lookups
// answer as Django's ModelBackend does for such a user: an active one has
// no is_superuser and no user_permissions, and ModelBackend raises
// AttributeError (Go: ErrNoPermissionsMixin); an inactive one has none.
func TestDjangoCustomUserWithoutPermissionsMixin(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				t.Parallel()
				djangotest.DjangoDir(t)
				db := djangotest.NewEmptyDatabase(t, kind)
				cfg := djangoConfig(db)
				cfg.Extra = map[string]any{
					"INSTALLED_APPS":  []string{"django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "ops._authapp"},
					"AUTH_USER_MODEL": "authapp.Owner",
				}
				dj := djangotest.Start(t, rel, cfg)
				dj.Do(t, "auth_custom_migrate", nil, nil)
				e := newEnvOn(t, db, rel, ownerModel)
				ctx := context.Background()

				id := djCreateUser(t, dj, "ann@example.org", "pw", nil)
				key := djLogin(t, dj, "ann@example.org", map[string]any{"password": "pw"})
				u, _ := e.whoami(t, key)
				if u.PK() != id || e.auth.GetUsername(u) != "ann@example.org" {
					t.Fatalf("Go GetUser = %q %q, want Django's owner %s", u.PK(), e.auth.GetUsername(u), id)
				}
				djCreateUser(t, dj, "off@example.org", "pw", map[string]any{"is_active": false})

				for _, name := range []string{"ann@example.org", "off@example.org"} {
					var want struct {
						All         backendAnswer            `json:"all"`
						HasPerm     map[string]backendAnswer `json:"has_perm"`
						HasModule   map[string]backendAnswer `json:"has_module_perms"`
						UserHasPerm bool                     `json:"user_has_perm"`
					}
					dj.Do(t, "auth_backend_perms", map[string]any{"username": name,
						"check": []string{"auth.view_group"}, "apps": []string{"auth"}}, &want)
					gu, err := e.users.UserByUsername(ctx, name)
					if err != nil {
						t.Fatal(err)
					}
					t.Logf("%s: Django all=%s/%s has_perm=%v module=%v user.has_perm exists=%v", name, want.All.Value, want.All.Error,
						want.HasPerm, want.HasModule, want.UserHasPerm)
					all, err := e.auth.AllPermissions(ctx, gu)
					check(t, name+" AllPermissions", all, err, want.All)
					ok, err := e.auth.HasPerm(ctx, gu, "auth.view_group")
					check(t, name+" HasPerm", ok, err, want.HasPerm["auth.view_group"])
					ok, err = e.auth.HasModulePerms(ctx, gu, "auth")
					check(t, name+" HasModulePerms", ok, err, want.HasModule["auth"])
				}

				// Group and user management: the owner has no groups or
				// user_permissions (Django: AttributeError); deleting a group
				// or the owner works without those tables, as Django's
				// delete() does.
				acc, err := sqlstore.NewAccounts(e.h, dialect(t, kind), &e.s)
				if err != nil {
					t.Fatal(err)
				}
				dj.Do(t, "auth_create_group", map[string]any{"name": "editors", "perms": []string{"auth.change_group"}}, nil)
				for what, err := range map[string]error{
					"AddMember":            acc.AddMember(ctx, "editors", "ann@example.org"),
					"RemoveMember":         acc.RemoveMember(ctx, "editors", "ann@example.org"),
					"AddUserPermission":    acc.AddUserPermission(ctx, "ann@example.org", "auth.view_group"),
					"RemoveUserPermission": acc.RemoveUserPermission(ctx, "ann@example.org", "auth.view_group"),
				} {
					if !errors.Is(err, djangouser.ErrNoPermissionsMixin) {
						t.Errorf("%s: %v, want ErrNoPermissionsMixin", what, err)
					}
				}
				if _, err := acc.Members(ctx, "editors"); !errors.Is(err, djangouser.ErrNoPermissionsMixin) {
					t.Errorf("Members: %v, want ErrNoPermissionsMixin", err)
				}
				if err := acc.DeleteGroup(ctx, "editors"); err != nil {
					t.Errorf("DeleteGroup: %v", err)
				}
				if err := acc.DeleteUser(ctx, "off@example.org"); err != nil {
					t.Errorf("DeleteUser: %v", err)
				}
				if _, err := e.users.UserByUsername(ctx, "off@example.org"); !errors.Is(err, djangouser.ErrUserNotFound) {
					t.Errorf("after DeleteUser: %v", err)
				}
			})
		}
	}
}

// check compares a Go answer with Django's: Django's AttributeError is
// ErrNoPermissionsMixin; a value is compared as JSON.
func check(t *testing.T, what string, got any, err error, want backendAnswer) {
	t.Helper()
	if want.Error != "" {
		if want.Error != "AttributeError" || !errors.Is(err, djangouser.ErrNoPermissionsMixin) {
			t.Errorf("%s: Go %v, %v; Django raises %s", what, got, err, want.Error)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: Go error %v; Django %s", what, err, want.Value)
		return
	}
	var w any
	_ = json.Unmarshal(want.Value, &w)
	g, _ := json.Marshal(got)
	var gv any
	_ = json.Unmarshal(g, &gv)
	if gs, ok := gv.([]any); ok && len(gs) == 0 {
		gv = []any{}
	}
	if !reflect.DeepEqual(gv, w) {
		t.Errorf("%s: Go %s; Django %s", what, g, want.Value)
	}
}
