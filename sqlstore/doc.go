// Package sqlstore keeps Django's tables over database/sql: the db session
// engine on django_session ([Store]) and, for djangouser, auth_user and
// the permission tables. It speaks SQLite, MySQL/MariaDB and PostgreSQL
// with Django's conventions for each (see [Dialect]) and imports no driver:
// import the one you use, open a *sql.DB and pass it to [New]:
//
//	import _ "modernc.org/sqlite"                 // SQLite
//	import _ "github.com/go-sql-driver/mysql"     // MySQL, MariaDB (clientFoundRows=true)
//	import _ "github.com/jackc/pgx/v5/stdlib"     // PostgreSQL ("pgx")
//
// A PostgreSQL user who has a *pgxpool.Pool should use package pgxstore.
package sqlstore
