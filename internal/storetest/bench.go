package storetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// LoggedIn is a typical logged-in session of user id: user id, backend,
// auth hash, CSRF secret and a few application values.
func LoggedIn(id string) *djangosession.Map {
	return djangosession.NewMap(
		djangosession.Item{Key: djangosession.KeyAuthUserID, Value: id},
		djangosession.Item{Key: djangosession.KeyAuthBackend, Value: djangobridge.DefaultModelBackend},
		djangosession.Item{Key: djangosession.KeyAuthHash, Value: "2b7c1d8e0f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c"},
		djangosession.Item{Key: djangosession.KeyCSRFToken, Value: "Qk9x2m7TqJ3aV8cN1pL5sR4wY6zE0hDg"},
		djangosession.Item{Key: "cart", Value: []any{djangosession.Number("17"), djangosession.Number("23")}},
		djangosession.Item{Key: "theme", Value: "dark"},
	)
}

// BenchLoad measures Load of a logged-in session.
func BenchLoad(b *testing.B, st djangosession.Store) {
	ctx := context.Background()
	k := djangosession.NewKey()
	if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: LoggedIn("1042"), ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := st.Load(ctx, k); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchLoggedIn measures the two queries of a logged-in request: Load of
// the session, then UserByID of the user its _auth_user_id names (an
// auth_user row as Django's createsuperuser leaves it). users must start
// with no user named "bench".
func BenchLoggedIn(b *testing.B, st djangosession.Store, users djangouser.Store) {
	ctx := context.Background()
	last := time.Now().UTC().Truncate(time.Microsecond)
	u := &djangouser.User{Password: "pbkdf2_sha256$1000000$salt$hash", Username: "bench", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@example.com", IsStaff: true, IsActive: true, IsSuperuser: true, DateJoined: last.Add(-time.Hour), LastLogin: &last}
	if err := users.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	id := u.ID.(int64)
	k := djangosession.NewKey()
	if _, err := st.Save(ctx, djangosession.Record{Key: k, Data: LoggedIn(strconv.FormatInt(id, 10)), ExpireDate: time.Now().Add(time.Hour)}, true); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m, err := st.Load(ctx, k)
		if err != nil {
			b.Fatal(err)
		}
		s, _ := m.Get(djangosession.KeyAuthUserID)
		n, err := strconv.ParseInt(s.(string), 10, 64)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := users.UserByID(ctx, n); err != nil {
			b.Fatal(err)
		}
	}
}
