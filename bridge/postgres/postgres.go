// Package postgres opens a djangobridge Bridge on a PostgreSQL database
// Django uses, through pgx/v5's native pool (package pgxstore). It is the
// only bridge package that imports pgx.
//
//	b, err := postgres.Open(ctx, bridge.Config{DatabaseURL: "postgres://app:secret@db/app", Settings: &s})
package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/pgxstore"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Open opens cfg.DatabaseURL (postgres://user:pass@host:5432/db) and sets
// up the Bridge (see bridge.New). Errors wrap bridge.ErrConfig or
// bridge.ErrUnreachable.
func Open(ctx context.Context, cfg bridge.Config) (*bridge.Bridge, error) {
	db, err := OpenDatabase(ctx, cfg.DatabaseURL, cfg.Settings)
	if err != nil {
		if cfg.Cache != nil {
			cfg.Cache.Close()
		}
		return nil, err
	}
	return bridge.New(ctx, cfg, db)
}

// OpenDatabase opens only the database: one pgx pool, with pgxstore's db
// session engine and user store on it (and a database/sql view of the
// same pool for bridge.Check).
func OpenDatabase(ctx context.Context, databaseURL string, s *djangobridge.Settings) (*bridge.Database, error) {
	if err := bridge.ValidateSettings(s); err != nil {
		return nil, err
	}
	t, err := bridge.ParseURL(databaseURL, sqlstore.PostgreSQL)
	if err != nil {
		return nil, err
	}
	pool, err := OpenPool(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	sessions, err := pgxstore.New(pool, s)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w: %w", bridge.ErrConfig, err)
	}
	users, err := pgxstore.NewUsers(pool, s)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w: %w", bridge.ErrConfig, err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	return &bridge.Database{
		Sessions: sessions, Users: users, SQL: sqlDB, Dialect: sqlstore.PostgreSQL, Redacted: t.Redacted,
		Close:    func() error { err := sqlDB.Close(); pool.Close(); return err },
		NewCache: func(s *djangobridge.Settings) (djangosession.Cache, error) { return pgxstore.NewCache(pool, s) },
	}, nil
}

// OpenPool opens and pings a pgx pool on a postgres:// DATABASE_URL, for
// callers that want the pool itself (pgxstore). Errors wrap
// bridge.ErrConfig or bridge.ErrUnreachable and never hold the password.
func OpenPool(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	t, err := bridge.ParseURL(databaseURL, sqlstore.PostgreSQL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.New(ctx, t.DSN)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", bridge.ErrConfig, t.Redacted, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%w: %s does not answer: %v", bridge.ErrUnreachable, t.Redacted, err)
	}
	return pool, nil
}
