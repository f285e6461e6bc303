package djangouser_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/djangouser/propertiestest"
)

// TestMemoryPropertiesContract runs the Properties contract on the memory
// backend, the one the SQL stores run too.
func TestMemoryPropertiesContract(t *testing.T) {
	s := propertiestest.Settings()
	m, err := djangouser.NewMemoryProperties(&s)
	if err != nil {
		t.Fatal(err)
	}
	propertiestest.Run(t, m, func(ctx context.Context, username string) error { return m.AddUser(ctx, username, nil) })
}

// TestPropertySchemaRefusesBadModels: each startup mistake is ErrConfig
// with words that name the fix.
func TestPropertySchemaRefusesBadModels(t *testing.T) {
	for _, c := range []struct {
		m    djangobridge.UserModel
		want string
	}{
		{djangobridge.UserModel{ExtraColumns: []string{"nickname"}}, `describe it in UserModel.ExtraFields`},
		{djangobridge.UserModel{ExtraFields: []djangobridge.Field{{Name: "meta", Type: "JSONField"}}}, `want one of CharField`},
		{djangobridge.UserModel{ExtraFields: []djangobridge.Field{{Name: "level", Type: "IntegerField", Default: "1"}}}, `Default 1 (string)`},
		{djangobridge.UserModel{ExtraFields: []djangobridge.Field{{Name: "password", Type: "CharField"}}}, `not a property`},
		{djangobridge.UserModel{ExtraFields: []djangobridge.Field{{Name: "a b", Type: "CharField"}}}, `plain SQL identifier`},
		{djangobridge.UserModel{Profile: djangobridge.ProfileModel{Fields: []djangobridge.Field{{Name: "bio", Type: "TextField"}}}}, `set Profile.Table`},
		{djangobridge.UserModel{Profile: djangobridge.ProfileModel{Table: "p", Fields: []djangobridge.Field{{Name: "email", Type: "TextField"}}}}, `twice`},
		{djangobridge.UserModel{Profile: djangobridge.ProfileModel{Table: "p", Fields: []djangobridge.Field{{Name: "user_id", Type: "IntegerField"}}}}, `the profile's key`},
	} {
		s := djangobridge.Defaults()
		s.UserModel = c.m
		s.UserModel.Table = "auth_user"
		_, err := djangouser.NewPropertySchema(&s)
		if !errors.Is(err, djangouser.ErrConfig) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want ErrConfig saying %q", c.m, err, c.want)
		}
	}
	if _, err := djangouser.NewPropertySchema(nil); !errors.Is(err, djangouser.ErrConfig) {
		t.Errorf("nil Settings: %v", err)
	}
}

// TestPropertySchemaCustomModel: a custom model's extra fields are
// properties, a described standard column replaces auth.User's, omitted
// columns are not properties.
func TestPropertySchemaCustomModel(t *testing.T) {
	s := djangobridge.Defaults()
	s.UserModel = djangobridge.UserModel{Table: "accounts_member", UsernameField: "email", PKType: "uuid",
		OmitColumns: []string{"username", "first_name", "last_name", "is_staff"},
		ExtraFields: []djangobridge.Field{{Name: "email", Type: djangouser.EmailField, MaxLength: 254},
			{Name: "credits", Type: djangouser.IntegerField, Default: 0}}}
	p, err := djangouser.NewPropertySchema(&s)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Names(), " "); got != "credits date_joined email is_active is_superuser last_login" {
		t.Errorf("Names = %s", got)
	}
	if _, v, err := p.Cleared("credits"); err != nil || v != int64(0) {
		t.Errorf("Cleared(credits) = %v, %v; want the default 0 as int64", v, err)
	}
	if _, _, err := p.Cleared("email"); !errors.Is(err, djangouser.ErrPropertyRequired) {
		t.Errorf("Cleared(USERNAME_FIELD) = %v", err)
	}
	if _, err := p.Field("first_name"); !errors.Is(err, djangouser.ErrUnknownProperty) {
		t.Errorf("an omitted column: %v", err)
	}
	// The typed extra field is read by the user store too.
	m, _ := djangouser.ModelOf(&s)
	if got := djangouser.UserColumns(m); !strings.Contains(strings.Join(got, " "), "credits") {
		t.Errorf("UserColumns = %v, want credits", got)
	}
}

// MySQL's unsigned columns widen the positive integer ranges
// (mysql/operations.py integer_field_ranges).
func TestPropertySchemaMySQLRanges(t *testing.T) {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion("5.2")
	s.UserModel.ExtraFields = []djangobridge.Field{{Name: "score", Type: "PositiveIntegerField", Null: true},
		{Name: "rank", Type: "PositiveSmallIntegerField", Null: true}}
	p, err := djangouser.NewPropertySchema(&s)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		n     int64
		plain bool // accepted by SQLite/PostgreSQL
		mysql bool
	}{{"score", 1<<31 - 1, true, true}, {"score", 1 << 31, false, true}, {"score", 1 << 32, false, false},
		{"rank", 1<<15 - 1, true, true}, {"rank", 1 << 15, false, true}, {"rank", 1 << 16, false, false}, {"rank", -1, false, false}} {
		if _, _, err := p.Value(c.name, c.n); (err == nil) != c.plain {
			t.Errorf("%s=%d: %v", c.name, c.n, err)
		}
		if _, _, err := p.WithMySQLRanges().Value(c.name, c.n); (err == nil) != c.mysql {
			t.Errorf("MySQL %s=%d: %v", c.name, c.n, err)
		}
	}
}
