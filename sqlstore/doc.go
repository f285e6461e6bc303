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
// [New] and [NewUsers] refuse a dialect the driver does not speak
// ([ErrDialectMismatch], naming the dialect to pass).
//
// The SQL, the row mapping and Django's rules are those of the SQL core
// sqlstore shares with package pgxstore: a PostgreSQL user who has a
// *pgxpool.Pool should use that.
package sqlstore
