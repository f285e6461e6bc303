package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

// handle is what the SQL core needs of db, which speaks d: sqlstore's
// whole share of the work is this adapter (database/sql's types already
// have the shapes the core asks for).
func handle(db *sql.DB, d Dialect) sqlcore.Handle {
	if db == nil {
		return sqlcore.Handle{Err: errors.New("sqlstore: nil *sql.DB")}
	}
	cd, err := checkDialect(db, d)
	return sqlcore.Handle{Err: err, DB: conn{db, db}, Dialect: cd, Pkg: "sqlstore", NoRows: sql.ErrNoRows}
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// conn is db, or a transaction of it (q), as a sqlcore.DB.
type conn struct {
	q  querier
	db *sql.DB
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlcore.Row {
	return c.q.QueryRowContext(ctx, query, args...)
}

// Query returns *sql.Rows, which is a sqlcore.Rows (unused when err != nil).
func (c conn) Query(ctx context.Context, query string, args ...any) (sqlcore.Rows, error) {
	return c.q.QueryContext(ctx, query, args...)
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (sqlcore.Result, error) {
	return c.q.ExecContext(ctx, query, args...)
}

func (c conn) InTx(ctx context.Context, f func(sqlcore.Querier) error) error {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := f(conn{tx, c.db}); err != nil {
		return err
	}
	return tx.Commit()
}
