package djangouser_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
)

// exec runs DDL or DML on e's database, with ? placeholders rewritten for
// PostgreSQL.
func (e *env) exec(t testing.TB, q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	if e.kind == "postgres" || e.kind == "pgx" {
		n := 0
		q = replaceEach(q, "?", func() string { n++; return "$" + string(rune('0'+n)) })
	}
	var err error
	if e.pool != nil {
		_, err = e.pool.Exec(ctx, q, args...)
	} else {
		_, err = e.h.ExecContext(ctx, q, args...)
	}
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func replaceEach(s, old string, next func() string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(next())
		s = s[i+len(old):]
	}
}

// types gives a column type per database kind: sqlite, postgres, mysql.
func types(kind string, sqlite, postgres, mysql string) string {
	switch kind {
	case "sqlite":
		return sqlite
	case "mysql":
		return mysql
	}
	return postgres
}

// TestCustomUserModelEmailUUID: a custom user model as a Django project
// would write it (AbstractBaseUser + PermissionsMixin): table
// accounts_member, USERNAME_FIELD email, a UUID key (uuid on PostgreSQL,
// char(32) elsewhere, as Django's UUIDField), no username, first_name,
// last_name or is_staff, and extra columns.
func TestCustomUserModelEmailUUID(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql", "pgx"} {
		t.Run(kind, func(t *testing.T) {
			mutate := func(s *djangobridge.Settings) {
				s.UserModel = djangobridge.UserModel{
					Table: "accounts_member", UsernameField: "email", PKColumn: "id", PKType: "uuid",
					ExtraColumns: []string{"nickname", "credits"},
					OmitColumns:  []string{"username", "first_name", "last_name", "is_staff"},
					M2MColumn:    "member_id",
				}
			}
			e := newEnv(t, kind, "5.2", mutate)
			k := e.kind
			uuidT := types(k, "char(32)", "uuid", "char(32)")
			dt := types(k, "datetime", "timestamp with time zone", "datetime(6)")
			boolT := types(k, "bool", "boolean", "bool")
			auto := types(k, "integer PRIMARY KEY AUTOINCREMENT", "serial PRIMARY KEY", "integer AUTO_INCREMENT PRIMARY KEY")
			e.exec(t, `CREATE TABLE accounts_member (id `+uuidT+` NOT NULL PRIMARY KEY, password varchar(128) NOT NULL,
				last_login `+dt+` NULL, is_superuser `+boolT+` NOT NULL, email varchar(254) NOT NULL UNIQUE,
				is_active `+boolT+` NOT NULL, date_joined `+dt+` NOT NULL, nickname varchar(50) NOT NULL DEFAULT '', credits integer NOT NULL DEFAULT 0)`)
			e.exec(t, `CREATE TABLE accounts_member_groups (id `+auto+`, member_id `+uuidT+` NOT NULL, group_id integer NOT NULL)`)
			e.exec(t, `CREATE TABLE accounts_member_user_permissions (id `+auto+`, member_id `+uuidT+` NOT NULL, permission_id integer NOT NULL)`)

			ctx := context.Background()
			// CreateUser cannot know nickname and credits: make the row
			// through the Store, as a registration form would.
			u := &djangouser.User{ID: "8A8D6E5C-3F1B-4C2A-9E7D-1B2C3D4E5F60", Email: "Zoe@Example.org", IsActive: true,
				DateJoined: time.Now().UTC().Truncate(time.Microsecond)}
			u.SetField("nickname", "zo")
			u.SetField("credits", int64(7))
			var err error
			if u.Password, err = e.auth.MakePassword(ctx, "pw"); err != nil {
				t.Fatal(err)
			}
			if err := e.users.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			if _, err := e.auth.CreateUser(ctx, "second@example.org", "", "pw2"); err != nil {
				t.Fatalf("CreateUser with a UUID key: %v", err)
			}

			got, err := e.auth.Authenticate(ctx, map[string]string{"email": "Zoe@Example.org", "password": "pw"})
			if err != nil {
				t.Fatal(err)
			}
			if got.PK() != "8a8d6e5c-3f1b-4c2a-9e7d-1b2c3d4e5f60" || e.auth.GetUsername(got) != "Zoe@Example.org" {
				t.Fatalf("Authenticate = pk %q username %q", got.PK(), e.auth.GetUsername(got))
			}
			if got.Extra["nickname"] != "zo" || asInt(got.Extra["credits"]) != 7 {
				t.Errorf("Extra = %v", got.Extra)
			}
			sess := e.sessions.Open(ctx, "")
			if err := e.auth.Login(ctx, sess, got); err != nil {
				t.Fatal(err)
			}
			if id, _ := sess.GetString(djangosession.KeyAuthUserID); id != "8a8d6e5c-3f1b-4c2a-9e7d-1b2c3d4e5f60" {
				t.Errorf("_auth_user_id = %q, want str(uuid)", id)
			}
			if err := sess.Save(ctx); err != nil {
				t.Fatal(err)
			}
			back, _ := e.whoami(t, sess.Key())
			if back.PK() != got.PK() || back.LastLogin == nil {
				t.Fatalf("GetUser = %v (%v)", back, back.ID)
			}

			back.SetField("credits", int64(8))
			if err := e.auth.Save(ctx, back, "credits"); err != nil {
				t.Fatal(err)
			}
			again, err := e.users.UserByID(ctx, back.ID)
			if err != nil || asInt(again.Extra["credits"]) != 8 {
				t.Fatalf("after Save: %v, %v", again, err)
			}

			// Permissions through the custom many-to-many tables.
			e.exec(t, `INSERT INTO auth_group (name) VALUES ('members')`)
			pkText := strings.ReplaceAll(got.PK(), "-", "")
			if k == "postgres" || k == "pgx" {
				pkText = got.PK()
			}
			e.exec(t, `INSERT INTO accounts_member_groups (member_id, group_id) SELECT ?, id FROM auth_group WHERE name = 'members'`, pkText)
			e.exec(t, `INSERT INTO auth_group_permissions (group_id, permission_id) SELECT g.id, p.id FROM auth_group g, auth_permission p WHERE g.name = 'members' AND p.codename = 'view_group'`)
			e.exec(t, `INSERT INTO accounts_member_user_permissions (member_id, permission_id) SELECT ?, id FROM auth_permission WHERE codename = 'view_user'`, pkText)
			perms, err := e.auth.AllPermissions(ctx, again)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(perms, []string{"auth.view_group", "auth.view_user"}) {
				t.Errorf("AllPermissions = %v", perms)
			}
			if g, _ := e.auth.Groups(ctx, again); !reflect.DeepEqual(g, []string{"members"}) {
				t.Errorf("Groups = %v", g)
			}
		})
	}
}

