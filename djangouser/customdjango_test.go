package djangouser_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// memberModel is the Go description of internal/djangotest/ops/_authapp's
// Member: AbstractBaseUser + PermissionsMixin, USERNAME_FIELD email, UUID
// key, extra columns nickname and credits.
func memberModel(s *djangobridge.Settings) {
	s.UserModel = djangobridge.UserModel{
		Table: "accounts_member", UsernameField: "email", PKColumn: "id", PKType: "uuid",
		ExtraColumns: []string{"nickname", "credits"},
		OmitColumns:  []string{"username", "first_name", "last_name", "is_staff"},
		M2MColumn:    "member_id",
	}
}

// TestDjangoCustomUserModel: a Django project with AUTH_USER_MODEL set to
// a custom model (e-mail login, UUID key, extra columns), its tables made
// by Django's own migrate, shared with Go on each database and release.
func TestDjangoCustomUserModel(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, rel := range djangotest.Releases {
			t.Run(kind+"/"+rel, func(t *testing.T) {
				t.Parallel()
				djangotest.DjangoDir(t)
				db := djangotest.NewEmptyDatabase(t, kind)
				cfg := djangoConfig(db)
				cfg.Extra = map[string]any{
					"INSTALLED_APPS":  []string{"django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "ops._authapp"},
					"AUTH_USER_MODEL": "authapp.Member",
				}
				dj := djangotest.Start(t, rel, cfg)
				dj.Do(t, "auth_custom_migrate", nil, nil)
				e := newEnvOn(t, db, rel, memberModel)
				ctx := context.Background()

				// Django registers and logs in; Go sees the member.
				id := djCreateUser(t, dj, "Mia@Example.ORG", "pw", map[string]any{"fields": map[string]any{"nickname": "mia", "credits": 3}})
				key := djLogin(t, dj, "Mia@example.org", map[string]any{"password": "pw"})
				u, _ := e.whoami(t, key)
				if u.PK() != id || e.auth.GetUsername(u) != "Mia@example.org" || u.Extra["nickname"] != "mia" || asInt(u.Extra["credits"]) != 3 {
					t.Fatalf("Go GetUser = %q %q %v, want Django's member %s", u.PK(), e.auth.GetUsername(u), u.Extra, id)
				}

				// Go registers and logs in; Django sees the member.
				leo := &djangouser.User{ID: "0f0e0d0c-0b0a-4908-8706-050403020100", Email: "leo@example.org", IsActive: true,
					DateJoined: time.Now().UTC().Truncate(time.Microsecond)}
				leo.SetField("nickname", "leo")
				leo.SetField("credits", int64(0))
				var err error
				if leo.Password, err = e.auth.MakePassword(ctx, "pw2"); err != nil {
					t.Fatal(err)
				}
				if err := e.users.CreateUser(ctx, leo); err != nil {
					t.Fatal(err)
				}
				gk := e.login(t, "leo@example.org", "pw2")
				w := djWhoami(t, dj, gk)
				if !w.User.Authenticated || w.User.ID != leo.PK() || w.User.Username != "leo@example.org" {
					t.Fatalf("Django get_user = %+v, want leo (%s)", w.User, leo.PK())
				}
				var row map[string]any
				dj.Do(t, "auth_user_row", map[string]any{"username": "leo@example.org"}, &row)
				if row["nickname"] != "leo" || row["last_login"] == nil {
					t.Errorf("Django reads Go's row as %v", row)
				}

				// Permissions through the member's many-to-many tables.
				dj.Do(t, "auth_create_group", map[string]any{"name": "editors", "perms": []string{"auth.change_group"}}, nil)
				dj.Do(t, "auth_grant", map[string]any{"username": "leo@example.org", "groups": []string{"editors"}, "perms": []string{"auth.view_permission"}}, nil)
				var want struct {
					All    []string `json:"all"`
					Groups []string `json:"groups"`
				}
				dj.Do(t, "auth_perms", map[string]any{"username": "leo@example.org"}, &want)
				leoBack, err := e.users.UserByUsername(ctx, "leo@example.org")
				if err != nil {
					t.Fatal(err)
				}
				all, _ := e.auth.AllPermissions(ctx, leoBack)
				groups, _ := e.auth.Groups(ctx, leoBack)
				if !reflect.DeepEqual(all, want.All) || !reflect.DeepEqual(groups, want.Groups) || len(all) != 2 {
					t.Errorf("Go perms %v groups %v; Django %v %v", all, groups, want.All, want.Groups)
				}

				// A password changed in Django ends Go's session of the member.
				dj.Do(t, "auth_set_password", map[string]any{"username": "leo@example.org", "password": "pw3"}, nil)
				if u, k := e.whoami(t, gk); !u.IsAnonymous() || k != "" {
					t.Errorf("after Django's set_password: %v (key %q)", u, k)
				}
				if _, err := e.auth.Authenticate(ctx, map[string]string{"email": "leo@example.org", "password": "pw3"}); err != nil {
					t.Errorf("Authenticate by email with Django's new password: %v", err)
				}
			})
		}
	}
}
