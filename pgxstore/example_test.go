package pgxstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/pgxstore"
)

// A Go service on a Django site's PostgreSQL: the session engine and the
// user store share one pgx pool, and a logged-in request costs the two
// queries Django's middleware makes (the session row, the auth_user row).
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL")) // the database settings.py names
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	s := djangobridge.Defaults()
	s.SecretKey = "the SECRET_KEY of settings.py"
	sessions, err := pgxstore.New(pool, &s)
	if err != nil {
		log.Fatal(err)
	}
	if err := sessions.CreateSchema(ctx); err != nil { // a no-op on a migrated database
		log.Fatal(err)
	}
	users, err := pgxstore.NewUsers(pool, &s)
	if err != nil {
		log.Fatal(err)
	}

	// What createsuperuser and a login in Django leave behind...
	ada := &djangouser.User{Username: "ada", IsStaff: true, IsSuperuser: true, IsActive: true, DateJoined: time.Now()}
	if err := users.CreateUser(ctx, ada); err != nil {
		log.Fatal(err)
	}
	key := djangosession.NewKey()
	data := djangosession.NewMap(djangosession.Item{Key: djangosession.KeyAuthUserID, Value: fmt.Sprint(ada.ID)})
	if _, err := sessions.Save(ctx, djangosession.Record{Key: key, Data: data, ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
		log.Fatal(err)
	}

	// ...and a later request carrying that sessionid cookie.
	m, err := sessions.Load(ctx, key)
	if err != nil {
		log.Fatal(err) // djangosession.ErrNotFound: logged out or expired
	}
	v, _ := m.Get(djangosession.KeyAuthUserID)
	id, _ := strconv.ParseInt(v.(string), 10, 64)
	u, err := users.UserByID(ctx, id)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u.Username, u.IsStaff, u.IsSuperuser)
	// Output: ada true true
}
