package sqlcore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge/djangosession"
)

// Dialect is the SQL a database speaks, with Django's conventions for its
// backend. Its values match sqlstore.Dialect's.
type Dialect int

// The dialects of the databases Django supports out of the box.
const (
	// SQLite: datetimes are TEXT in Django's format
	// "YYYY-MM-DD HH:MM:SS[.ffffff]", naive (UTC when USE_TZ, else local
	// time in TIME_ZONE), compared as text exactly as Django compares them.
	SQLite Dialect = iota + 1
	// PostgreSQL: datetimes are timestamp with time zone, bound and read as
	// instants; placeholders $1, $2...
	PostgreSQL
	// MySQL (and MariaDB): datetimes are datetime(6), naive like SQLite's;
	// no ON CONFLICT (a duplicate key is error 1062); an UPDATE may count
	// changed rather than matched rows (without CLIENT_FOUND_ROWS).
	MySQL
)

// String returns "sqlite", "postgres" or "mysql" (the names of
// djangoschema's schemas).
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgres"
	case MySQL:
		return "mysql"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// Valid reports whether d is one of the three dialects.
func (d Dialect) Valid() bool { return d >= SQLite && d <= MySQL }

// Rebind rewrites "?" placeholders into PostgreSQL's "$1", "$2"... for
// PostgreSQL, leaving question marks inside quoted strings and identifiers
// alone. Other dialects get q unchanged.
func (d Dialect) Rebind(q string) string {
	if d != PostgreSQL || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	var quote byte
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Quote quotes an identifier (a table or column name): "name", or `name`
// for MySQL.
func (d Dialect) Quote(name string) string {
	if d == MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// TimeArg is the value to bind for a datetime column holding t, as Django's
// adapt_datetimefield_value writes it: for SQLite and MySQL the text
// str(datetime) of t as a naive time in loc (UTC when USE_TZ, else
// TIME_ZONE), microseconds only when non-zero; for PostgreSQL the instant
// itself (timestamptz), truncated to microseconds as Python's are.
//
// Binding text, not a time.Time, keeps drivers from choosing their own
// format: modernc's SQLite driver would write "2006-01-02 15:04:05.999999999-07:00",
// which Django neither writes nor compares correctly.
//
// A t whose own wall clock names it in loc is written with that wall
// clock: that is how a naive wall clock that loc skips (a spring-forward
// gap, which Django's naive arithmetic reaches; djangosession.ExpiryDate
// returns it at the offset before the change) is written as Django writes
// it (djangosession.WallClock), where t.In(loc) would move it an hour on.
// PostgreSQL gets the instant, which is how it reads Django's naive gap
// value too.
func (d Dialect) TimeArg(t time.Time, loc *time.Location) any {
	if d == PostgreSQL {
		return t.Truncate(time.Microsecond)
	}
	return FormatNaive(djangosession.WallClock(t, loc))
}

// FormatNaive is Python's str(naive datetime): "YYYY-MM-DD HH:MM:SS", plus
// ".ffffff" when the microseconds are not zero.
func FormatNaive(t time.Time) string {
	var a [32]byte // on the stack: the string is the one allocation
	buf := t.AppendFormat(a[:0], "2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		buf = append(buf, '.')
		for d := 100000; d > 0; d /= 10 {
			buf = append(buf, byte('0'+us/d%10))
		}
	}
	return string(buf)
}

// ParseNaive reads a datetime column's text as Django's backends do: ISO
// 8601 with a space or "T", optional fraction, and, should one be present,
// an offset (then loc is not needed). Naive values are wall-clock time in
// loc.
func ParseNaive(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] + " " + s[11:]
	}
	if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
		return djangosession.FromWallClock(t, loc), nil // a gap wall clock keeps its fields
	}
	for _, layout := range []string{"2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05Z0700", "2006-01-02 15:04:05Z07"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return time.Time{}, fmt.Errorf("%q is not a datetime", s)
}

// tableExistsQuery selects 1 when the table named by the one parameter
// exists in the current database (schema, for PostgreSQL).
func (d Dialect) tableExistsQuery() string {
	switch d {
	case SQLite:
		return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
	case PostgreSQL:
		return "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	default:
		return "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
}

// sqlStater is the error method of pgx's *pgconn.PgError (and lib/pq's
// *pq.Error): the SQLSTATE code.
type sqlStater interface{ SQLState() string }

// sqliteCoder is the error method of modernc.org/sqlite's *sqlite.Error:
// the extended result code.
type sqliteCoder interface{ Code() int }

// SQLite extended result codes of a unique violation.
const (
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// IsUniqueViolation reports whether err is a duplicate key (a unique or
// primary key constraint), whichever driver raised it, without importing
// any: PostgreSQL's SQLSTATE 23505 through SQLState() (pgx, natively or
// through database/sql, and lib/pq), SQLite's extended codes through
// Code(), and MySQL's error 1062 (or 1586) through the message
// go-sql-driver/mysql's *MySQLError always writes, "Error 1062 (23000):
// Duplicate entry ..." (that type has no method to ask).
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	var st sqlStater
	if errors.As(err, &st) {
		return st.SQLState() == "23505"
	}
	var sc sqliteCoder
	if errors.As(err, &sc) {
		c := sc.Code()
		return c == sqliteConstraintPrimaryKey || c == sqliteConstraintUnique
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		msg := e.Error()
		for _, p := range []string{"Error 1062 ", "Error 1062:", "Error 1586 ", "Error 1586:"} {
			if strings.HasPrefix(msg, p) {
				return true
			}
		}
	}
	return false
}
