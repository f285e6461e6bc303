package sqlstore

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Dialect is the SQL spoken by the database behind a *sql.DB. It decides the
// placeholders, how datetimes are written and read (Django's conventions per
// backend), identifier quoting, and how a unique-key violation is recognised.
// sqlstore imports no driver: open the *sql.DB with the driver of your choice
// (modernc.org/sqlite, github.com/go-sql-driver/mysql, or pgx's stdlib) and
// say which dialect it speaks.
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
	// MySQL (and MariaDB): datetimes are datetime(6), naive (UTC when
	// USE_TZ, else local time in TIME_ZONE). Open the handle with
	// clientFoundRows=true, as Django does (CLIENT.FOUND_ROWS), so an UPDATE
	// writing identical values still counts its row; without it the store
	// checks existence after an UPDATE that matched nothing.
	MySQL
)

// String returns "sqlite", "postgres" or "mysql".
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

// ParseDialect returns the dialect named "sqlite" (or "sqlite3"),
// "postgres" (or "postgresql", "pgx") or "mysql" (or "mariadb").
func ParseDialect(name string) (Dialect, error) {
	switch strings.ToLower(name) {
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "postgres", "postgresql", "pgx", "pgsql":
		return PostgreSQL, nil
	case "mysql", "mariadb":
		return MySQL, nil
	}
	return 0, fmt.Errorf("sqlstore: unknown dialect %q (want sqlite, postgres or mysql)", name)
}

func (d Dialect) valid() bool { return d >= SQLite && d <= MySQL }

// The helpers below are the one place where dialect differences live; the
// session store and the user store (users.go) both go through them.
//
//	d.rebind(q)            "?" placeholders → "$1".. for PostgreSQL
//	d.quote(name)          "name" or `name` for MySQL
//	d.timeArg(t, loc)      the value to bind for a datetime column
//	d.scanTime(loc, &t)    a sql.Scanner reading a datetime column (NULL allowed: see nullTime)
//	isUniqueViolation(err) a duplicate-key error of any of the three drivers

// rebind rewrites "?" placeholders into PostgreSQL's "$n" for d ==
// PostgreSQL, leaving question marks inside quoted strings and
// identifiers alone. Other dialects get q unchanged.
func (d Dialect) rebind(q string) string {
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

// quote quotes an identifier (a table or column name) for d.
func (d Dialect) quote(name string) string {
	if d == MySQL {
		return "`" + strings.ReplaceAll(name, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// timeArg is the value to bind for a datetime column holding t, as Django's
// adapt_datetimefield_value writes it: for SQLite and MySQL the text
// str(datetime) of t as a naive time in loc (UTC when USE_TZ, else
// TIME_ZONE), microseconds only when non-zero; for PostgreSQL the instant
// itself (timestamptz), truncated to microseconds as Python's are.
//
// Binding text, not a time.Time, keeps drivers from choosing their own
// format: modernc's SQLite driver would write "2006-01-02 15:04:05.999999999-07:00",
// which Django neither writes nor compares correctly.
func (d Dialect) timeArg(t time.Time, loc *time.Location) any {
	if d == PostgreSQL {
		return t.Truncate(time.Microsecond)
	}
	return formatNaive(t.In(loc))
}

// formatNaive is Python's str(naive datetime): "YYYY-MM-DD HH:MM:SS", plus
// ".ffffff" when the microseconds are not zero.
func formatNaive(t time.Time) string {
	buf := make([]byte, 0, 26)
	buf = t.AppendFormat(buf, "2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		buf = append(buf, '.')
		s := strconv.Itoa(us)
		for i := len(s); i < 6; i++ {
			buf = append(buf, '0')
		}
		buf = append(buf, s...)
	}
	return string(buf)
}

// parseNaive reads a datetime column's text as Django's backends do: ISO
// 8601 with a space or "T", optional fraction, and, should one be present,
// an offset (then loc is not needed). Naive values are wall-clock time in
// loc.
func parseNaive(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] + " " + s[11:]
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc); err == nil {
		return t, nil
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
	return time.Time{}, fmt.Errorf("sqlstore: %q is not a datetime", s)
}

// nullTime is a sql.Scanner for a datetime column of dialect d. NULL sets
// Valid false. It accepts what each driver hands over: text ([]byte or
// string: SQLite TEXT, MySQL with parseTime=false), or a time.Time. A
// time.Time from SQLite or MySQL is the column's naive wall clock (modernc
// parses declared DATETIME columns as UTC, go-sql-driver/mysql with
// parseTime=true in its loc), so its fields are read again in loc; from
// PostgreSQL it is an instant and kept.
type nullTime struct {
	d     Dialect
	loc   *time.Location
	Time  time.Time
	Valid bool
}

// Scan implements sql.Scanner.
func (n *nullTime) Scan(src any) error {
	n.Valid = false
	var err error
	switch v := src.(type) {
	case nil:
		return nil
	case time.Time:
		if n.d == PostgreSQL {
			n.Time = v
		} else {
			n.Time = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), n.loc)
		}
	case []byte:
		n.Time, err = parseNaive(string(v), n.loc)
	case string:
		n.Time, err = parseNaive(v, n.loc)
	default:
		return fmt.Errorf("sqlstore: cannot read a datetime from %T", src)
	}
	if err != nil {
		return err
	}
	n.Valid = true
	return nil
}

// scanTime returns a scanner for a datetime column of d in loc.
func (d Dialect) scanTime(loc *time.Location) *nullTime { return &nullTime{d: d, loc: loc} }

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

// isUniqueViolation reports whether err is a duplicate key (a unique or
// primary key constraint), whichever of the three drivers raised it,
// without importing any: PostgreSQL's SQLSTATE 23505 through SQLState(),
// SQLite's extended codes through Code(), and MySQL's error 1062 (or 1586)
// through the message go-sql-driver/mysql's *MySQLError always writes,
// "Error 1062 (23000): Duplicate entry ..." (that type has no method to ask).
func isUniqueViolation(err error) bool {
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
