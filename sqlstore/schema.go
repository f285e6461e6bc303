package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/djangobridge/djangobridge/internal/djangoschema"
)

// CreateSchema creates the tables Django's migrate creates for
// contenttypes, auth and sessions (django_session, auth_user, auth_group,
// auth_permission with the permission rows, django_content_type,
// django_migrations...), exactly as Django 5.2 makes them, so a database
// can be shared with Django or set up with no Python. Django 3.2 and 4.2
// use the same tables, and a later `manage.py migrate` finds nothing to do
// for these apps.
//
// A database that already has django_migrations is left alone (nil
// error). On SQLite and PostgreSQL the tables are created in one
// transaction; MySQL commits each DDL statement on its own, so a failure
// there can leave some tables behind.
func (st *Store) CreateSchema(ctx context.Context) error {
	stmts, err := djangoschema.Statements(st.d.String())
	if err != nil {
		return err
	}
	var one int
	err = st.db.QueryRowContext(ctx, st.d.rebind(tableExistsQuery(st.d)), djangoschema.MarkerTable).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: create schema: %w", err)
	}
	if st.d == MySQL {
		conn, err := st.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlstore: create schema: %w", err)
		}
		defer conn.Close()
		for _, s := range stmts {
			if _, err := conn.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("sqlstore: create schema: %.60s...: %w", s, err)
			}
		}
		return nil
	}
	tx, err := st.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: create schema: %w", err)
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sqlstore: create schema: %.60s...: %w", s, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: create schema: %w", err)
	}
	return nil
}

// tableExistsQuery selects 1 when the table named by the one parameter
// exists in the current database (schema, for PostgreSQL).
func tableExistsQuery(d Dialect) string {
	switch d {
	case SQLite:
		return "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
	case PostgreSQL:
		return "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
	default:
		return "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
	}
}