// TestCustomUserModelKeys: bigint and text primary keys, in auth_user's
// shape otherwise.
func TestCustomUserModelKeys(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres", "mysql"} {
		for _, pkType := range []string{"bigint", "text"} {
			t.Run(kind+"/"+pkType, func(t *testing.T) {
				table := "acct_" + pkType + "user"
				e := newEnv(t, kind, "4.2", func(s *djangobridge.Settings) {
					s.UserModel = djangobridge.UserModel{Table: table, UsernameField: "username", PKColumn: "code", PKType: pkType}
				})
				k := e.kind
				pkDDL := types(k, "integer PRIMARY KEY AUTOINCREMENT", "bigserial PRIMARY KEY", "bigint AUTO_INCREMENT PRIMARY KEY")
				if pkType == "text" {
					pkDDL = "varchar(40) NOT NULL PRIMARY KEY"
				}
				dt := types(k, "datetime", "timestamp with time zone", "datetime(6)")
				b := types(k, "bool", "boolean", "bool")
				e.exec(t, `CREATE TABLE `+table+` (code `+pkDDL+`, password varchar(128) NOT NULL, last_login `+dt+` NULL,
					is_superuser `+b+` NOT NULL, username varchar(150) NOT NULL UNIQUE, first_name varchar(150) NOT NULL,
					last_name varchar(150) NOT NULL, email varchar(254) NOT NULL, is_staff `+b+` NOT NULL,
					is_active `+b+` NOT NULL, date_joined `+dt+` NOT NULL)`)
				ctx := context.Background()
				var u *djangouser.User
				if pkType == "bigint" {
					e.exec(t, `INSERT INTO `+table+` (code, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined)
						VALUES (5000000000, '', ?, 'seed', '', '', '', ?, ?, '2024-01-02 03:04:05')`, false, false, true)
					if k == "postgres" {
						e.exec(t, `SELECT setval(pg_get_serial_sequence('`+table+`', 'code'), 5000000000)`)
					}
					var err error
					if u, err = e.auth.CreateUser(ctx, "kim", "", "pw"); err != nil {
						t.Fatal(err)
					}
					if id, _ := u.ID.(int64); id <= 5000000000 {
						t.Errorf("new bigint id %v", u.ID)
					}
				} else {
					u = &djangouser.User{ID: "kim-01", Username: "kim", IsActive: true, DateJoined: time.Now().UTC().Truncate(time.Microsecond)}
					var err error
					if u.Password, err = e.auth.MakePassword(ctx, "pw"); err != nil {
						t.Fatal(err)
					}
					if err := e.users.CreateUser(ctx, u); err != nil {
						t.Fatal(err)
					}
					dup := &djangouser.User{ID: "kim-02", Username: "kim", IsActive: true, DateJoined: time.Now().UTC().Truncate(time.Microsecond)}
					if err := e.users.CreateUser(ctx, dup); err == nil || !strings.Contains(err.Error(), "exists") {
						t.Errorf("duplicate username: %v", err)
					}
				}
				key := e.login(t, "kim", "pw")
				back, _ := e.whoami(t, key)
				if back.PK() != u.PK() || back.Username != "kim" {
					t.Fatalf("GetUser = %v (%v), want kim (%v)", back, back.ID, u.ID)
				}
			})
		}
	}
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	return -1
}
