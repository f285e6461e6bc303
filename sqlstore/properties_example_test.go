package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "modernc.org/sqlite"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// A user's fields by name, in auth_user and in a one-to-one profile table
// of the project's accounts app:
//
//	class Profile(models.Model):
//	    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
//	    bio = models.TextField(blank=True)
//	    newsletter = models.BooleanField(default=False)
//	    karma = models.IntegerField(null=True)
func ExampleNewProperties() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "djangobridge-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db.sqlite3")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	s := djangobridge.Defaults()
	s.SecretKey = "the SECRET_KEY of settings.py"
	s.UserModel.Profile = djangobridge.ProfileModel{
		Table: "accounts_profile",
		Fields: []djangobridge.Field{
			{Name: "bio", Type: "TextField"},
			{Name: "newsletter", Type: "BooleanField", Default: false},
			{Name: "karma", Type: "IntegerField", Null: true},
		},
	}
	// Django's migrate made these tables; here, CreateSchema and the profile's DDL.
	store, err := sqlstore.New(db, sqlstore.SQLite, &s)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateSchema(ctx); err != nil {
		log.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE "accounts_profile" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
		"bio" text NOT NULL, "newsletter" bool NOT NULL, "karma" integer NULL,
		"user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id"))`); err != nil {
		log.Fatal(err)
	}
	users, err := sqlstore.NewUsers(db, sqlstore.SQLite, &s)
	if err != nil {
		log.Fatal(err)
	}
	if err := users.CreateUser(ctx, &djangouser.User{Username: "ada", Password: "!", IsActive: true, DateJoined: time.Now()}); err != nil {
		log.Fatal(err)
	}

	props, err := sqlstore.NewProperties(db, sqlstore.SQLite, &s)
	if err != nil {
		log.Fatal(err)
	}
	// user.first_name = "Ada"; user.save()
	if err := props.Set(ctx, "ada", "first_name", "Ada"); err != nil {
		log.Fatal(err)
	}
	// Profile.objects.create(user=user, bio="Analyst"): the row is created.
	if err := props.Set(ctx, "ada", "bio", "Analyst"); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"first_name", "is_staff", "bio", "newsletter", "karma"} {
		v, err := props.Get(ctx, "ada", name)
		fmt.Printf("%s = %#v %v\n", name, v, err)
	}
	_, err = props.Get(ctx, "ada", "password")
	fmt.Println(errors.Is(err, djangouser.ErrProtectedProperty))
	err = props.Set(ctx, "ada", "karma", "lots")
	fmt.Println(err)
	// Output:
	// first_name = "Ada" <nil>
	// is_staff = false <nil>
	// bio = "Analyst" <nil>
	// newsletter = false <nil>
	// karma = <nil> <nil>
	// true
	// djangouser: bad property value: "karma": IntegerField takes an int64 (or another Go integer), not string
}
