// Command djangobridge reads and writes what a Django site keeps: session
// data, session rows, password hashes and users, with the same rules as the
// Django release it is told about, and checks that a Go service would see
// what Django sees.
//
//	djangobridge check                            (database, tables, migrations, SECRET_KEY)
//	djangobridge session decode [--engine db|signed_cookies] DATA
//	djangobridge session encode [--engine db|signed_cookies] JSON
//	djangobridge session get KEY
//	djangobridge clearsessions
//	djangobridge password hash [--hasher NAME] [--iterations N] PASSWORD|-
//	djangobridge password check PASSWORD|- ENCODED
//	djangobridge user create USERNAME [--email E] [--superuser] [--password -]
//	djangobridge user check-password USERNAME     (password on stdin)
//	djangobridge user set-password USERNAME       (password on stdin)
//
// Settings come from the environment variables named as Django's settings,
// read by djangobridge.SettingsFromEnv (SECRET_KEY, SECRET_KEY_FALLBACKS,
// DATABASE_URL, SESSION_ENGINE, CACHE_URL or DJANGO_CACHES (Django's CACHES
// as JSON: Redis, memcached or the DatabaseCache), SESSION_FILE_PATH, USE_TZ,
// TIME_ZONE, DJANGO_VERSION, SESSION_COOKIE_*...), or from the flags each
// command lists in its --help (--secret-key, --database-url...), which win.
// DJANGO_VERSION defaults to 5.2 here. SECRET_KEY is asked for only by the
// commands that sign or verify: check, session decode/encode/get, and
// clearsessions on engines other than db. The database is opened with the
// calls a service uses (bridge/anydb), which never change a SQLite
// database's journal mode or any other lasting property.
//
// Exit status: 0 success; 1 a refused input (bad signature, no such session
// or user, wrong password) or a problem check found; 2 a usage error or a
// malformed hash; 3 a configuration or connection error (a missing or bad
// setting, a database or cache that does not answer).
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
