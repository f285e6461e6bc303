package sqlcore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/djangouser/propertiestest"
	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// personFields are the extra fields of internal/djangotest/ops/_propuser's
// Person (AbstractUser plus these), as a Go service describes them.
var personFields = []djangobridge.Field{
	{Name: "nickname", Type: djangouser.CharField, MaxLength: 30},
	{Name: "level", Type: djangouser.SmallIntegerField, Default: 1},
	{Name: "vip", Type: djangouser.BooleanField, Default: false},
	{Name: "last_seen", Type: djangouser.DateTimeField, Null: true},
	{Name: "balance", Type: djangouser.BigIntegerField, Null: true},
	{Name: "born", Type: djangouser.DateField, Null: true},
	{Name: "weight", Type: djangouser.FloatField, Null: true},
}

// memberFields type the columns of internal/djangotest/ops/_authapp's
// Member that auth.User does not describe as Member has them.
var memberFields = []djangobridge.Field{
	{Name: "email", Type: djangouser.EmailField, MaxLength: 254},
	{Name: "nickname", Type: djangouser.CharField, MaxLength: 50, Default: ""},
	{Name: "credits", Type: djangouser.IntegerField, Default: 0},
}

// TestPropertiesAgreeWithDjango: on every release and database, with
// Django's auth.User (USE_TZ = True), with a custom AbstractUser with
// extra fields of each type (USE_TZ = False, TIME_ZONE America/Chicago)
// and with a custom AbstractBaseUser with a UUID key, e-mail login and
// omitted columns (ops/_authapp's Member, whose key the profile's
// user_id holds: uuid on PostgreSQL, char(32) elsewhere),
// each with the one-to-one profile of propertiestest: what Django's ORM
// writes (user.first_name, user.nickname, user.profile.bio...) Go reads
// with the right types, and what Go writes, creates (the profile row) and
// removes (NULL, defaults) Django's ORM reads: unicode, booleans, integers
// at their limits, floats, datetimes, dates and NULLs. On PostgreSQL both
// sqlstore and pgxstore run.
func TestPropertiesAgreeWithDjango(t *testing.T) {
	djangotest.DjangoDir(t)
	for _, model := range []string{"User", "Person", "Member"} {
		for _, kind := range []string{"sqlite", "postgres", "mysql"} {
			for _, rel := range djangotest.Releases {
				t.Run(model+"/"+kind+"/"+rel, func(t *testing.T) {
					t.Parallel()
					propertiesAgree(t, model, kind, rel)
				})
			}
		}
	}
}

