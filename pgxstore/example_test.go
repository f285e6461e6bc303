package pgxstore_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/pgxstore"
)

// A Go service reading the sessions of a Django site on PostgreSQL.
func ExampleNew() {
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL") // the database Django's settings.py names
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	s := djangobridge.Defaults()
	s.SecretKey = "the SECRET_KEY of settings.py"
	store, err := pgxstore.New(pool, &s)
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateSchema(ctx); err != nil { // a no-op on a migrated database
		log.Fatal(err)
	}
	sessions, err := djangosession.NewManager(&s, store)
	if err != nil {
		log.Fatal(err)
	}

	// What a login in Django leaves behind...
	login := sessions.Open(ctx, "")
	login.Set(djangosession.KeyAuthUserID, "1042")
	if err := login.Save(ctx); err != nil {
		log.Fatal(err)
	}
	// ...and a later request carrying the sessionid cookie.
	sess := sessions.Open(ctx, login.Key())
	id, _ := sess.GetString(djangosession.KeyAuthUserID)
	fmt.Println("logged in as", id)
	// Output: logged in as 1042
}
