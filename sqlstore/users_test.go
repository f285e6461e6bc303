package sqlstore_test

import (
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser/usertest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// TestUsersContract runs djangouser's Store contract on each database,
// with the schema Django 5.2's migrate made.
func TestUsersContract(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			db := djangotest.NewDatabase(t, kind)
			h := db.Open(t)
			d, err := sqlstore.ParseDialect(kind)
			if err != nil {
				t.Fatal(err)
			}
			s := djangobridge.Defaults()
			st, err := sqlstore.NewUsers(h, d, &s)
			if err != nil {
				t.Fatal(err)
			}
			usertest.Run(t, st)
		})
	}
}

func TestNewUsersRefusesBadModels(t *testing.T) {
	db, d := sqliteDB(t)
	for _, m := range []djangobridge.UserModel{
		{Table: "auth_user; DROP TABLE x"},
		{PKType: "float"},
		{ExtraColumns: []string{"a b"}},
		{OmitColumns: []string{"password"}},
	} {
		s := djangobridge.Defaults()
		s.UserModel = m
		if _, err := sqlstore.NewUsers(db, d, &s); err == nil {
			t.Errorf("NewUsers accepted %+v", m)
		}
	}
}
