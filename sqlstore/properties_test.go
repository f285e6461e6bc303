package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/djangouser/propertiestest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// TestPropertiesContract runs the Properties contract on each database,
// with the schema Django 5.2's migrate made and the contract's profile
// table.
func TestPropertiesContract(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			db := djangotest.NewDatabase(t, kind)
			h := db.Open(t)
			if _, err := h.ExecContext(ctx, propertiestest.ProfileDDL(kind)); err != nil {
				t.Fatal(err)
			}
			d, err := sqlstore.ParseDialect(kind)
			if err != nil {
				t.Fatal(err)
			}
			s := propertiestest.Settings()
			p, err := sqlstore.NewProperties(h, d, &s)
			if err != nil {
				t.Fatal(err)
			}
			users, err := sqlstore.NewUsers(h, d, &s)
			if err != nil {
				t.Fatal(err)
			}
			propertiestest.Run(t, p, func(ctx context.Context, username string) error {
				return users.CreateUser(ctx, &djangouser.User{Username: username, Password: "!", IsActive: true,
					DateJoined: time.Now().UTC().Truncate(time.Microsecond)})
			})
		})
	}
}

// TestNewPropertiesRefusesUntypedColumns: an extra column Properties
// cannot type is a startup error naming the fix.
func TestNewPropertiesRefusesUntypedColumns(t *testing.T) {
	db, d := sqliteDB(t)
	s := propertiestest.Settings()
	s.UserModel.ExtraColumns = []string{"nickname"}
	_, err := sqlstore.NewProperties(db, d, &s)
	if !errors.Is(err, djangouser.ErrConfig) || !strings.Contains(err.Error(), "UserModel.ExtraFields") {
		t.Errorf("NewProperties with an untyped extra column: %v", err)
	}
}
