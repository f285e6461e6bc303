package sqlcore

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
)

// Properties is djangouser.Properties over the user table (auth_user, or
// the custom table of Settings.UserModel) and the optional one-to-one
// profile table of Settings.UserModel.Profile: a user's fields read and
// written by name with Django's types, bound and read with Django's
// conventions for the dialect (datetimes as Users binds them, booleans as
// 0/1 or bool, dates as "YYYY-MM-DD"). Reading all properties is one
// query (a LEFT JOIN of the profile); a write is one transaction that
// first locks the user's row (SELECT ... FOR UPDATE on PostgreSQL and
// MySQL; on SQLite a no-op UPDATE ... RETURNING, which takes the
// database's write lock), so that two writers never both create the
// profile row. Safe for concurrent use.
type Properties struct {
	h      Handle
	loc    *time.Location
	users  *Users // its key conversions
	schema *djangouser.PropertySchema
	model  djangobridge.UserModel
	user   []djangouser.PropertyField // user columns, in SELECT order
	prof   []djangouser.PropertyField // profile fields, in SELECT order
	q      propQueries
}

var _ djangouser.Properties = (*Properties)(nil)

type propQueries struct {
	all, lock, profileExists, insertProfile string
}

// NewProperties returns the properties store of h for the UserModel
// (ExtraFields, Profile), USE_TZ and TIME_ZONE of s. It does no I/O; a
// UserModel the properties cannot work with is djangouser.ErrConfig (see
// djangouser.NewPropertySchema).
func NewProperties(h Handle, s *djangobridge.Settings) (*Properties, error) {
	loc, err := h.location(s)
	if err != nil {
		return nil, err
	}
	schema, err := djangouser.NewPropertySchema(s)
	if err != nil {
		return nil, err
	}
	if h.Dialect == MySQL {
		schema = schema.WithMySQLRanges()
	}
	users, err := NewUsers(h, s)
	if err != nil {
		return nil, err
	}
	m := schema.Model()
	p := &Properties{h: h, loc: loc, users: users, schema: schema, model: m}
	d := h.Dialect
	q := d.Quote
	sel := []string{"u." + q(m.PKColumn)}
	for _, f := range schema.Fields() {
		if f.Profile {
			p.prof = append(p.prof, f)
		} else {
			p.user = append(p.user, f)
			sel = append(sel, "u."+q(f.Name))
		}
	}
	from := q(m.Table) + " u"
	if pr := m.Profile; pr.Table != "" {
		sel = append(sel, "p."+q(pr.UserColumn))
		for _, f := range p.prof {
			sel = append(sel, "p."+q(f.Name))
		}
		from += " LEFT JOIN " + q(pr.Table) + " p ON p." + q(pr.UserColumn) + " = u." + q(m.PKColumn)
		p.q.profileExists = d.Rebind("SELECT 1 FROM " + q(pr.Table) + " WHERE " + q(pr.UserColumn) + " = ?")
		cols := []string{q(pr.UserColumn)}
		for _, f := range p.prof {
			cols = append(cols, q(f.Name))
		}
		p.q.insertProfile = d.Rebind("INSERT INTO " + q(pr.Table) + " (" + strings.Join(cols, ", ") + ") VALUES (" +
			strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")")
	}
	p.q.all = d.Rebind("SELECT " + strings.Join(sel, ", ") + " FROM " + from + " WHERE u." + q(m.UsernameField) + " = ?")
	if d == SQLite {
		// No FOR UPDATE: a no-op UPDATE takes SQLite's write lock at once
		// (a read first would fail with SQLITE_BUSY when two writers race).
		p.q.lock = "UPDATE " + q(m.Table) + " SET " + q(m.PKColumn) + " = " + q(m.PKColumn) + " WHERE " + q(m.UsernameField) + " = ? RETURNING " + q(m.PKColumn)
	} else {
		p.q.lock = d.Rebind("SELECT " + q(m.PKColumn) + " FROM " + q(m.Table) + " WHERE " + q(m.UsernameField) + " = ? FOR UPDATE")
	}
	return p, nil
}

// Schema returns the properties the store knows.
func (p *Properties) Schema() *djangouser.PropertySchema { return p.schema }

