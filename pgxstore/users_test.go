package pgxstore_test

import (
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser/usertest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
)

// TestUsersContract runs djangouser's Store contract with the schema
// Django 5.2's migrate made.
func TestUsersContract(t *testing.T) {
	db := djangotest.NewDatabase(t, "postgres")
	st, err := pgxstore.NewUsers(openPool(t, db.DSN), func() *djangobridge.Settings { s := djangobridge.Defaults(); return &s }())
	if err != nil {
		t.Fatal(err)
	}
	usertest.Run(t, st)
}
