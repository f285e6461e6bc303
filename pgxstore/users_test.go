package pgxstore_test

import (
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser/usertest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/internal/storetest"
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

// TestContractsOnEveryRelease runs both contract suites, unchanged, on
// the tables each Django release's migrate made on PostgreSQL.
func TestContractsOnEveryRelease(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			pool := openPool(t, djangotest.NewDatabaseRelease(t, "postgres", rel).URL)
			storetest.Run(t, func(t testing.TB, s *djangobridge.Settings) djangosession.Store { return newStore(t, pool, s) })
			s := djangobridge.Defaults()
			users, err := pgxstore.NewUsers(pool, &s)
			if err != nil {
				t.Fatal(err)
			}
			usertest.Run(t, users)
		})
	}
}