// All implements djangouser.Properties.
func (p *Properties) All(ctx context.Context, username string) (map[string]any, error) {
	n := 1 + len(p.user)
	if p.model.Profile.Table != "" {
		n += 1 + len(p.prof)
	}
	vals := make([]any, n)
	dest := make([]any, n)
	for i := range vals {
		dest[i] = &vals[i]
	}
	if err := p.h.DB.QueryRow(ctx, p.q.all, username).Scan(dest...); err != nil {
		if p.h.noRows(err) {
			return nil, fmt.Errorf("%w: %q", djangouser.ErrUserNotFound, username)
		}
		return nil, p.h.errorf("properties of %q: %w", username, err)
	}
	out := make(map[string]any, n)
	i := 1
	for _, f := range p.user {
		v, err := DecodeProperty(p.h.Dialect, p.loc, f, vals[i])
		if err != nil {
			return nil, p.h.errorf("properties of %q: %s: %w", username, f.Name, err)
		}
		out[f.Name] = v
		i++
	}
	if p.model.Profile.Table != "" && vals[i] != nil {
		for _, f := range p.prof {
			i++
			v, err := DecodeProperty(p.h.Dialect, p.loc, f, vals[i])
			if err != nil {
				return nil, p.h.errorf("properties of %q: %s: %w", username, f.Name, err)
			}
			out[f.Name] = v
		}
	}
	return out, nil
}

// Get implements djangouser.Properties.
func (p *Properties) Get(ctx context.Context, username, name string) (any, error) {
	f, err := p.schema.Field(name)
	if err != nil {
		return nil, err
	}
	all, err := p.All(ctx, username)
	if err != nil {
		return nil, err
	}
	v, ok := all[name]
	if !ok && f.Profile {
		return nil, &djangouser.PropertyError{Name: name, Err: djangouser.ErrPropertyNotSet, Detail: "the user has no profile row"}
	}
	return v, nil
}

// Set implements djangouser.Properties.
func (p *Properties) Set(ctx context.Context, username, name string, value any) error {
	return p.SetMany(ctx, username, map[string]any{name: value})
}

// SetMany implements djangouser.Properties: every value is checked
// before the transaction starts.
func (p *Properties) SetMany(ctx context.Context, username string, values map[string]any) error {
	checked := make(map[string]any, len(values))
	for name, v := range values {
		_, nv, err := p.schema.Value(name, v)
		if err != nil {
			return err
		}
		checked[name] = nv
	}
	return p.write(ctx, username, checked, false)
}

// Remove implements djangouser.Properties.
func (p *Properties) Remove(ctx context.Context, username, name string) error {
	_, v, err := p.schema.Cleared(name)
	if err != nil {
		return err
	}
	return p.write(ctx, username, map[string]any{name: v}, true)
}

// write stores checked values in one transaction; removing never creates
// the profile row.
func (p *Properties) write(ctx context.Context, username string, values map[string]any, removing bool) error {
	if len(values) == 0 {
		_, err := p.All(ctx, username) // the user must exist all the same
		return err
	}
	var userSet, profSet []string
	var userArgs, profArgs []any
	prof := map[string]any{}
	d := p.h.Dialect
	for _, f := range p.schema.Fields() { // schema order: the same SQL for the same names
		v, ok := values[f.Name]
		if !ok {
			continue
		}
		if f.Profile {
			prof[f.Name] = v
			profSet = append(profSet, d.Quote(f.Name)+" = ?")
			profArgs = append(profArgs, p.arg(f, v))
		} else {
			userSet = append(userSet, d.Quote(f.Name)+" = ?")
			userArgs = append(userArgs, p.arg(f, v))
		}
	}
	var insertArgs []any
	var rowErr error // a NOT NULL profile field with no value: only an error when the row is missing
	if len(prof) > 0 && !removing {
		var row map[string]any
		if row, rowErr = p.schema.ProfileRow(prof); rowErr == nil {
			insertArgs = make([]any, 0, 1+len(p.prof))
			insertArgs = append(insertArgs, nil) // the user's key, below
			for _, f := range p.prof {
				insertArgs = append(insertArgs, p.arg(f, row[f.Name]))
			}
		}
	}
	return p.h.DB.InTx(ctx, func(tx Querier) error {
		var raw any
		if err := tx.QueryRow(ctx, p.q.lock, username).Scan(&raw); err != nil {
			if p.h.noRows(err) {
				return fmt.Errorf("%w: %q", djangouser.ErrUserNotFound, username)
			}
			return p.h.errorf("properties of %q: %w", username, err)
		}
		id, err := p.users.pkValue(raw)
		if err != nil {
			return p.h.errorf("properties of %q: %w", username, err)
		}
		pk, err := p.users.pkArg(id)
		if err != nil {
			return err
		}
		if len(userSet) > 0 {
			q := d.Rebind("UPDATE " + d.Quote(p.model.Table) + " SET " + strings.Join(userSet, ", ") +
				" WHERE " + d.Quote(p.model.PKColumn) + " = ?")
			if _, err := tx.Exec(ctx, q, append(userArgs, pk)...); err != nil {
				if IsUniqueViolation(err) {
					return fmt.Errorf("%w: %v", djangouser.ErrUserExists, err)
				}
				return p.h.errorf("set properties of %q: %w", username, err)
			}
		}
		if len(profSet) == 0 {
			return nil
		}
		var one int64
		err = tx.QueryRow(ctx, p.q.profileExists, pk).Scan(&one)
		switch {
		case err == nil:
			q := d.Rebind("UPDATE " + d.Quote(p.model.Profile.Table) + " SET " + strings.Join(profSet, ", ") +
				" WHERE " + d.Quote(p.model.Profile.UserColumn) + " = ?")
			if _, err := tx.Exec(ctx, q, append(profArgs, pk)...); err != nil {
				return p.h.errorf("set profile of %q: %w", username, err)
			}
		case !p.h.noRows(err):
			return p.h.errorf("profile of %q: %w", username, err)
		case removing:
			// No profile row: the property is already unset.
		case rowErr != nil:
			return rowErr // the transaction rolls back what it wrote
		default:
			insertArgs[0] = pk
			if _, err := tx.Exec(ctx, p.q.insertProfile, insertArgs...); err != nil {
				return p.h.errorf("create profile of %q: %w", username, err)
			}
		}
		return nil
	})
}

