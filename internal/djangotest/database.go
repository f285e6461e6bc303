package djangotest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// SchemaRelease is the release whose schema NewDatabase applies.
const SchemaRelease = "5.2"

// Database is a fresh database private to one test, with Django's tables,
// dropped (or deleted) at t.Cleanup.
type Database struct {
	Kind string // "sqlite", "postgres" or "mysql"
	URL  string // Django-style URL: sqlite:///abs/path.db, postgres://user@host:port/db, mysql://user:pass@host:port/db
	DSN  string // what the Go driver takes: "file:/abs/path.db?_pragma=busy_timeout(5000)" for modernc sqlite, the postgres URL for pgx, "root@tcp(127.0.0.1:3306)/db" for go-sql-driver/mysql
	// Driver is the database/sql driver name for DSN: "sqlite" (modernc.org/sqlite),
	// "pgx" (github.com/jackc/pgx/v5/stdlib, which the caller imports) or "mysql".
	Driver string
	// Name is the database name on the server (postgres, mysql) or the file path (sqlite).
	Name string
}

// Open opens the database with database/sql, closing it at t.Cleanup.
// For postgres the caller must import the "pgx" driver (github.com/jackc/pgx/v5/stdlib).
func (db Database) Open(t testing.TB) *sql.DB {
	t.Helper()
	h, err := sql.Open(db.Driver, db.DSN)
	if err != nil {
		t.Fatalf("djangotest: open %s database: %v", db.Kind, err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// NewDatabase creates a fresh database of that kind (sqlite: temp file; postgres/mysql: CREATE DATABASE djbt_<random>,
// needs the env var) and creates Django's tables in it from the committed schema testdata/django/5.2/schema_<kind>.sql
// (what Django 5.2's migrate created, including the content type, permission and django_migrations rows; no Python needed).
func NewDatabase(t testing.TB, kind string) Database {
	t.Helper()
	return NewDatabaseRelease(t, kind, SchemaRelease)
}

// NewDatabaseRelease is NewDatabase with the schema that release's migrate created
// (testdata/django/<release>/schema_<kind>.sql).
func NewDatabaseRelease(t testing.TB, kind, release string) Database {
	t.Helper()
	stmts, err := SchemaStatements(release, kind)
	if err != nil {
		t.Fatal(err)
	}
	db := NewEmptyDatabase(t, kind)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := execAll(ctx, db, stmts); err != nil {
		t.Fatalf("djangotest: apply Django %s schema to %s database %s: %v", release, kind, db.Name, err)
	}
	return db
}

// NewEmptyDatabase creates a fresh database of that kind with no tables, dropped at t.Cleanup.
func NewEmptyDatabase(t testing.TB, kind string) Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := "djbt_" + randomHex(8)
	switch kind {
	case "sqlite":
		path := filepath.Join(t.TempDir(), name+".db")
		return Database{Kind: kind, URL: "sqlite://" + path, DSN: "file:" + path + "?_pragma=busy_timeout(5000)", Driver: "sqlite", Name: path}
	case "postgres":
		base := PostgresURL(t)
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("djangotest: %s: %v", EnvPostgres, err)
		}
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatalf("djangotest: connect to %s: %v", EnvPostgres, err)
		}
		defer admin.Close(context.Background())
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("djangotest: create postgres database: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := pgx.Connect(ctx, base)
			if err != nil {
				t.Errorf("djangotest: drop postgres database %s: %v", name, err)
				return
			}
			defer c.Close(context.Background())
			if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", pgx.QueryExecModeSimpleProtocol); err != nil {
				t.Errorf("djangotest: drop postgres database %s: %v", name, err)
			}
		})
		u.Path = "/" + name
		return Database{Kind: kind, URL: u.String(), DSN: u.String(), Driver: "pgx", Name: name}
	case "mysql":
		base := MySQLURL(t)
		cfg, err := mysqlConfig(base)
		if err != nil {
			t.Fatalf("djangotest: %s: %v", EnvMySQL, err)
		}
		adminCfg := *cfg
		adminCfg.DBName = ""
		admin, err := sql.Open("mysql", adminCfg.FormatDSN())
		if err != nil {
			t.Fatalf("djangotest: %s: %v", EnvMySQL, err)
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
			t.Fatalf("djangotest: create mysql database: %v", err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := sql.Open("mysql", adminCfg.FormatDSN())
			if err == nil {
				defer c.Close()
				_, err = c.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name)
			}
			if err != nil {
				t.Errorf("djangotest: drop mysql database %s: %v", name, err)
			}
		})
		u, _ := url.Parse(base)
		u.Path = "/" + name
		cfg.DBName = name
		return Database{Kind: kind, URL: u.String(), DSN: cfg.FormatDSN(), Driver: "mysql", Name: name}
	default:
		t.Fatalf("djangotest: unknown database kind %q (want sqlite, postgres or mysql)", kind)
		return Database{}
	}
}

