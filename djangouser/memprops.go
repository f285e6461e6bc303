package djangouser

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/djangobridge/djangobridge"
)

// MemoryProperties is a Properties kept in memory, for tests: the same
// properties, values and errors as the database stores for the same
// Settings (the contract suite in djangouser/propertiestest runs on both),
// with no database. Add users with AddUser. USERNAME_FIELD is unique, as
// the database makes it; other unique constraints a project's tables have
// are not known to it. Safe for concurrent use.
type MemoryProperties struct {
	schema *PropertySchema
	now    func() time.Time

	mu    sync.Mutex
	users map[string]*memUser // by USERNAME_FIELD
}

type memUser struct {
	values  map[string]any
	profile bool
}

var _ Properties = (*MemoryProperties)(nil)

// NewMemoryProperties returns an empty MemoryProperties for the
// UserModel of s (see NewPropertySchema for its errors).
func NewMemoryProperties(s *djangobridge.Settings) (*MemoryProperties, error) {
	p, err := NewPropertySchema(s)
	if err != nil {
		return nil, err
	}
	return &MemoryProperties{schema: p, now: time.Now, users: map[string]*memUser{}}, nil
}

// Schema returns the properties m knows.
func (m *MemoryProperties) Schema() *PropertySchema { return m.schema }

// AddUser adds the user username, as create_user does: the given values
// (user columns and, to create the profile row too, profile fields), the
// other user columns at their defaults (date_joined now). A taken username
// is ErrUserExists; a NOT NULL field with no default and no value is
// ErrPropertyRequired.
func (m *MemoryProperties) AddUser(_ context.Context, username string, values map[string]any) error {
	uf := m.schema.model.UsernameField
	all := maps.Clone(values)
	if all == nil {
		all = map[string]any{}
	}
	all[uf] = username
	u := &memUser{values: map[string]any{}}
	prof := map[string]any{}
	for name, v := range all {
		f, nv, err := m.schema.Value(name, v)
		if err != nil {
			return err
		}
		if f.Profile {
			prof[name] = nv
			u.profile = true
		} else {
			u.values[name] = nv
		}
	}
	for _, f := range m.schema.fields {
		if f.Profile {
			continue
		}
		if _, ok := u.values[f.Name]; ok {
			continue
		}
		if v, ok := f.DefaultValue(); ok {
			u.values[f.Name] = v
		} else if f.Kind == KindDateTime {
			u.values[f.Name] = m.now().Truncate(time.Microsecond) // default=timezone.now
		} else {
			return &PropertyError{Name: f.Name, Err: ErrPropertyRequired, Detail: "a new user needs a value for it"}
		}
	}
	if u.profile {
		row, err := m.schema.ProfileRow(prof)
		if err != nil {
			return err
		}
		maps.Copy(u.values, row)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[username]; ok {
		return fmt.Errorf("%w: %q", ErrUserExists, username)
	}
	m.users[username] = u
	return nil
}

func (m *MemoryProperties) user(username string) (*memUser, error) {
	u, ok := m.users[username]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUserNotFound, username)
	}
	return u, nil
}

// All implements Properties.
func (m *MemoryProperties) All(ctx context.Context, username string) (map[string]any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.user(username)
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(u.values))
	for _, f := range m.schema.fields {
		if f.Profile && !u.profile {
			continue
		}
		out[f.Name] = u.values[f.Name]
	}
	return out, nil
}

// Get implements Properties.
func (m *MemoryProperties) Get(ctx context.Context, username, name string) (any, error) {
	f, err := m.schema.Field(name)
	if err != nil {
		return nil, err
	}
	all, err := m.All(ctx, username)
	if err != nil {
		return nil, err
	}
	v, ok := all[name]
	if !ok && f.Profile {
		return nil, &PropertyError{Name: name, Err: ErrPropertyNotSet, Detail: "the user has no profile"}
	}
	return v, nil
}

// Set implements Properties.
func (m *MemoryProperties) Set(ctx context.Context, username, name string, value any) error {
	return m.SetMany(ctx, username, map[string]any{name: value})
}

// SetMany implements Properties.
func (m *MemoryProperties) SetMany(ctx context.Context, username string, values map[string]any) error {
	checked := make(map[string]any, len(values))
	for name, v := range values {
		_, nv, err := m.schema.Value(name, v)
		if err != nil {
			return err
		}
		checked[name] = nv
	}
	return m.write(ctx, username, checked, false)
}

// Remove implements Properties.
func (m *MemoryProperties) Remove(ctx context.Context, username, name string) error {
	_, v, err := m.schema.Cleared(name)
	if err != nil {
		return err
	}
	return m.write(ctx, username, map[string]any{name: v}, true)
}

// write stores checked values; removing never creates the profile row.
func (m *MemoryProperties) write(ctx context.Context, username string, values map[string]any, removing bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.user(username)
	if err != nil {
		return err
	}
	next := maps.Clone(u.values)
	profile := u.profile
	prof := map[string]any{}
	for name, v := range values {
		f := m.schema.fields[m.schema.byName[name]]
		if f.Profile {
			prof[name] = v
		} else {
			next[name] = v
		}
	}
	if len(prof) > 0 {
		switch {
		case profile:
			maps.Copy(next, prof)
		case !removing:
			row, err := m.schema.ProfileRow(prof)
			if err != nil {
				return err
			}
			maps.Copy(next, row)
			profile = true
		}
	}
	newName, _ := next[m.schema.model.UsernameField].(string)
	if newName != username {
		if _, taken := m.users[newName]; taken {
			return fmt.Errorf("%w: %q", ErrUserExists, newName)
		}
	}
	u.values, u.profile = next, profile
	if newName != username {
		delete(m.users, username)
		m.users[newName] = u
	}
	return nil
}
