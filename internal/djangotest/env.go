// Package djangotest is the one harness that tests use to check djangobridge
// against real Django 3.2, 4.2, 5.2 and 6.1 and real databases.
//
// It has three parts:
//
//   - the test variables (DJANGOBRIDGE_TEST_POSTGRES, _MYSQL, _REDIS and
//     _DJANGO): a test that needs one and finds it unset skips, naming the
//     variable, except with CI=true, where it fails, so that CI never counts
//     a skipped interoperability test as a pass;
//   - private databases and Redis key prefixes per test ([NewDatabase],
//     [NewRedisPrefix]), created with the schema real Django's migrate made
//     (testdata/django/<release>/schema_<kind>.sql) and removed at cleanup;
//   - [Start]: a long-lived real Django process (djangohelper.py) per release
//     and settings, answering JSON requests on stdin/stdout, so hundreds of
//     checks against the real thing cost seconds.
//
// The Python ops a test can call live in ops/*.py, one file per area.
package djangotest

import (
	"os"
	"strings"
	"testing"
)

// Releases are the Django releases tested against real Django: "3.2",
// "4.2", "5.2", "6.1".
var Releases = []string{"3.2", "4.2", "5.2", "6.1"}

// The environment variables the harness reads.
const (
	EnvPostgres = "DJANGOBRIDGE_TEST_POSTGRES"
	EnvMySQL    = "DJANGOBRIDGE_TEST_MYSQL"
	EnvRedis    = "DJANGOBRIDGE_TEST_REDIS"
	EnvDjango   = "DJANGOBRIDGE_TEST_DJANGO"
)

// PostgresURL is $DJANGOBRIDGE_TEST_POSTGRES, e.g. postgres://postgres@127.0.0.1:5432/test.
// Unset: the test skips (fails with CI=true).
func PostgresURL(t testing.TB) string { t.Helper(); return requireEnv(t, EnvPostgres) }

// MySQLURL is $DJANGOBRIDGE_TEST_MYSQL, e.g. mysql://root@127.0.0.1:3306/test.
// Unset: the test skips (fails with CI=true).
func MySQLURL(t testing.TB) string { t.Helper(); return requireEnv(t, EnvMySQL) }

// RedisURL is $DJANGOBRIDGE_TEST_REDIS, e.g. redis://127.0.0.1:6379/0.
// Unset: the test skips (fails with CI=true).
func RedisURL(t testing.TB) string { t.Helper(); return requireEnv(t, EnvRedis) }

// DjangoDir is $DJANGOBRIDGE_TEST_DJANGO, the folder scripts/install-django
// filled, holding 3.2/, 4.2/, 5.2/ and 6.1/, each with its python launcher. Unset: the test skips (fails with CI=true).
func DjangoDir(t testing.TB) string { t.Helper(); return requireEnv(t, EnvDjango) }

// requireEnv returns the variable's value, or ends the test: t.Fatal under CI,
// t.Skip otherwise.
func requireEnv(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v != "" {
		return v
	}
	if failWhenMissing(os.Getenv) {
		t.Fatalf("%s is not set, and CI=true: interoperability tests must run in CI, not skip", name)
	}
	RecordSkip(name)
	t.Skipf("%s is not set: skipping a test that needs it (set it, e.g. %s=%s; with CI=true this fails)", name, name, envExamples[name])
	return ""
}

// failWhenMissing decides whether a missing test variable fails the test
// (true under CI: CI=true or CI=1, as CI systems set it) rather than skips it.
func failWhenMissing(getenv func(string) string) bool {
	v := strings.TrimSpace(getenv("CI"))
	return strings.EqualFold(v, "true") || v == "1"
}

// Caches area (issue 14): the memcached and Redis Sentinel that .ci/run
// starts beside the shared Redis.
const (
	EnvMemcached = "DJANGOBRIDGE_TEST_MEMCACHED"
	EnvSentinel  = "DJANGOBRIDGE_TEST_SENTINEL"
)

// MemcachedAddr is $DJANGOBRIDGE_TEST_MEMCACHED, host:port of a memcached,
// e.g. 127.0.0.1:11311. Unset: the test skips (fails with CI=true).
func MemcachedAddr(t testing.TB) string { t.Helper(); return requireEnv(t, EnvMemcached) }

// SentinelURL is $DJANGOBRIDGE_TEST_SENTINEL, redis://HOST:PORT/SERVICE: a
// Redis Sentinel and the name of the primary it watches (which has at least
// one replica), e.g. redis://127.0.0.1:26390/djangobridge. Unset: the test
// skips (fails with CI=true).
func SentinelURL(t testing.TB) string { t.Helper(); return requireEnv(t, EnvSentinel) }

// Unavailable ends a test whose service could not be started on this
// machine although the variables it needs are set (e.g. a mail server from
// a Python that lacks the module): t.Fatal under CI, where everything must
// run, else t.Skip saying why and what would make it run.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if failWhenMissing(os.Getenv) {
		t.Fatalf("%s, and CI=true: this test must run in CI, not skip", why)
	}
	t.Skipf("%s: skipping (with CI=true this fails)", why)
}
