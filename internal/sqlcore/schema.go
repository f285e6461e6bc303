package sqlcore

import (
	"context"
	"fmt"

	"github.com/djangobridge/djangobridge/internal/djangoschema"
)

// CreateSchema creates the tables Django's migrate creates for
// contenttypes, auth and sessions (django_session, auth_user, auth_group,
// auth_permission with the permission rows, django_content_type,
// django_migrations...), exactly as Django 5.2 makes them for h's dialect
// (Django 3.2 to 6.1 use the same tables; a later `manage.py migrate` finds
// nothing to do for these apps).
//
// A database that already has django_migrations is left alone (nil
// error). The statements run in one transaction; MySQL commits each DDL
// statement on its own, so a failure there can leave some tables behind.
func CreateSchema(ctx context.Context, h Handle) error {
	if err := h.check(); err != nil {
		return err
	}
	stmts, err := djangoschema.Statements(h.Dialect.String())
	if err != nil {
		return err
	}
	var one int64
	err = h.DB.QueryRow(ctx, h.Dialect.Rebind(h.Dialect.tableExistsQuery()), djangoschema.MarkerTable).Scan(&one)
	if err == nil {
		return nil
	}
	if !h.noRows(err) {
		return h.errorf("create schema: %w", err)
	}
	err = h.DB.InTx(ctx, func(tx Querier) error {
		for _, s := range stmts {
			if _, err := tx.Exec(ctx, s); err != nil {
				return fmt.Errorf("%.60s...: %w", s, err)
			}
		}
		return nil
	})
	if err != nil {
		return h.errorf("create schema: %w", err)
	}
	return nil
}
