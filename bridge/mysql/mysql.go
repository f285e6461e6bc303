// Package mysql opens a djangobridge Bridge on a MySQL or MariaDB database
// Django uses, through github.com/go-sql-driver/mysql. It is the only
// bridge package that imports that driver.
//
//	b, err := mysql.Open(ctx, bridge.Config{DatabaseURL: "mysql://app:secret@db:3306/app", Settings: &s})
//
// Connections use utf8mb4, clientFoundRows (Django's CLIENT.FOUND_ROWS),
// no time parsing and UTC (see package dburl).
package mysql

import (
	"context"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/bridge"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// Open opens cfg.DatabaseURL (mysql://user:pass@host:3306/db) and sets up
// the Bridge (see bridge.New). Errors wrap bridge.ErrConfig or
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

// OpenDatabase opens only the database: the db session engine and the
// user store over one *sql.DB.
func OpenDatabase(ctx context.Context, databaseURL string, s *djangobridge.Settings) (*bridge.Database, error) {
	t, err := bridge.ParseURL(databaseURL, sqlstore.MySQL)
	if err != nil {
		return nil, err
	}
	return bridge.OpenSQL(ctx, t, s)
}
