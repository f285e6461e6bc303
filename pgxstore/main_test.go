package pgxstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// TestMain gives the runnable examples a fresh PostgreSQL database of
// their own as DATABASE_URL (tests use djangotest.NewDatabase). Without
// DJANGOBRIDGE_TEST_POSTGRES the examples are skipped (with CI=true the
// run fails), as the harness does for tests.
func TestMain(m *testing.M) {
	flag.Parse()
	base := os.Getenv(djangotest.EnvPostgres)
	if base == "" {
		if ci := strings.ToLower(os.Getenv("CI")); ci == "true" || ci == "1" {
			fmt.Fprintf(os.Stderr, "%s is not set, and CI=true: the examples need PostgreSQL\n", djangotest.EnvPostgres)
			os.Exit(1)
		}
		fmt.Fprintf(os.Stderr, "%s is not set: skipping the examples, which need PostgreSQL\n", djangotest.EnvPostgres)
		skip := "^Example"
		if f := flag.Lookup("test.skip"); f != nil && f.Value.String() != "" {
			skip = f.Value.String() + "|" + skip
		}
		flag.Set("test.skip", skip)
		djangotest.RecordSkip(djangotest.EnvPostgres) // the examples, as one
		os.Exit(djangotest.RunMain(m))
	}
	exampleURL, drop, err := exampleDatabase(base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgxstore examples:", err)
		os.Exit(1)
	}
	os.Setenv("DATABASE_URL", exampleURL)
	code := djangotest.RunMain(m)
	drop()
	os.Exit(code)
}

// exampleDatabase creates an empty database next to base's.
func exampleDatabase(base string) (string, func(), error) {
	ctx := context.Background()
	var b [6]byte
	rand.Read(b[:])
	name := "djbt_example_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}, nil
}