// arg is the value bound for field f holding v (checked by the schema).
func (p *Properties) arg(f djangouser.PropertyField, v any) any {
	if v == nil {
		return nil
	}
	switch f.Kind {
	case djangouser.KindDateTime:
		return p.h.Dialect.TimeArg(v.(time.Time), p.loc)
	case djangouser.KindDate:
		return v.(time.Time).Format(time.DateOnly)
	}
	return v
}

// DecodeProperty turns the value a driver scanned from field f's column
// (into an *any) into the property's Go value, reading text as Django's
// backends do: booleans as 0/1, "t"/"f" or bool; integers and floats
// from their decimal text; datetimes as Handle.Time reads them (naive in
// loc on SQLite and MySQL); dates at midnight UTC. NULL is nil.
func DecodeProperty(d Dialect, loc *time.Location, f djangouser.PropertyField, src any) (any, error) {
	if src == nil {
		return nil, nil
	}
	if b, ok := src.([]byte); ok {
		src = string(b)
	}
	switch f.Kind {
	case djangouser.KindString:
		if s, ok := src.(string); ok {
			return s, nil
		}
	case djangouser.KindBool:
		var b bool
		if err := (boolScan{&b}).Scan(src); err != nil {
			return nil, err
		}
		return b, nil
	case djangouser.KindInt:
		switch n := src.(type) {
		case int64:
			return n, nil
		case uint64: // MySQL's BIGINT UNSIGNED (PositiveBigIntegerField), text protocol
			if n > math.MaxInt64 {
				return nil, fmt.Errorf("%d does not fit the int64 of a property", n)
			}
			return int64(n), nil
		case int32:
			return int64(n), nil
		case int16:
			return int64(n), nil
		case int8:
			return int64(n), nil
		case string:
			return strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		}
	case djangouser.KindFloat:
		switch n := src.(type) {
		case float64:
			return n, nil
		case float32:
			return float64(n), nil
		case int64:
			return float64(n), nil
		case string:
			return strconv.ParseFloat(strings.TrimSpace(n), 64)
		}
	case djangouser.KindDateTime:
		var t *time.Time
		ts := timeScan{naive: d != PostgreSQL, loc: loc, null: &t}
		if err := ts.Scan(src); err != nil {
			return nil, err
		}
		if t == nil {
			return nil, nil
		}
		return *t, nil
	case djangouser.KindDate:
		switch x := src.(type) {
		case time.Time:
			return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC), nil
		case string:
			s := strings.TrimSpace(x)
			if len(s) > 10 {
				s = s[:10]
			}
			return time.Parse(time.DateOnly, s)
		}
	}
	return nil, fmt.Errorf("cannot read a %s from %T", f.Type, src)
}
