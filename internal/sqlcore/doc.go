// Package sqlcore is the one SQL core of djangobridge's database stores:
// the SQL text, the row mapping and Django's rules for django_session,
// auth_user (or a custom user table) and the permission tables, written
// once for SQLite, MySQL/MariaDB and PostgreSQL. Package sqlstore
// (database/sql) and package pgxstore (pgx's native pool) only adapt their
// driver to the small interfaces below and wrap the core's types.
//
// sqlcore imports no driver and no driver package: a pgx user compiles
// pgx only, a SQLite user never compiles pgx.
//
// # Shape
//
//	Handle      a database as the core sees it: the adapter's DB, its
//	            Dialect, the adapter's name for errors, the driver's
//	            no-rows error, whether the driver scans typed values
//	            itself (TypedScan), or the adapter's construction error
//	            (Err: a nil pool, a dialect the driver does not speak)
//	Open        builds a query set on a Handle and wraps it in the
//	            adapter's public type: an adapter constructor's one line
//	DB          QueryRow, Query, Exec and InTx (a transaction): what an
//	            adapter implements over *sql.DB or *pgxpool.Pool
//	Row, Rows   Scan(dest ...any); Next, Err, Close
//	Result      RowsAffected, LastInsertId (sql.Result as it is)
//	Dialect     SQLite, PostgreSQL, MySQL: Quote, Rebind ("?" → "$n"),
//	            TimeArg (a datetime as Django binds it), IsUniqueViolation
//	Handle.Text, Bool, Time, NullTime
//	            the scan destination of a column of that kind, for the
//	            driver in use (plain pointers for pgx, the core's
//	            sql.Scanners reading Django's text datetimes, 0/1 booleans
//	            and NULL text otherwise)
//
// The query sets, each built once at construction with every statement
// already in its dialect's placeholders and quoting:
//
//	Sessions    django_session: the db session engine (djangosession.Store
//	            and LoadRecord for cached_db)
//	Users       the user table, auth_permission, auth_group,
//	            django_content_type and the m2m tables (djangouser.Store)
//	Accounts    users and groups as Django's ORM writes them (sqlstore
//	            and pgxstore.Accounts)
//	Properties  a user's fields by name with Django's types, in the user
//	            table and an optional one-to-one profile table
//	            (djangouser.Properties; the types and rules are
//	            djangouser.PropertySchema's, shared with MemoryProperties)
//	CreateSchema Django's migrate for contenttypes, auth and sessions
//
// # Adding a query set
//
// A new set of statements (auth_group writes, Django's database cache
// table, ...) is written once, here, and both drivers get it:
//
//  1. Add a file (e.g. cache.go) with a type holding the Handle and its
//     statements, and a constructor NewXxx(h Handle, s *djangobridge.Settings)
//     that starts with h.location(s) (it checks h, refuses nil Settings,
//     calls s.Release() and returns the zone datetimes are naive in), then
//     builds every statement once with
//     h.Dialect.Quote and h.Dialect.Rebind, writing "?" placeholders
//     (Rebind turns them into $1, $2... for PostgreSQL; write one "?" per
//     argument, even when an argument repeats). Put per-dialect SQL
//     (ON CONFLICT vs MySQL's duplicate-key error, RETURNING vs
//     LastInsertId) in that constructor, never in an adapter.
//  2. Write the methods against h.DB only: bind datetimes with
//     h.Dialect.TimeArg(t, loc) (Django's text on SQLite and MySQL, the
//     instant on PostgreSQL), scan columns through h.Text, h.Bool, h.Time
//     and h.NullTime (or plain *int64, *any; put what a hot read makes
//     escape, arguments and destinations, in one allocated struct as
//     Users.readUser does), tell a missing row with
//     h.noRows(err), a duplicate key with IsUniqueViolation, and prefix
//     errors with h.Pkg ("sqlstore: ...").
//  3. In sqlstore and in pgxstore, add the public type and constructor:
//     a struct embedding the core type (through an unexported alias, so its
//     methods are the public type's, with the method list in its doc) and
//     a constructor of one line,
//     return sqlcore.Open(handle(pool), s, sqlcore.NewXxx, func(c *xxx) *Xxx { return &Xxx{c, pool} }).
//     That is all an adapter holds: no SQL, no row mapping, no rule.
//  4. Test the rules in the core against every database through sqlstore
//     and pgxstore, as storetest and usertest do for Sessions and Users.
//
// Writes that span several statements run them in h.DB.InTx, on the
// Querier it hands over (the same QueryRow, Query and Exec).
package sqlcore
