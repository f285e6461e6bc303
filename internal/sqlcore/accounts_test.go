package sqlcore_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

var fastHashers = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}

// accountsAPI is what both adapters' Accounts offer.
type accountsAPI interface {
	CreateGroup(ctx context.Context, name string) error
	RenameGroup(ctx context.Context, from, to string) error
	DeleteGroup(ctx context.Context, name string) error
	Groups(ctx context.Context) ([]string, error)
	AddMember(ctx context.Context, group, username string) error
	RemoveMember(ctx context.Context, group, username string) error
	Members(ctx context.Context, group string) ([]string, error)
	AddGroupPermission(ctx context.Context, group, perm string) error
	RemoveGroupPermission(ctx context.Context, group, perm string) error
	GroupPermissions(ctx context.Context, group string) ([]string, error)
	AddUserPermission(ctx context.Context, username, perm string) error
	Usernames(ctx context.Context) ([]string, error)
	UserExists(ctx context.Context, username string) (bool, error)
	SetActive(ctx context.Context, username string, active bool) error
	DeleteUser(ctx context.Context, username string) error
	UsernameTaken(ctx context.Context, username string, iexact bool) (bool, error)
}

var checked = []string{"auth.change_user", "auth.view_group", "auth.delete_user", "auth.view_user", "auth.add_group", "sessions.view_session"}

