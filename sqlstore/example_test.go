package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // the driver is the application's choice

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// A Go service sharing sessions with a Django site through database/sql,
// here on a new SQLite database given Django's tables by CreateSchema.
func ExampleNew() {
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
	store, err := sqlstore.New(db, sqlstore.SQLite, &s)
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

	// manage.py clearsessions
	n, err := sessions.ClearExpired(ctx)
	fmt.Println("expired sessions removed:", n, err)
	// Output:
	// logged in as 1042
	// expired sessions removed: 0 <nil>
}
