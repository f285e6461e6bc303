package pgxstore

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge/internal/djangoschema"
)

// CreateSchema creates the tables Django's migrate creates for
// contenttypes, auth and sessions (django_session, auth_user, auth_group,
// auth_permission with the permission rows, django_content_type,
// django_migrations...), exactly as Django 5.2 makes them on PostgreSQL,
// in one transaction. Django 3.2 and 4.2 use the same tables, and a later
// `manage.py migrate` finds nothing to do for these apps. A database
// (schema) that already has django_migrations is left alone (nil error).
func (st *Store) CreateSchema(ctx context.Context) error {
	stmts, err := djangoschema.Statements("postgres")
	if err != nil {
		return err
	}
	tx, err := st.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgxstore: create schema: %w", err)
	}
	defer tx.Rollback(ctx)
	var exists bool
	err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1)",
		djangoschema.MarkerTable).Scan(&exists)
	if err != nil {
		return fmt.Errorf("pgxstore: create schema: %w", err)
	}
	if exists {
		return nil
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return fmt.Errorf("pgxstore: create schema: %.60s...: %w", s, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgxstore: create schema: %w", err)
	}
	return nil
}
