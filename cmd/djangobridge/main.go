// Command djangobridge reads and writes what a Django site keeps: session
// data, session rows, password hashes and users, with the same rules as the
// Django release it is told about.
//
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
// Settings come from flags or from the environment variables named like
// Django's settings: --secret-key / SECRET_KEY, --secret-key-fallbacks /
// SECRET_KEY_FALLBACKS (comma-separated), --database-url / DATABASE_URL
// (sqlite:///abs/path, postgres://…, mysql://user:pass@host:port/db),
// --engine / SESSION_ENGINE, --cache-url / CACHE_URL, --session-file-path /
// SESSION_FILE_PATH, --use-tz / USE_TZ, --time-zone / TIME_ZONE and
// --django-version / DJANGO_VERSION (default 5.2). Every command has --help.
//
// Exit status: 0 success, 1 a refused input (bad signature, no such session,
// wrong password), 2 a usage error or malformed hash, 3 an I/O failure.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}
