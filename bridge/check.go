package bridge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/sqlstore"
)

// SessionSample is how many of the newest django_session rows Check
// decodes to compare SECRET_KEY with the key Django signed them with.
const SessionSample = 20

// CheckError is what Check found wrong: one Problem per finding, each
// wrapping one of ErrUnreachable, ErrSchema, ErrRelease or ErrKeyMismatch.
// errors.Is(err, ErrSchema) reports whether any problem is of that kind.
type CheckError struct {
	Problems []error
}

func (e *CheckError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the problems, for errors.Is and errors.As.
func (e *CheckError) Unwrap() []error { return e.Problems }

// djangoTables are the tables of django.contrib.contenttypes and auth that
// djangouser reads, with the columns Django's migrate gives them (3.2
// through 6.1: auth has had no migration since 0012, contenttypes since
// 0002).
var djangoTables = []struct {
	name string
	cols []string
}{
	{"django_content_type", []string{"id", "app_label", "model"}},
	{"auth_permission", []string{"id", "name", "content_type_id", "codename"}},
	{"auth_group", []string{"id", "name"}},
	{"auth_group_permissions", []string{"id", "group_id", "permission_id"}},
}

// Check verifies, at startup, what would otherwise show up as a 503 when
// the first logged-in user arrives:
//
//   - the database answers (ErrUnreachable), and so does the cache of the
//     cache and cached_db engines; for Django's DatabaseCache, its table
//     (CACHES LOCATION) exists with the columns `manage.py
//     createcachetable` makes (ErrSchema, saying to run it);
//   - django_session (db and cached_db engines), AUTH_USER_MODEL's table,
//     its groups and permissions tables (unless the model has no
//     PermissionsMixin: UserModel.NoPermissionsMixin), auth_group, auth_permission and
//     django_content_type exist with the columns Django's migrate creates
//     (ErrSchema, naming what is missing and saying to run manage.py
//     migrate);
//   - django_migrations records exactly the auth, contenttypes and
//     sessions migrations of DjangoVersion (ErrRelease when it records
//     ones that release does not have: a newer Django migrated it;
//     ErrSchema when it lacks some: migrate was not run to the end). From
//     3.2 to 6.1 these apps' migrations are the same, so this tells a
//     database of a newer Django, or an unfinished migrate, not 4.2 from 5.2;
//   - with the db or cached_db engine, SECRET_KEY and SECRET_KEY_FALLBACKS
//     verify at least one of the SessionSample newest sessions in
//     django_session (ErrKeyMismatch when sessions exist and none
//     verifies: the key is not the one Django signs with).
//
// It returns nil or a *CheckError listing every problem. Check reads only;
// it never writes to the database.
func (b *Bridge) Check(ctx context.Context) error {
	var probs []error
	add := func(kind error, format string, args ...any) {
		probs = append(probs, fmt.Errorf("%w: "+format, append([]any{kind}, args...)...))
	}
	db, d := b.db.SQL, b.db.Dialect
	if err := db.PingContext(ctx); err != nil {
		add(ErrUnreachable, "%s does not answer: %v", b.db.Redacted, err)
		return &CheckError{probs}
	}
	engine, _ := djangobridge.EngineName(b.Settings.SessionEngine)
	usesDB := engine == djangobridge.EngineDB || engine == djangobridge.EngineCachedDB
	usesCache := engine == djangobridge.EngineCache || engine == djangobridge.EngineCachedDB
	if _, inDB := b.cache.(databaseCache); inDB && usesCache {
		if err := checkCacheTable(ctx, db, d, b.Settings.Cache.Location[0]); err != nil {
			probs = append(probs, err)
		}
	} else if b.cache != nil && usesCache {
		if err := b.cache.Ping(ctx); err != nil {
			name := "CACHE_URL"
			if bk := b.Settings.Cache.Backend; bk != "" {
				name = "CACHES BACKEND " + bk // not LOCATION: a Redis URL may hold a password
			}
			add(ErrUnreachable, "the cache (%s) does not answer: %v", name, err)
		}
	}

	type table struct {
		name string
		cols []string
	}
	var tables []table
	if usesDB {
		tables = append(tables, table{sqlstore.SessionTable, []string{"session_key", "session_data", "expire_date"}})
	}
	m, err := djangouser.ModelOf(b.Settings)
	if err != nil {
		add(ErrSchema, "AUTH_USER_MODEL: %v", err)
	} else {
		tables = append(tables, table{m.Table, append([]string{m.PKColumn}, djangouser.UserColumns(m)...)})
		if djangouser.HasPermissionsMixin(m) {
			// A model without PermissionsMixin has no groups and
			// user_permissions, hence no such tables.
			tables = append(tables,
				table{m.GroupsTable, []string{"id", m.M2MColumn, "group_id"}},
				table{m.UserPermissionsTable, []string{"id", m.M2MColumn, "permission_id"}})
		}
	}
	for _, t := range djangoTables {
		tables = append(tables, table(t))
	}
	var missingTables []string
	for _, t := range tables {
		have, err := columns(ctx, db, d, t.name)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			add(ErrUnreachable, "reading the columns of %s: %v", t.name, err)
			continue
		}
		if have == nil {
			missingTables = append(missingTables, t.name)
			continue
		}
		var lack []string
		for _, c := range t.cols {
			if !slices.Contains(have, strings.ToLower(c)) {
				lack = append(lack, c)
			}
		}
		if lack != nil {
			add(ErrSchema, "table %s lacks the column(s) %s that Django's migrate creates: run `python manage.py migrate` with this database, or correct Settings.UserModel", t.name, strings.Join(lack, ", "))
		}
	}
	if missingTables != nil {
		add(ErrSchema, "%s has no table %s: run `python manage.py migrate` with this database (is DATABASE_URL the database Django uses?)", b.db.Redacted, strings.Join(missingTables, ", "))
	}

	probs = append(probs, b.checkMigrations(ctx, db, d, usesDB)...)
	if usesDB && !slices.Contains(missingTables, sqlstore.SessionTable) {
		if err := b.checkSessions(ctx, db, d); err != nil {
			probs = append(probs, err)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	return &CheckError{probs}
}

// checkCacheTable reports whether the DatabaseCache table exists with
// the columns createcachetable makes (cache_key, value, expires).
func checkCacheTable(ctx context.Context, db *sql.DB, d sqlstore.Dialect, table string) error {
	have, err := columns(ctx, db, d, table)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%w: reading the columns of the cache table %s: %v", ErrUnreachable, table, err)
	}
	var lack []string
	for _, c := range []string{"cache_key", "value", "expires"} {
		if !slices.Contains(have, c) {
			lack = append(lack, c)
		}
	}
	switch {
	case have == nil:
		return fmt.Errorf("%w: there is no cache table %s (CACHES LOCATION of the DatabaseCache): run `python manage.py createcachetable` with this database", ErrSchema, table)
	case lack != nil:
		return fmt.Errorf("%w: the cache table %s lacks the column(s) %s: is LOCATION the table `python manage.py createcachetable` made?", ErrSchema, table, strings.Join(lack, ", "))
	}
	return nil
}

// checkMigrations compares django_migrations with the release's list.
func (b *Bridge) checkMigrations(ctx context.Context, db *sql.DB, d sqlstore.Dialect, usesDB bool) []error {
	rel, err := b.Settings.Release()
	if err != nil {
		return []error{fmt.Errorf("%w: %w", ErrConfig, err)}
	}
	have, err := columns(ctx, db, d, "django_migrations")
	if err != nil || have == nil {
		return nil // no table: the table checks already say to migrate
	}
	rows, err := db.QueryContext(ctx, "SELECT app, name FROM django_migrations WHERE app IN ('auth', 'contenttypes', 'sessions')")
	if err != nil {
		return []error{fmt.Errorf("%w: reading django_migrations: %v", ErrUnreachable, err)}
	}
	defer rows.Close()
	recorded := map[string]bool{}
	for rows.Next() {
		var app, name string
		if err := rows.Scan(&app, &name); err != nil {
			return []error{fmt.Errorf("%w: reading django_migrations: %v", ErrUnreachable, err)}
		}
		recorded[app+"."+name] = true
	}
	if err := rows.Err(); err != nil {
		return []error{fmt.Errorf("%w: reading django_migrations: %v", ErrUnreachable, err)}
	}
	known := map[string]bool{}
	var missing []string
	for _, mg := range rel.Migrations {
		known[mg] = true
		if !usesDB && strings.HasPrefix(mg, "sessions.") {
			continue
		}
		if !recorded[mg] {
			missing = append(missing, mg)
		}
	}
	var unknown []string
	for mg := range recorded {
		if !known[mg] {
			unknown = append(unknown, mg)
		}
	}
	slices.Sort(unknown)
	var probs []error
	if unknown != nil {
		probs = append(probs, fmt.Errorf("%w: django_migrations records %s, which Django %s does not have: a newer Django migrated this database; set DJANGO_VERSION (Settings.DjangoVersion) to that release", ErrRelease, strings.Join(unknown, ", "), rel.Version))
	}
	if missing != nil {
		probs = append(probs, fmt.Errorf("%w: django_migrations lacks %s: run `python manage.py migrate` with this database (or it was migrated by a Django older than %s: set DJANGO_VERSION to that release)", ErrSchema, strings.Join(missing, ", "), rel.Version))
	}
	return probs
}

// checkSessions decodes the newest sessions with the configured keys.
func (b *Bridge) checkSessions(ctx context.Context, db *sql.DB, d sqlstore.Dialect) error {
	codec, err := djangosession.NewCodec(b.Settings)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	rows, err := db.QueryContext(ctx, fmt.Sprintf("SELECT session_data FROM django_session ORDER BY expire_date DESC LIMIT %d", SessionSample))
	if err != nil {
		return fmt.Errorf("%w: reading django_session: %v", ErrUnreachable, err)
	}
	defer rows.Close()
	var n, verified, badSig int
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return fmt.Errorf("%w: reading django_session: %v", ErrUnreachable, err)
		}
		n++
		_, err := codec.Decode(data)
		switch {
		case err == nil:
			verified++
		case errors.Is(err, djangosession.ErrBadSignature):
			badSig++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: reading django_session: %v", ErrUnreachable, err)
	}
	if verified == 0 && badSig > 0 {
		fb := "no SECRET_KEY_FALLBACKS"
		if k := len(b.Settings.SecretKeyFallbacks); k > 0 {
			fb = fmt.Sprintf("%d SECRET_KEY_FALLBACKS", k)
		}
		return fmt.Errorf("%w: SECRET_KEY (with %s) verifies none of the %d newest sessions in django_session: the key does not match the one Django signed them with, so every Django user would be logged out on the Go side; copy SECRET_KEY from Django's settings.py (after a key rotation, put the old key in SECRET_KEY_FALLBACKS)", ErrKeyMismatch, fb, n)
	}
	return nil
}

// columns returns the lower-cased column names of table, or nil (and no
// error) when the table does not exist. It reads the catalog only.
func columns(ctx context.Context, db *sql.DB, d sqlstore.Dialect, table string) ([]string, error) {
	var q string
	switch d {
	case sqlstore.SQLite:
		q = "SELECT name FROM pragma_table_info(?)"
	case sqlstore.PostgreSQL:
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1"
	case sqlstore.MySQL:
		q = "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?"
	default:
		return nil, fmt.Errorf("unknown dialect %v", d)
	}
	rows, err := db.QueryContext(ctx, q, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, strings.ToLower(c))
	}
	return out, rows.Err()
}