// mysqlConfig turns mysql://user:pass@host:port/db?param=value into a driver config.
func mysqlConfig(raw string) (*mysql.Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "mysql" {
		return nil, fmt.Errorf("want a mysql:// URL, got %q", u.Scheme)
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	host, port := u.Hostname(), u.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	cfg.Addr = net.JoinHostPort(host, port)
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = false
	return cfg, nil
}

// execAll runs the statements in order on one connection of db.
func execAll(ctx context.Context, db Database, stmts []string) error {
	if db.Kind == "postgres" {
		c, err := pgx.Connect(ctx, db.DSN)
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		for _, s := range stmts {
			if _, err := c.Exec(ctx, s, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("%w\n\tin: %s", err, s)
			}
		}
		return nil
	}
	h, err := sql.Open(db.Driver, db.DSN)
	if err != nil {
		return err
	}
	defer h.Close()
	c, err := h.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, s := range stmts {
		if _, err := c.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%w\n\tin: %s", err, s)
		}
	}
	return nil
}

// TestdataDir is the repository's testdata directory (found from this source
// file's location), where testdata/django/<release>/ holds the vectors.
func TestdataDir() string {
	return filepath.Join(helperDir(), "..", "..", "testdata")
}

// SchemaFile is the path of testdata/django/<release>/schema_<kind>.sql.
func SchemaFile(release, kind string) string {
	return filepath.Join(TestdataDir(), "django", release, "schema_"+kind+".sql")
}

// SchemaStatements reads a schema file and splits it into statements:
// statements end with ";\n"; lines starting with "--" are comments.
func SchemaStatements(release, kind string) ([]string, error) {
	b, err := os.ReadFile(SchemaFile(release, kind))
	if err != nil {
		return nil, fmt.Errorf("djangotest: Django %s %s schema: %w", release, kind, err)
	}
	return splitStatements(string(b)), nil
}

func splitStatements(text string) []string {
	var out []string
	for _, chunk := range strings.Split(text, ";\n") {
		var lines []string
		for _, l := range strings.Split(chunk, "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "--") {
				continue
			}
			lines = append(lines, l)
		}
		if s := strings.TrimSpace(strings.Join(lines, "\n")); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// NewRedisPrefix returns a unique KEY_PREFIX for this test ("djbt_<random>");
// every Redis key starting with it is deleted at cleanup. It needs
// DJANGOBRIDGE_TEST_REDIS, and fails the test when Redis does not answer.
func NewRedisPrefix(t testing.TB) string {
	t.Helper()
	raw := RedisURL(t)
	first, _, _ := strings.Cut(raw, ",")
	opt, err := redis.ParseURL(strings.TrimSpace(first))
	if err != nil {
		t.Fatalf("djangotest: %s: %v", EnvRedis, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := redis.NewClient(opt)
	defer c.Close()
	if err := c.Ping(ctx).Err(); err != nil {
		t.Fatalf("djangotest: Redis at %s: %v", EnvRedis, err)
	}
	prefix := "djbt_" + randomHex(8)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c := redis.NewClient(opt)
		defer c.Close()
		iter := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("djangotest: scan Redis keys %s*: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := c.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("djangotest: delete Redis keys %s*: %v", prefix, err)
			}
		}
	})
	return prefix
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