// TestAccountsAgreeWithDjango: groups, memberships and permissions written
// by Go give the same has_perm answers (and group lists) in Django, and
// those Django's ORM writes give the same answers in Go; renames, removals,
// deactivation and deletion too; on every release, on SQLite, PostgreSQL
// (database/sql and pgx) and MariaDB.
func TestAccountsAgreeWithDjango(t *testing.T) {
	type run struct{ kind, release string }
	var runs []run // every release × every database (and pgx beside database/sql on PostgreSQL)
	for _, release := range djangotest.Releases {
		for _, kind := range []string{"sqlite", "postgres", "pgx", "mysql"} {
			runs = append(runs, run{kind, release})
		}
	}
	for _, r := range runs {
		t.Run(r.kind+"/"+r.release, func(t *testing.T) {
			ctx := context.Background()
			kind := r.kind
			if kind == "pgx" {
				kind = "postgres"
			}
			db := djangotest.NewDatabaseRelease(t, kind, r.release)
			dj := djangotest.Start(t, r.release, djangotest.Config{DatabaseURL: db.URL, UseTZ: true, PasswordHashers: fastHashers})
			s := djangobridge.Defaults()
			s.DjangoVersion = djangobridge.MustParseVersion(r.release)
			s.SecretKey, s.UseTZ, s.TimeZone, s.PasswordHashers = "test-secret-key", true, "UTC", fastHashers
			var acc accountsAPI
			var users djangouser.Store
			if r.kind == "pgx" {
				pool, err := pgxpool.New(ctx, db.DSN)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(pool.Close)
				a, err := pgxstore.NewAccounts(pool, &s)
				if err != nil {
					t.Fatal(err)
				}
				if users, err = pgxstore.NewUsers(pool, &s); err != nil {
					t.Fatal(err)
				}
				acc = a
			} else {
				h := db.Open(t)
				d, _ := sqlstore.ParseDialect(kind)
				a, err := sqlstore.NewAccounts(h, d, &s)
				if err != nil {
					t.Fatal(err)
				}
				if users, err = sqlstore.NewUsers(h, d, &s); err != nil {
					t.Fatal(err)
				}
				acc = a
			}
			pw, _ := hashers.New(&s)
			auth, err := djangouser.New(&s, users, pw)
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{"alice", "bob", "carol"} {
				dj.Do(t, "auth_create_user", map[string]any{"username": u, "password": "pw pw pw 1"}, nil)
			}
			agree := func(step string) {
				t.Helper()
				for _, name := range []string{"alice", "bob", "carol"} {
					var d struct {
						Groups  []string        `json:"groups"`
						HasPerm map[string]bool `json:"has_perm"`
					}
					if err := dj.Call("auth_perms", map[string]any{"username": name, "check": checked}, &d); err != nil {
						var pe *djangotest.Error
						if errors.As(err, &pe) && pe.Type == "DoesNotExist" {
							if ok, _ := acc.UserExists(ctx, name); ok {
								t.Errorf("%s: %s deleted in Django's eyes, exists in Go's", step, name)
							}
							continue
						}
						t.Fatal(err)
					}
					u, err := auth.UserByUsername(ctx, name)
					if err != nil {
						t.Fatalf("%s: %s: %v", step, name, err)
					}
					groups, err := users.GroupNames(ctx, u)
					if err != nil {
						t.Fatal(err)
					}
					slices.Sort(groups)
					if !slices.Equal(groups, d.Groups) && !(len(groups) == 0 && len(d.Groups) == 0) {
						t.Errorf("%s: %s groups: Go %q, Django %q", step, name, groups, d.Groups)
					}
					for _, p := range checked {
						got, err := auth.HasPerm(ctx, u, p)
						if err != nil {
							t.Fatal(err)
						}
						if got != d.HasPerm[p] {
							t.Errorf("%s: %s has_perm(%s): Go %v, Django %v", step, name, p, got, d.HasPerm[p])
						}
					}
				}
			}

			// Go writes, Django reads.
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			must(acc.CreateGroup(ctx, "editors"))
			must(acc.AddGroupPermission(ctx, "editors", "auth.change_user"))
			must(acc.AddGroupPermission(ctx, "editors", "auth.view_group"))
			must(acc.AddGroupPermission(ctx, "editors", "auth.view_group")) // twice: no error, one row
			must(acc.AddMember(ctx, "editors", "alice"))
			must(acc.AddMember(ctx, "editors", "alice"))
			must(acc.AddMember(ctx, "editors", "carol"))
			must(acc.AddUserPermission(ctx, "bob", "auth.delete_user"))
			agree("Go grants")

			// Django writes, Go reads.
			dj.Do(t, "auth_create_group", map[string]any{"name": "viewers", "perms": []string{"auth.view_user", "auth.add_group"}}, nil)
			dj.Do(t, "auth_grant", map[string]any{"username": "bob", "groups": []string{"viewers", "editors"}}, nil)
			agree("Django grants")
			if m, _ := acc.Members(ctx, "viewers"); !slices.Equal(m, []string{"bob"}) {
				t.Errorf("viewers members %q", m)
			}
			if p, _ := acc.GroupPermissions(ctx, "viewers"); !slices.Equal(p, []string{"auth.add_group", "auth.view_user"}) {
				t.Errorf("viewers perms %q", p)
			}

			// Changes.
			must(acc.RemoveMember(ctx, "editors", "carol"))
			must(acc.RemoveGroupPermission(ctx, "viewers", "auth.add_group"))
			must(acc.RenameGroup(ctx, "editors", "writers"))
			agree("Go changes")
			must(acc.DeleteGroup(ctx, "viewers"))
			must(acc.SetActive(ctx, "alice", false))
			agree("Go deletes a group, deactivates alice")
			must(acc.SetActive(ctx, "alice", true))
			must(acc.DeleteUser(ctx, "bob"))
			agree("Go deletes bob")
			if g, _ := acc.Groups(ctx); !slices.Equal(g, []string{"writers"}) {
				t.Errorf("groups %q", g)
			}
			if u, _ := acc.Usernames(ctx); !slices.Equal(u, []string{"alice", "carol"}) {
				t.Errorf("users %q", u)
			}

			// Mistakes.
			for _, c := range []struct {
				err  error
				want error
			}{
				{acc.CreateGroup(ctx, "writers"), djangouser.ErrGroupExists},
				{acc.CreateGroup(ctx, ""), djangouser.ErrInvalidName},
				{acc.RenameGroup(ctx, "nope", "x"), djangouser.ErrGroupNotFound},
				{acc.AddMember(ctx, "nope", "alice"), djangouser.ErrGroupNotFound},
				{acc.AddMember(ctx, "writers", "nobody"), djangouser.ErrUserNotFound},
				{acc.AddGroupPermission(ctx, "writers", "auth.fly"), djangouser.ErrPermissionNotFound},
				{acc.AddGroupPermission(ctx, "writers", "nodot"), djangouser.ErrPermissionNotFound},
				{acc.DeleteUser(ctx, "bob"), djangouser.ErrUserNotFound},
				{acc.SetActive(ctx, "bob", true), djangouser.ErrUserNotFound},
			} {
				if !errors.Is(c.err, c.want) {
					t.Errorf("got %v, want %v", c.err, c.want)
				}
			}
			if ok, err := acc.UsernameTaken(ctx, "ALICE", true); !ok || err != nil {
				t.Errorf("iexact ALICE: %v %v", ok, err)
			}
			if ok, err := acc.UsernameTaken(ctx, "ali_e", true); ok || err != nil {
				t.Errorf("iexact ali_e (a LIKE wildcard): %v %v", ok, err)
			}
			// exact follows the column's collation, as Django's exact lookup:
			// MySQL's default collation ignores case.
			if ok, err := acc.UsernameTaken(ctx, "ALICE", false); ok != (kind == "mysql") || err != nil {
				t.Errorf("exact ALICE: %v %v", ok, err)
			}
		})
	}
}
