package pgxstore

import (
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The helpers below are the one place for PostgreSQL details shared by the
// session store and the user store (users.go):
//
//	quote(name)            a quoted identifier
//	timeArg(t)             a datetime to bind (timestamptz, microseconds)
//	isUniqueViolation(err) SQLSTATE 23505
//
// Datetime columns are timestamp with time zone in every Django schema on
// PostgreSQL: they hold instants, so USE_TZ and TIME_ZONE do not change
// what is bound or read (Django with USE_TZ=False sets the connection's
// TimeZone to TIME_ZONE and sends naive local times, which PostgreSQL reads
// as the same instants). Scan them into time.Time (or *time.Time for NULL).

// quote quotes an identifier (a table or column name).
func quote(name string) string { return pgx.Identifier{name}.Sanitize() }

// timeArg is t as bound for a timestamptz column: the instant, truncated to
// microseconds (PostgreSQL's and Python's precision).
func timeArg(t time.Time) time.Time { return t.Truncate(time.Microsecond) }

// isUniqueViolation reports whether err is a unique or primary key
// violation (SQLSTATE 23505).
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
