package sqlcore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// Row is one result row (*sql.Row, pgx.Row). Scan returns the Handle's
// NoRows error when the query found no row.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set (*sql.Rows; pgx.Rows with an error-returning Close).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Result is what Exec reports (sql.Result). LastInsertId is only asked on
// SQLite and MySQL; a PostgreSQL adapter may return an error from it.
type Result interface {
	RowsAffected() (int64, error)
	LastInsertId() (int64, error)
}

// Querier runs statements written for the Handle's dialect, with their
// arguments as bound (see Dialect.TimeArg). Every call honours ctx.
type Querier interface {
	QueryRow(ctx context.Context, query string, args ...any) Row
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	Exec(ctx context.Context, query string, args ...any) (Result, error)
}

// DB is the database an adapter hands the core: a pool (*sql.DB,
// *pgxpool.Pool) that can also run statements in a transaction.
type DB interface {
	Querier
	// InTx runs f in a transaction of the pool, handing it a Querier of
	// the transaction: committed when f returns nil, rolled back when it
	// returns an error (which InTx returns).
	InTx(ctx context.Context, f func(Querier) error) error
}

// Handle is a database as the core sees it. Adapters fill every field, or
// only Err when they cannot make one (a nil pool, a dialect the driver
// does not speak): every constructor of the core returns Err first.
type Handle struct {
	Err     error
	DB      DB
	Dialect Dialect
	// Pkg is the adapter's package name, the prefix of every error
	// ("sqlstore", "pgxstore").
	Pkg string
	// NoRows is the error Row.Scan returns for no row (sql.ErrNoRows,
	// pgx.ErrNoRows); it is tested with errors.Is.
	NoRows error
	// TypedScan is true when the driver fills *string, *bool, *time.Time
	// and **time.Time from text, boolean and timestamptz columns itself and
	// fails on NULL text (pgx's native interface). False: columns are read
	// through the core's sql.Scanners, which take what database/sql drivers
	// hand over (Django's naive datetime text or a driver's time.Time,
	// 0/1 or "t"/"f" booleans, NULL text as "").
	TypedScan bool
}

// check reports a Handle an adapter filled wrongly.
func (h Handle) check() error {
	if h.Err != nil {
		return h.Err
	}
	if h.DB == nil || h.NoRows == nil || h.Pkg == "" {
		return fmt.Errorf("sqlcore: incomplete Handle %+v", h)
	}
	if !h.Dialect.Valid() {
		return fmt.Errorf("%s: invalid dialect %v", h.Pkg, h.Dialect)
	}
	return nil
}

// Open builds a query set on h with build (NewSessions, NewUsers...) and
// hands it to wrap, which makes the adapter's public type of it: the whole
// body of an adapter's constructor,
//
//	return sqlcore.Open(handle(pool), s, sqlcore.NewUsers, func(c *users) *Users { return &Users{c, pool} })
func Open[C, T any](h Handle, s *djangobridge.Settings, build func(Handle, *djangobridge.Settings) (C, error), wrap func(C) T) (T, error) {
	c, err := build(h, s)
	if err != nil {
		var zero T
		return zero, err
	}
	return wrap(c), nil
}

// location is what every query set's constructor does first: it checks h,
// refuses nil Settings, calls s.Release() (a zero or unsupported
// DjangoVersion is refused) and returns the location datetimes are naive
// in (UTC when USE_TZ, else TIME_ZONE).
func (h Handle) location(s *djangobridge.Settings) (*time.Location, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, errors.New(h.Pkg + ": nil Settings: start from djangobridge.Defaults()")
	}
	if _, err := s.Release(); err != nil {
		return nil, err
	}
	return s.Location()
}

// noRows reports whether err is the driver's "no row".
func (h Handle) noRows(err error) bool { return errors.Is(err, h.NoRows) }

// errorf is fmt.Errorf with the adapter's prefix: h.errorf("load session: %w", err).
func (h Handle) errorf(format string, args ...any) error {
	return fmt.Errorf(h.Pkg+": "+format, args...)
}

