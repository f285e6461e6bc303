package pgxstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// handle is what the SQL core needs of pool: pgxstore's whole share of the
// work is this adapter. pgx scans text, bool and timestamptz columns into
// Go values itself (TypedScan), and timestamptz holds instants, so USE_TZ
// and TIME_ZONE do not change what is bound or read (Django with
// USE_TZ=False sets the connection's TimeZone to TIME_ZONE and sends naive
// local times, which PostgreSQL reads as the same instants).
func handle(pool *pgxpool.Pool) sqlcore.Handle {
	if pool == nil {
		return sqlcore.Handle{Err: errors.New("pgxstore: nil *pgxpool.Pool")}
	}
	return sqlcore.Handle{DB: conn{pool}, Dialect: sqlcore.PostgreSQL, Pkg: "pgxstore", NoRows: pgx.ErrNoRows, TypedScan: true}
}

// conn is the pool, or a pgx.Tx of it, as a sqlcore.DB: both have pgx's
// QueryRow, Query, Exec and Begin.
type conn struct {
	q interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Begin(ctx context.Context) (pgx.Tx, error)
	}
}

func (c conn) QueryRow(ctx context.Context, sql string, args ...any) sqlcore.Row {
	return c.q.QueryRow(ctx, sql, args...)
}

func (c conn) Query(ctx context.Context, sql string, args ...any) (sqlcore.Rows, error) {
	r, err := c.q.Query(ctx, sql, args...)
	return rows{r}, err
}

func (c conn) Exec(ctx context.Context, sql string, args ...any) (sqlcore.Result, error) {
	tag, err := c.q.Exec(ctx, sql, args...)
	return result(tag.RowsAffected()), err
}

func (c conn) InTx(ctx context.Context, f func(sqlcore.Querier) error) error {
	return pgx.BeginFunc(ctx, c.q, func(tx pgx.Tx) error { return f(conn{tx}) })
}

// rows is pgx.Rows with the error-returning Close the core's Rows has.
type rows struct{ pgx.Rows }

func (r rows) Close() error { r.Rows.Close(); return r.Rows.Err() }

// result is a command tag's row count. PostgreSQL has no last insert id:
// the core asks RETURNING instead.
type result int64

func (n result) RowsAffected() (int64, error) { return int64(n), nil }
func (n result) LastInsertId() (int64, error) {
	return 0, errors.New("pgxstore: no last insert id on PostgreSQL")
}