func propertiesAgree(t *testing.T, model, kind, rel string) {
	ctx := context.Background()
	db := djangotest.NewEmptyDatabase(t, kind)
	s := propertiestest.Settings()
	s.DjangoVersion = djangobridge.MustParseVersion(rel)
	s.PasswordHashers = fastHashers
	cfg := djangotest.Config{DatabaseURL: db.URL, UseTZ: true, TimeZone: "UTC", PasswordHashers: fastHashers,
		Extra: map[string]any{"INSTALLED_APPS": []string{"django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "ops._propapp"}}}
	s.UseTZ, s.TimeZone = true, "UTC"
	if model == "Person" {
		cfg.Extra["INSTALLED_APPS"] = append(cfg.Extra["INSTALLED_APPS"].([]string), "ops._propuser")
		cfg.Extra["AUTH_USER_MODEL"] = "propuser.Person"
		cfg.UseTZ, cfg.TimeZone = false, "America/Chicago"
		s.UseTZ, s.TimeZone = false, "America/Chicago"
		s.UserModel.Table, s.UserModel.M2MColumn = "propstest_person", "person_id"
		s.UserModel.ExtraFields = personFields
	}
	if model == "Member" {
		cfg.Extra["INSTALLED_APPS"] = append(cfg.Extra["INSTALLED_APPS"].([]string), "ops._authapp")
		cfg.Extra["AUTH_USER_MODEL"] = "authapp.Member"
		s.UserModel = djangobridge.UserModel{Table: "accounts_member", UsernameField: "email", PKType: "uuid",
			OmitColumns: []string{"username", "first_name", "last_name", "is_staff"}, M2MColumn: "member_id",
			ExtraFields: memberFields, Profile: s.UserModel.Profile}
	}
	loc, err := s.Location()
	if err != nil {
		t.Fatal(err)
	}
	dj := djangotest.Start(t, rel, cfg)
	dj.Do(t, "auth_custom_migrate", nil, nil)

	stores := map[string]djangouser.Properties{}
	if kind == "postgres" {
		pool, err := pgxpool.New(ctx, db.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		if stores["pgx"], err = pgxstore.NewProperties(pool, &s); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := sqlstore.ParseDialect(kind)
	p, err := sqlstore.NewProperties(db.Open(t), d, &s)
	if err != nil {
		t.Fatal(err)
	}
	stores["sql"] = p
	schema := p.Schema()

	for name, st := range stores {
		t.Run(name, func(t *testing.T) {
			exchange(t, dj, st, schema, model, loc, name)
		})
	}
}

// exchange writes properties in Django and reads them in Go, then the
// reverse, on users named after prefix.
func exchange(t *testing.T, dj *djangotest.Django, p djangouser.Properties, schema *djangouser.PropertySchema, model string, loc *time.Location, prefix string) {
	person, member := model == "Person", model == "Member"
	ctx := context.Background()
	at := func(y int, mo time.Month, d, h, mi, s, us int) time.Time {
		return time.Date(y, mo, d, h, mi, s, us*1000, loc)
	}
	date := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	djUser, goUser := prefix+"-dj-ünï", prefix+"-go-ŝ"
	if member {
		djUser, goUser = djUser+"@example.org", goUser+"@example.org"
	}
	for _, u := range []string{djUser, goUser} {
		dj.Do(t, "auth_create_user", map[string]any{"username": u, "password": "pw"}, nil)
	}

	// Django writes, Go reads.
	userVals := map[string]any{"first_name": "Zoë 🐍", "email": "zoe@example.org", "is_staff": true,
		"last_login": at(2024, 2, 29, 23, 59, 58, 123456)}
	if member {
		userVals = map[string]any{"nickname": "Zé ✓", "credits": int64(-2147483648), "is_superuser": true,
			"last_login": at(2024, 2, 29, 23, 59, 58, 123456)}
	}
	if person {
		userVals["nickname"], userVals["level"], userVals["vip"] = "Zé", int64(-32768), true
		userVals["last_seen"], userVals["balance"] = at(2038, 1, 19, 3, 14, 8, 1), int64(1)<<62+1
		userVals["born"], userVals["weight"] = date(1990, 5, 17), 72.5
	}
	profVals := map[string]any{"bio": "ħéllo\nwörld ✓", "motto": "ça va", "score": int64(-2147483648), "verified": true,
		"birthday": date(1815, 12, 10), "seen": at(1999, 12, 31, 23, 59, 59, 999999), "ratio": 0.1, "rank": int64(32767)}
	dj.Do(t, "props_write", map[string]any{"username": djUser, "user": toDjango(t, schema, userVals, person),
		"profile": toDjango(t, schema, profVals, person)}, nil)
	all, err := p.All(ctx, djUser)
	if err != nil {
		t.Fatal(err)
	}
	for _, vals := range []map[string]any{userVals, profVals} {
		for k, want := range vals {
			if !same(all[k], want) {
				t.Errorf("Django wrote %s = %#v, Go reads %#v", k, want, all[k])
			}
		}
	}
	if uf := schema.Model().UsernameField; all[uf] != djUser || all["is_active"] != true || !member && all["last_name"] != "" {
		t.Errorf("Go reads %v", all)
	}

	// Go writes (creating the profile row), Django reads.
	userVals = map[string]any{"first_name": "Ådå", "last_name": "Łovelace", "is_active": false, "is_superuser": true,
		"last_login": at(2025, 11, 2, 1, 30, 0, 0)} // in Chicago, the hour that happens twice
	if member {
		userVals = map[string]any{"nickname": "🐍", "credits": int64(2147483647), "is_active": false, "last_login": at(2025, 11, 2, 1, 30, 0, 0)}
	}
	if person {
		userVals["nickname"], userVals["level"], userVals["vip"] = "🐍py", int64(32767), true
		userVals["last_seen"], userVals["balance"] = at(1970, 1, 1, 0, 0, 0, 0), int64(-1)<<63
		userVals["born"], userVals["weight"] = date(2000, 2, 29), -0.125
	}
	if err := p.SetMany(ctx, goUser, userVals); err != nil {
		t.Fatal(err)
	}
	if err := p.Set(ctx, goUser, "bio", "no rank"); !errors.Is(err, djangouser.ErrPropertyRequired) {
		t.Errorf("Set(bio) without a profile and a rank: %v", err)
	}
	profVals = map[string]any{"bio": "日本語", "rank": int64(0), "seen": at(2024, 7, 1, 12, 0, 0, 500000), "birthday": date(9999, 12, 31)}
	if err := p.SetMany(ctx, goUser, profVals); err != nil {
		t.Fatal(err)
	}
	// The fields not given got Django's defaults, as Profile(user=u).save().
	profVals["motto"], profVals["score"], profVals["verified"], profVals["ratio"] = "", nil, false, nil
	djangoAgrees(t, dj, schema, goUser, userVals, profVals, loc, "Go's SetMany")

	if err := p.SetMany(ctx, goUser, map[string]any{"score": 2147483647, "verified": true, "ratio": 1e300, "motto": "x"}); err != nil {
		t.Fatal(err)
	}
	profVals["score"], profVals["verified"], profVals["ratio"], profVals["motto"] = int64(2147483647), true, 1e300, "x"
	djangoAgrees(t, dj, schema, goUser, nil, profVals, loc, "Go's update of the profile")

	// Go removes: NULL or the default, as Django reads them.
	removed := []string{"score", "verified", "bio", "motto", "seen", "last_login", "first_name", "is_superuser", "is_active"}
	if member {
		removed = []string{"score", "verified", "bio", "motto", "seen", "last_login", "nickname", "credits", "is_superuser", "is_active"}
	}
	if person {
		removed = append(removed, "nickname", "level", "vip", "last_seen", "balance", "born", "weight")
	}
	for _, name := range removed {
		if err := p.Remove(ctx, goUser, name); err != nil {
			t.Fatalf("Remove(%s): %v", name, err)
		}
	}
	userVals = map[string]any{"last_login": nil, "first_name": "", "is_superuser": false, "is_active": true}
	if member {
		userVals = map[string]any{"last_login": nil, "nickname": "", "credits": int64(0), "is_superuser": false, "is_active": true}
	}
	if person {
		userVals["nickname"], userVals["level"], userVals["vip"], userVals["last_seen"] = "", int64(1), false, nil
		userVals["balance"], userVals["born"], userVals["weight"] = nil, nil, nil
	}
	profVals["score"], profVals["verified"], profVals["bio"], profVals["motto"], profVals["seen"] = nil, false, "", "", nil
	djangoAgrees(t, dj, schema, goUser, userVals, profVals, loc, "Go's Remove")
	if err := p.Remove(ctx, goUser, "rank"); !errors.Is(err, djangouser.ErrPropertyRequired) {
		t.Errorf("Remove(rank): %v", err)
	}
}

// djangoAgrees reads the user's fields and its profile's through Django's
// ORM and compares them with user and prof.
func djangoAgrees(t *testing.T, dj *djangotest.Django, schema *djangouser.PropertySchema, username string, user, prof map[string]any, loc *time.Location, step string) {
	t.Helper()
	var names, pnames []string
	for k := range user {
		names = append(names, k)
	}
	for k := range prof {
		pnames = append(pnames, k)
	}
	var raw json.RawMessage
	dj.Do(t, "props_read", map[string]any{"username": username, "names": names, "profile": pnames}, &raw)
	var got struct {
		User       map[string]any `json:"user"`
		Profile    map[string]any `json:"profile"`
		HasProfile bool           `json:"has_profile"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if !got.HasProfile {
		t.Fatalf("%s: Django finds no user.profile", step)
	}
	for _, side := range []struct {
		want, got map[string]any
	}{{user, got.User}, {prof, got.Profile}} {
		for k, want := range side.want {
			f, err := schema.Field(k)
			if err != nil {
				t.Fatal(err)
			}
			v, err := fromDjango(f, side.got[k], loc)
			if err != nil || !same(v, want) {
				t.Errorf("%s: %s = %#v, Django reads %#v (%v)", step, k, want, side.got[k], err)
			}
		}
	}
}

// toDjango turns Go values of schema's fields into the JSON props_write
// parses: datetimes as ISO text, aware (USE_TZ) or naive in TIME_ZONE;
// dates as YYYY-MM-DD.
func toDjango(t *testing.T, schema *djangouser.PropertySchema, vals map[string]any, naive bool) map[string]any {
	out := map[string]any{}
	for k, v := range vals {
		f, err := schema.Field(k)
		if err != nil {
			t.Fatal(err)
		}
		if tv, ok := v.(time.Time); ok {
			switch {
			case f.Kind == djangouser.KindDate:
				v = tv.Format(time.DateOnly)
			case naive:
				v = tv.Format("2006-01-02T15:04:05.999999")
			default:
				v = tv.Format(time.RFC3339Nano)
			}
		}
		out[k] = v
	}
	return out
}

// fromDjango turns the JSON of a Django attribute (jsonable: isoformat,
// numbers) into the Go value of field f.
func fromDjango(f djangouser.PropertyField, v any, loc *time.Location) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.Kind {
	case djangouser.KindInt:
		return v.(json.Number).Int64()
	case djangouser.KindFloat:
		return v.(json.Number).Float64()
	case djangouser.KindDate:
		return time.Parse(time.DateOnly, v.(string))
	case djangouser.KindDateTime:
		s := v.(string)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t, nil
		}
		return time.ParseInLocation("2006-01-02T15:04:05.999999", s, loc)
	}
	return v, nil
}

func same(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return a == b
}
