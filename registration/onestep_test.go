package registration

import (
	"context"
	"errors"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/passwords"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// TestOneStepLogsIn: the one-step workflow creates an active user and logs
// it in on the session (Django's auth.login), which the session then
// carries; Activate is not a step of it.
func TestOneStepLogsIn(t *testing.T) {
	ctx := context.Background()
	db := djangotest.NewDatabase(t, "sqlite")
	s := goSettings(t, "5.2")
	h := db.Open(t)
	users, _ := sqlstore.NewUsers(h, sqlstore.SQLite, s)
	acc, _ := sqlstore.NewAccounts(h, sqlstore.SQLite, s)
	sessions, _ := sqlstore.New(h, sqlstore.SQLite, s)
	mgr, _ := djangosession.NewManager(s, sessions)
	pw, _ := hashers.New(s)
	auth, err := djangouser.New(s, users, pw)
	if err != nil {
		t.Fatal(err)
	}
	vs, _ := passwords.New(s, passwords.DjangoDefaults())
	var hooked *djangouser.User
	w, err := NewOneStep(Config{Settings: s, Users: StoreUsers{users, acc}, Passwords: pw, Validators: vs,
		Hooks: Hooks{UserRegistered: func(_ context.Context, u *djangouser.User) { hooked = u }}}, auth)
	if err != nil {
		t.Fatal(err)
	}
	sess := mgr.Open(ctx, "")
	u, err := w.Register(ctx, sess, Form{"solo", "solo@example.com", "a fine pass 123", "a fine pass 123"})
	if err != nil || !u.IsActive || hooked == nil {
		t.Fatalf("Register: %+v %v", u, err)
	}
	if err := sess.Save(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := auth.GetUser(ctx, mgr.Open(ctx, sess.Key()))
	if err != nil || got.Username != "solo" {
		t.Errorf("session user %v, %v", got, err)
	}
	if _, err := w.Activate(ctx, "x"); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Activate: %v", err)
	}
	if _, err := w.Register(ctx, nil, Form{"SOLO", "s@example.com", "a fine pass 123", "a fine pass 123"}); !errors.Is(err, ErrInvalidForm) {
		t.Errorf("case-insensitive duplicate on 5.2: %v", err)
	}
}