// Text is the scan destination of a text column into p (NULL reads as ""
// unless TypedScan).
func (h Handle) Text(p *string) any {
	if h.TypedScan {
		return p
	}
	return textScan{p}
}

// Bool is the scan destination of a boolean column into p.
func (h Handle) Bool(p *bool) any {
	if h.TypedScan {
		return p
	}
	return boolScan{p}
}

// Time is the scan destination of a NOT NULL datetime column into p, read
// in loc as Django reads it (naive wall clock in loc on SQLite and MySQL,
// the instant on PostgreSQL). A NULL leaves p unchanged unless TypedScan
// (then it is an error).
func (h Handle) Time(p *time.Time, loc *time.Location) any {
	return h.timeDest(nil, p, nil, loc)
}

// NullTime is the scan destination of a nullable datetime column into p:
// nil for NULL, else a new time as Time reads it.
func (h Handle) NullTime(p **time.Time, loc *time.Location) any {
	return h.timeDest(nil, nil, p, loc)
}

// timeDest is Time (p set) or NullTime (null set), using buf (when not
// nil) as the scanner so that a row's scanners can share one allocation.
func (h Handle) timeDest(buf *timeScan, p *time.Time, null **time.Time, loc *time.Location) any {
	if h.TypedScan {
		if p != nil {
			return p
		}
		return null
	}
	if buf == nil {
		buf = new(timeScan)
	}
	*buf = timeScan{naive: h.Dialect != PostgreSQL, loc: loc, t: p, null: null}
	return buf
}

// textScan reads a text column (NULL reads as "").
type textScan struct{ s *string }

// Scan implements sql.Scanner.
func (s textScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.s = ""
	case string:
		*s.s = v
	case []byte:
		*s.s = string(v)
	default:
		return fmt.Errorf("cannot read text from %T", src)
	}
	return nil
}

// boolScan reads a boolean column: bool, 0/1 integers, "0"/"1", "t"/"f",
// "true"/"false" text.
type boolScan struct{ b *bool }

// Scan implements sql.Scanner.
func (s boolScan) Scan(src any) error {
	switch v := src.(type) {
	case bool:
		*s.b = v
	case int64:
		*s.b = v != 0
	case []byte:
		return s.text(string(v))
	case string:
		return s.text(v)
	default:
		return fmt.Errorf("cannot read a boolean from %T", src)
	}
	return nil
}

func (s boolScan) text(v string) error {
	switch strings.ToLower(v) {
	case "1", "t", "true":
		*s.b = true
	case "0", "f", "false":
		*s.b = false
	default:
		return fmt.Errorf("%q is not a boolean", v)
	}
	return nil
}

// timeScan reads a datetime column into t (NOT NULL) or null (nullable).
// It accepts what each database/sql driver hands over: text ([]byte or
// string: SQLite TEXT, MySQL with parseTime=false), or a time.Time. A
// time.Time of a naive column (SQLite, MySQL) is the column's wall clock
// (modernc parses declared DATETIME columns as UTC, go-sql-driver/mysql
// with parseTime=true in its loc), so its fields are read again in loc;
// from PostgreSQL it is an instant and kept.
type timeScan struct {
	naive bool
	loc   *time.Location
	t     *time.Time
	null  **time.Time
}

// Scan implements sql.Scanner.
func (s *timeScan) Scan(src any) error {
	var v time.Time
	var err error
	switch x := src.(type) {
	case nil:
		if s.null != nil {
			*s.null = nil
		}
		return nil
	case time.Time:
		v = x
		if s.naive {
			v = djangosession.FromWallClock(time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute(), x.Second(), x.Nanosecond(), time.UTC), s.loc)
		}
	case []byte:
		v, err = ParseNaive(string(x), s.loc)
	case string:
		v, err = ParseNaive(x, s.loc)
	default:
		return fmt.Errorf("cannot read a datetime from %T", src)
	}
	if err != nil {
		return err
	}
	if s.t != nil {
		*s.t = v
	} else {
		*s.null = &v
	}
	return nil
}
