// Package usertest checks that a djangouser.Store keeps the contract
// djangouser relies on. Store implementations (sqlstore, pgxstore) run
// [Run] in their tests against a fresh database with Django's schema.
package usertest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/djangouser"
)

// Run checks st, a Store of Django's default auth_user on a database with
// the tables (and permission rows) Django's migrate creates and no users.
func Run(t *testing.T, st djangouser.Store) {
	ctx := context.Background()
	joined := time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)
	last := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	a := &djangouser.User{Password: "md5$salt$x", Username: "ünïcode-ä", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@example.com", IsStaff: true, IsActive: true, IsSuperuser: false, DateJoined: joined}
	if err := st.CreateUser(ctx, a); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	id, ok := a.ID.(int64)
	if !ok || id <= 0 {
		t.Fatalf("CreateUser set ID %v (%T), want a positive int64", a.ID, a.ID)
	}
	b := &djangouser.User{Password: "p", Username: "bob", IsActive: false, DateJoined: joined, LastLogin: &last}
	if err := st.CreateUser(ctx, b); err != nil || b.ID == a.ID {
		t.Fatalf("second CreateUser: %v (id %v)", err, b.ID)
	}

	t.Run("round trip", func(t *testing.T) {
		for _, get := range []func() (*djangouser.User, error){
			func() (*djangouser.User, error) { return st.UserByID(ctx, a.ID) },
			func() (*djangouser.User, error) { return st.UserByUsername(ctx, a.Username) },
		} {
			got, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != a.ID || got.Password != a.Password || got.Username != a.Username || got.FirstName != "Ada" ||
				got.LastName != "Lovelace" || got.Email != a.Email || !got.IsStaff || !got.IsActive || got.IsSuperuser ||
				got.LastLogin != nil || !got.DateJoined.Equal(joined) {
				t.Errorf("read back %+v", got)
			}
		}
		got, err := st.UserByUsername(ctx, "bob")
		if err != nil || got.IsActive || got.LastLogin == nil || !got.LastLogin.Equal(last) {
			t.Errorf("bob read back %+v, %v", got, err)
		}
	})

	t.Run("not found", func(t *testing.T) {
		for name, err := range map[string]error{
			"by id":          second(st.UserByID(ctx, int64(1<<40))),
			"by username":    second(st.UserByUsername(ctx, "nobody")),
			"id of bad type": second(st.UserByID(ctx, "x")),
		} {
			if !errors.Is(err, djangouser.ErrUserNotFound) {
				t.Errorf("%s: %v, want ErrUserNotFound", name, err)
			}
		}
	})

	t.Run("save named columns only", func(t *testing.T) {
		u, _ := st.UserByID(ctx, a.ID)
		u.FirstName = "Augusta"
		u.Email = "not-saved@example.com"
		now := time.Now().UTC().Truncate(time.Microsecond)
		u.LastLogin = &now
		if err := st.SaveUser(ctx, u, djangouser.ColFirstName, djangouser.ColLastLogin); err != nil {
			t.Fatal(err)
		}
		got, _ := st.UserByID(ctx, a.ID)
		if got.FirstName != "Augusta" || got.Email != a.Email || got.LastLogin == nil || !got.LastLogin.Equal(now) {
			t.Errorf("after SaveUser(first_name, last_login): %+v", got)
		}
		// Saving identical values still succeeds (MySQL counts no changed row).
		if err := st.SaveUser(ctx, got, djangouser.ColFirstName); err != nil {
			t.Errorf("SaveUser of unchanged values: %v", err)
		}
		got.Email = "saved@example.com"
		got.IsSuperuser = true
		if err := st.SaveUser(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := st.UserByID(ctx, a.ID)
		if again.Email != "saved@example.com" || !again.IsSuperuser {
			t.Errorf("after SaveUser(all): %+v", again)
		}
		if err := st.SaveUser(ctx, again, "no_such_column"); err == nil {
			t.Error("SaveUser of an unknown column succeeded")
		}
	})

	t.Run("typed errors", func(t *testing.T) {
		dup := &djangouser.User{Password: "p", Username: "bob", IsActive: true, DateJoined: joined}
		if err := st.CreateUser(ctx, dup); !errors.Is(err, djangouser.ErrUserExists) {
			t.Errorf("CreateUser of a taken username: %v, want ErrUserExists", err)
		}
		u, _ := st.UserByID(ctx, a.ID)
		u.Username = "bob"
		if err := st.SaveUser(ctx, u, djangouser.ColUsername); !errors.Is(err, djangouser.ErrUserExists) {
			t.Errorf("SaveUser to a taken username: %v, want ErrUserExists", err)
		}
		gone := &djangouser.User{ID: int64(1 << 40), Username: "gone", DateJoined: joined}
		if err := st.SaveUser(ctx, gone, djangouser.ColFirstName); !errors.Is(err, djangouser.ErrUserNotFound) {
			t.Errorf("SaveUser of a vanished row: %v, want ErrUserNotFound", err)
		}
	})

	t.Run("permissions and groups", func(t *testing.T) {
		all, err := st.Permissions(ctx, a, djangouser.PermsAll)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(all, "auth.add_user") || !slices.Contains(all, "contenttypes.view_contenttype") {
			t.Errorf("PermsAll = %v", all)
		}
		for _, src := range []djangouser.PermSource{djangouser.PermsUser, djangouser.PermsGroups, djangouser.PermsUserAndGroups} {
			if p, err := st.Permissions(ctx, a, src); err != nil || len(p) != 0 {
				t.Errorf("Permissions(%d) of a new user = %v, %v", src, p, err)
			}
		}
		if g, err := st.GroupNames(ctx, a); err != nil || len(g) != 0 {
			t.Errorf("GroupNames = %v, %v", g, err)
		}
	})

	t.Run("cancelled context", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := st.UserByID(cctx, a.ID); err == nil || errors.Is(err, djangouser.ErrUserNotFound) {
			t.Errorf("UserByID with a cancelled context: %v, want the context's error", err)
		}
	})
}

func second[T any](_ T, err error) error { return err }
