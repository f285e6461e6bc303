package djangouser_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// A Go service sharing users with a Django site: one database handle for
// sessions and users, Django's hashers, then login and request.user as in
// a Django view.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "djangouser-example")
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db.sqlite3"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	s := djangobridge.Defaults()
	s.SecretKey = "the SECRET_KEY of settings.py"
	s.PasswordHashers = []string{"md5"} // settings.py's list; the default (PBKDF2) in production

	sessionStore, err := sqlstore.New(db, sqlstore.SQLite, &s)
	if err != nil {
		log.Fatal(err)
	}
	if err := sessionStore.CreateSchema(ctx); err != nil { // a no-op on a migrated database
		log.Fatal(err)
	}
	sessions, _ := djangosession.NewManager(&s, sessionStore)
	users, _ := sqlstore.NewUsers(db, sqlstore.SQLite, &s)
	passwords, _ := hashers.New(&s)
	auth, err := djangouser.New(&s, users, passwords)
	if err != nil {
		log.Fatal(err)
	}

	if _, err := auth.CreateUser(ctx, "ada", "ada@example.com", "analytical engine"); err != nil {
		log.Fatal(err)
	}

	// A login view.
	u, err := auth.Authenticate(ctx, map[string]string{"username": "ada", "password": "analytical engine"})
	if err != nil {
		log.Fatal(err)
	}
	sess := sessions.Open(ctx, "")
	if err := auth.Login(ctx, sess, u); err != nil {
		log.Fatal(err)
	}
	if err := sess.Save(ctx); err != nil {
		log.Fatal(err)
	}

	// A later request with the sessionid cookie: request.user.
	user, err := auth.Lazy(sessions.Open(ctx, sess.Key())).Get(ctx)
	if err != nil {
		log.Fatal(err)
	}
	canAdd, _ := auth.HasPerm(ctx, user, "auth.add_user")
	fmt.Println(user.Username, user.IsAuthenticated(), canAdd)
	// Output: ada true false
}

// A custom AUTH_USER_MODEL without PermissionsMixin (class Owner(
// AbstractBaseUser) in models.py): no is_superuser column, no groups or
// user_permissions tables. bridge.Check then does not ask for those tables,
// and ModelBackend's permission lookups fail with ErrNoPermissionsMixin for
// an active user, where Django's raise AttributeError.
func ExampleHasPermissionsMixin() {
	s := djangobridge.Defaults()
	s.UserModel = djangobridge.UserModel{
		Table: "accounts_owner", UsernameField: "email", NoPermissionsMixin: true,
		OmitColumns: []string{"username", "first_name", "last_name", "is_staff", "is_superuser", "date_joined"},
	}
	m, err := djangouser.ModelOf(&s)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(djangouser.HasPermissionsMixin(m))
	d, _ := djangouser.ModelOf(&djangobridge.Settings{DjangoVersion: djangobridge.Django52})
	fmt.Println(djangouser.HasPermissionsMixin(d)) // auth.User
	// Output:
	// false
	// true
}
