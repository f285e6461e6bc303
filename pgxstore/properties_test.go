package pgxstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/djangouser/propertiestest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
)

// TestPropertiesContract runs the Properties contract through pgx's
// native interface, with the schema Django 5.2's migrate made and the
// contract's profile table.
func TestPropertiesContract(t *testing.T) {
	ctx := context.Background()
	pool := openPool(t, djangotest.NewDatabase(t, "postgres").DSN)
	if _, err := pool.Exec(ctx, propertiestest.ProfileDDL("postgres")); err != nil {
		t.Fatal(err)
	}
	s := propertiestest.Settings()
	p, err := pgxstore.NewProperties(pool, &s)
	if err != nil {
		t.Fatal(err)
	}
	users, err := pgxstore.NewUsers(pool, &s)
	if err != nil {
		t.Fatal(err)
	}
	propertiestest.Run(t, p, func(ctx context.Context, username string) error {
		return users.CreateUser(ctx, &djangouser.User{Username: username, Password: "!", IsActive: true,
			DateJoined: time.Now().UTC().Truncate(time.Microsecond)})
	})
}
