package djangouser

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/djangobridge/djangobridge"
)

// Properties is RestAuth's property backend over Django's tables: a
// user's fields read and written by name, with Django's types. The
// properties of a user are the columns of the user model (auth.User's, or
// a custom model's: Settings.UserModel, its ExtraFields) and, when
// Settings.UserModel.Profile names one, the fields of a one-to-one profile
// model. The password and the primary keys are not properties
// (ErrProtectedProperty): the password has its own API (Auth.SetPassword).
//
// Values have the Go type of the field's Django type (see
// djangobridge.Field.Type): string, bool, int64, float64, time.Time, or nil
// for NULL. Set also takes the other Go integer types (and integers for a
// FloatField) and stores them as the field's type.
//
// Users are named by their USERNAME_FIELD. Errors: ErrUserNotFound for an
// unknown user; a *PropertyError wrapping ErrUnknownProperty,
// ErrProtectedProperty, ErrPropertyValue, ErrPropertyRequired or
// ErrPropertyNotSet; ErrUserExists when a new username is taken. A write
// that fails writes nothing. Implementations: sqlstore.Properties and
// pgxstore.Properties (Django's tables), MemoryProperties (tests). They are
// safe for concurrent use.
type Properties interface {
	// All returns every property of the user: each user column, and each
	// profile field when the user has a profile row (Django's user.profile
	// exists). One query.
	All(ctx context.Context, username string) (map[string]any, error)
	// Get returns one property. A profile field of a user without a
	// profile row is ErrPropertyNotSet (Django's RelatedObjectDoesNotExist).
	Get(ctx context.Context, username, name string) (any, error)
	// Set writes one property (create or update): a profile field of a
	// user without a profile row creates the row, every other field at
	// its default, as Profile(user=user, name=value).save() would.
	Set(ctx context.Context, username, name string, value any) error
	// SetMany writes several properties in one transaction: all or none.
	SetMany(ctx context.Context, username string, values map[string]any) error
	// Remove sets the property back to NULL (null=True) or to the field's
	// default; a NOT NULL field with no default (and USERNAME_FIELD) is
	// ErrPropertyRequired. Removing a profile field of a user without a
	// profile row does nothing.
	Remove(ctx context.Context, username, name string) error
}

// Errors of Properties, wrapped in a *PropertyError that names the
// property; test them with errors.Is.
var (
	// ErrUnknownProperty: no column of the user model or profile has that
	// name (PropertyError.Known lists those that do).
	ErrUnknownProperty = errors.New("djangouser: unknown property")
	// ErrProtectedProperty: the password or a primary key, which are not
	// written by name (set passwords with Auth.SetPassword).
	ErrProtectedProperty = errors.New("djangouser: protected property")
	// ErrPropertyValue: a value of the wrong Go type for the field, NULL
	// for a NOT NULL field, or one Django's database would refuse (too
	// long, out of range, invalid UTF-8 or a NUL character, NaN).
	ErrPropertyValue = errors.New("djangouser: bad property value")
	// ErrPropertyRequired: removing a NOT NULL field with no default (or
	// USERNAME_FIELD), or creating a profile row without a value for one.
	ErrPropertyRequired = errors.New("djangouser: property is required")
	// ErrPropertyNotSet: Get of a profile field of a user who has no
	// profile row.
	ErrPropertyNotSet = errors.New("djangouser: property not set")
)

// PropertyError is the error of a property operation: Err is one of the
// errors above, Name the property.
type PropertyError struct {
	Name   string
	Err    error
	Detail string   // what is wrong, for the message
	Known  []string // the known property names, sorted (ErrUnknownProperty)
}

func (e *PropertyError) Error() string {
	msg := fmt.Sprintf("%v: %q", e.Err, e.Name)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if len(e.Known) > 0 {
		msg += " (known: " + strings.Join(e.Known, ", ") + ")"
	}
	return msg
}

// Unwrap returns Err.
func (e *PropertyError) Unwrap() error { return e.Err }

// Django field types a property may have (djangobridge.Field.Type).
const (
	CharField                 = "CharField"
	EmailField                = "EmailField"
	SlugField                 = "SlugField"
	URLField                  = "URLField"
	TextField                 = "TextField"
	BooleanField              = "BooleanField"
	IntegerField              = "IntegerField"
	SmallIntegerField         = "SmallIntegerField"
	BigIntegerField           = "BigIntegerField"
	PositiveIntegerField      = "PositiveIntegerField"
	PositiveSmallIntegerField = "PositiveSmallIntegerField"
	PositiveBigIntegerField   = "PositiveBigIntegerField"
	FloatField                = "FloatField"
	DateTimeField             = "DateTimeField"
	DateField                 = "DateField"
)

// Kind is the Go type of a field's values.
type Kind int

// The kinds of field values.
const (
	KindString   Kind = iota + 1 // string
	KindBool                     // bool
	KindInt                      // int64
	KindFloat                    // float64
	KindDateTime                 // time.Time
	KindDate                     // time.Time at midnight UTC: a date is written as t's calendar date in t's own Location (pass t.In(loc) for Django's make_naive of an aware datetime under USE_TZ)
)

// intRange is the range of each integer field, as Django's
// integer_field_ranges of SQLite and PostgreSQL (BaseDatabaseOperations);
// MySQL's unsigned columns widen the positive ones (mysqlIntRange).
var intRange = map[string][2]int64{
	IntegerField:              {-1 << 31, 1<<31 - 1},
	SmallIntegerField:         {-1 << 15, 1<<15 - 1},
	BigIntegerField:           {math.MinInt64, math.MaxInt64},
	PositiveIntegerField:      {0, 1<<31 - 1},
	PositiveSmallIntegerField: {0, 1<<15 - 1},
	PositiveBigIntegerField:   {0, math.MaxInt64},
}

// mysqlIntRange is what MySQL's DatabaseOperations.integer_field_ranges
// changes (django/db/backends/mysql/operations.py): unsigned columns.
// PositiveBigIntegerField's 2**64-1 is cut to int64's maximum.
var mysqlIntRange = map[string][2]int64{
	PositiveIntegerField:      {0, 1<<32 - 1},
	PositiveSmallIntegerField: {0, 1<<16 - 1},
}

// KindOf returns the kind of Django field type t, and false for a type
// Properties does not support.
func KindOf(t string) (Kind, bool) {
	switch t {
	case CharField, EmailField, SlugField, URLField, TextField:
		return KindString, true
	case BooleanField:
		return KindBool, true
	case FloatField:
		return KindFloat, true
	case DateTimeField:
		return KindDateTime, true
	case DateField:
		return KindDate, true
	}
	if _, ok := intRange[t]; ok {
		return KindInt, true
	}
	return 0, false
}

// UserFields returns auth.User's fields (AbstractUser's, the same from
// Django 3.2 to 6.1) other than id and password, in column order:
// last_login (DateTimeField, null), is_superuser (BooleanField, default
// False), username (CharField, 150), first_name and last_name (CharField,
// 150, blank), email (EmailField, 254, blank), is_staff (default False),
// is_active (default True), date_joined (DateTimeField, default
// timezone.now: not removable).
func UserFields() []djangobridge.Field {
	return []djangobridge.Field{
		{Name: ColLastLogin, Type: DateTimeField, Null: true},
		{Name: ColIsSuperuser, Type: BooleanField, Default: false},
		{Name: ColUsername, Type: CharField, MaxLength: 150},
		{Name: ColFirstName, Type: CharField, MaxLength: 150},
		{Name: ColLastName, Type: CharField, MaxLength: 150},
		{Name: ColEmail, Type: EmailField, MaxLength: 254},
		{Name: ColIsStaff, Type: BooleanField, Default: false},
		{Name: ColIsActive, Type: BooleanField, Default: true},
		{Name: ColDateJoined, Type: DateTimeField},
	}
}

// PropertyField is one property: a field of the user model or, with
// Profile set, of its profile model.
type PropertyField struct {
	djangobridge.Field
	Kind    Kind
	Profile bool
	mysql   bool // integer ranges of MySQL's unsigned columns (WithMySQLRanges)
}

// PropertySchema is the list of a user's properties that the Settings
// describe, and the rules of their values: what every Properties
// implementation checks before it writes, so that they all answer alike.
// It is immutable and safe for concurrent use.
type PropertySchema struct {
	model     djangobridge.UserModel
	fields    []PropertyField
	byName    map[string]int
	known     []string
	protected []string
}

// NewPropertySchema returns the properties of s.UserModel (with Django's
// defaults filled in, see ModelOf): its columns but the password and the
// primary key, each typed by UserModel.ExtraFields or UserFields, then the
// fields of UserModel.Profile. An extra column with no type, a type
// Properties does not support, a default of the wrong type, or a profile
// field named like a user column is ErrConfig, naming the fix.
func NewPropertySchema(s *djangobridge.Settings) (*PropertySchema, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: nil Settings: start from djangobridge.Defaults()", ErrConfig)
	}
	m, err := ModelOf(s)
	if err != nil {
		return nil, err
	}
	p := &PropertySchema{model: m, byName: map[string]int{}}
	p.protected = []string{ColPassword, m.PKColumn, "pk"}
	std := map[string]djangobridge.Field{}
	for _, f := range UserFields() {
		std[f.Name] = f
	}
	for _, f := range m.ExtraFields {
		if slices.Contains(p.protected, f.Name) {
			return nil, fmt.Errorf("%w: UserModel.ExtraFields names %q, which is not a property: leave it out", ErrConfig, f.Name)
		}
		std[f.Name] = f
	}
	add := func(f djangobridge.Field, profile bool) error {
		where := "UserModel.ExtraFields"
		if profile {
			where = "UserModel.Profile.Fields"
		}
		if slices.Contains(p.protected, f.Name) {
			return fmt.Errorf("%w: %s names %q, which is not a property", ErrConfig, where, f.Name)
		}
		if _, dup := p.byName[f.Name]; dup {
			return fmt.Errorf("%w: %s names %q twice (profile fields must be named unlike the user's columns)", ErrConfig, where, f.Name)
		}
		k, ok := KindOf(f.Type)
		if !ok {
			return fmt.Errorf("%w: %s %q has type %q: want one of CharField, EmailField, SlugField, URLField, TextField, BooleanField, "+
				"IntegerField, SmallIntegerField, BigIntegerField, PositiveIntegerField, PositiveSmallIntegerField, PositiveBigIntegerField, "+
				"FloatField, DateTimeField, DateField", ErrConfig, where, f.Name, f.Type)
		}
		pf := PropertyField{Field: f, Kind: k, Profile: profile}
		if f.Default != nil {
			v, err := pf.check(f.Default)
			if err != nil {
				return fmt.Errorf("%w: %s %q: Default %v (%T): %v", ErrConfig, where, f.Name, f.Default, f.Default, err)
			}
			pf.Default = v
		}
		p.byName[f.Name] = len(p.fields)
		p.fields = append(p.fields, pf)
		return nil
	}
	for _, c := range UserColumns(m) {
		if c == ColPassword {
			continue
		}
		f, ok := std[c]
		if !ok {
			return nil, fmt.Errorf("%w: UserModel.ExtraColumns %q has no type: describe it in UserModel.ExtraFields, e.g. "+
				"djangobridge.Field{Name: %q, Type: \"CharField\", MaxLength: 150}", ErrConfig, c, c)
		}
		if err := add(f, false); err != nil {
			return nil, err
		}
	}
	if m.Profile.Table != "" {
		pr := m.Profile
		for _, c := range []string{pr.PKColumn, pr.UserColumn} {
			if _, clash := p.byName[c]; !clash && !slices.Contains(p.protected, c) {
				p.protected = append(p.protected, c)
			}
		}
		for _, f := range pr.Fields {
			if f.Name == pr.PKColumn || f.Name == pr.UserColumn {
				return nil, fmt.Errorf("%w: UserModel.Profile.Fields names %q, the profile's key: leave it out", ErrConfig, f.Name)
			}
			if err := add(f, true); err != nil {
				return nil, err
			}
		}
	} else if len(m.Profile.Fields) > 0 {
		return nil, fmt.Errorf("%w: UserModel.Profile has Fields but no Table: set Profile.Table to the profile's db_table", ErrConfig)
	}
	for _, f := range p.fields {
		p.known = append(p.known, f.Name)
	}
	slices.Sort(p.known)
	return p, nil
}

// Model returns the UserModel, with Django's defaults filled in.
// WithMySQLRanges returns a copy of p whose positive integer fields take
// the ranges of MySQL's unsigned columns (0 to 65535, 0 to 4294967295), as
// Django's MySQL backend validates them; sqlstore uses it on MySQL/MariaDB.
func (p *PropertySchema) WithMySQLRanges() *PropertySchema {
	c := *p
	c.fields = slices.Clone(p.fields)
	for i := range c.fields {
		c.fields[i].mysql = true
	}
	return &c
}

func (p *PropertySchema) Model() djangobridge.UserModel { return p.model }

// Fields returns every property, user columns first, then profile fields.
func (p *PropertySchema) Fields() []PropertyField { return slices.Clone(p.fields) }

// Names returns every property name, sorted.
func (p *PropertySchema) Names() []string { return slices.Clone(p.known) }

// Field returns the property called name: ErrProtectedProperty for the
// password and primary keys, ErrUnknownProperty (listing the known names)
// for a name that is no property.
func (p *PropertySchema) Field(name string) (PropertyField, error) {
	if i, ok := p.byName[name]; ok {
		return p.fields[i], nil
	}
	if slices.Contains(p.protected, name) {
		detail := "a primary key is not written by name"
		if name == ColPassword {
			detail = "set passwords with Auth.SetPassword (make_password), never by name"
		}
		return PropertyField{}, &PropertyError{Name: name, Err: ErrProtectedProperty, Detail: detail}
	}
	return PropertyField{}, &PropertyError{Name: shorten(name), Err: ErrUnknownProperty, Known: p.Names()}
}

// Value returns the property called name and v as that field stores it
// (int64 for any Go integer of an integer field, a time truncated to
// microseconds, a date at midnight UTC), or the error of Field, or a
// *PropertyError wrapping ErrPropertyValue.
func (p *PropertySchema) Value(name string, v any) (PropertyField, any, error) {
	f, err := p.Field(name)
	if err != nil {
		return f, nil, err
	}
	nv, err := f.check(v)
	if err != nil {
		return f, nil, &PropertyError{Name: name, Err: ErrPropertyValue, Detail: err.Error()}
	}
	return f, nv, nil
}

// Cleared returns the property called name and the value removing it
// writes: NULL (nil) or the field's default (see djangobridge.Field.Default).
// USERNAME_FIELD, and a NOT NULL field with no default, are
// ErrPropertyRequired.
func (p *PropertySchema) Cleared(name string) (PropertyField, any, error) {
	f, err := p.Field(name)
	if err != nil {
		return f, nil, err
	}
	if !f.Profile && name == p.model.UsernameField {
		return f, nil, &PropertyError{Name: name, Err: ErrPropertyRequired, Detail: "it is USERNAME_FIELD"}
	}
	v, ok := f.DefaultValue()
	if !ok {
		return f, nil, &PropertyError{Name: name, Err: ErrPropertyRequired, Detail: "NOT NULL with no default"}
	}
	return f, v, nil
}

// ProfileRow returns the value of every profile field for a new profile
// row given values (already checked by Value): the given one, else the
// field's default; a NOT NULL field with neither is ErrPropertyRequired.
func (p *PropertySchema) ProfileRow(values map[string]any) (map[string]any, error) {
	row := make(map[string]any, len(p.model.Profile.Fields))
	for _, f := range p.fields {
		if !f.Profile {
			continue
		}
		if v, ok := values[f.Name]; ok {
			row[f.Name] = v
			continue
		}
		v, ok := f.DefaultValue()
		if !ok {
			return nil, &PropertyError{Name: f.Name, Err: ErrPropertyRequired,
				Detail: "the user has no profile yet and creating it needs a value for this NOT NULL field with no default"}
		}
		row[f.Name] = v
	}
	return row, nil
}

// DefaultValue is Field.get_default() for a constant default: Default,
// else "" for a string field that is not null, else nil when Null; ok is
// false when the field has none.
func (f PropertyField) DefaultValue() (v any, ok bool) {
	switch {
	case f.Default != nil:
		return f.Default, true
	case f.Null:
		return nil, true
	case f.Kind == KindString:
		return "", true
	}
	return nil, false
}

// check returns v as the field stores it, or what is wrong with it.
func (f PropertyField) check(v any) (any, error) {
	if v == nil {
		if f.Null {
			return nil, nil
		}
		return nil, errors.New("the column is NOT NULL (null=False)")
	}
	wrong := func() (any, error) {
		return nil, fmt.Errorf("%s takes %s, not %T", f.Type, kindName[f.Kind], v)
	}
	switch f.Kind {
	case KindString:
		s, ok := v.(string)
		if !ok {
			return wrong()
		}
		if !utf8.ValidString(s) {
			return nil, errors.New("not valid UTF-8")
		}
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errors.New("contains a NUL character, which PostgreSQL refuses")
		}
		if f.MaxLength > 0 {
			if n := utf8.RuneCountInString(s); n > f.MaxLength {
				return nil, fmt.Errorf("%d characters, over max_length %d", n, f.MaxLength)
			}
		}
		return s, nil
	case KindBool:
		b, ok := v.(bool)
		if !ok {
			return wrong()
		}
		return b, nil
	case KindInt:
		n, ok := toInt64(v)
		if !ok {
			return wrong()
		}
		r := intRange[f.Type]
		if mr, ok := mysqlIntRange[f.Type]; ok && f.mysql {
			r = mr
		}
		if n < r[0] || n > r[1] {
			return nil, fmt.Errorf("%d is out of range [%d, %d]", n, r[0], r[1])
		}
		return n, nil
	case KindFloat:
		var x float64
		switch y := v.(type) {
		case float64:
			x = y
		case float32:
			x = float64(y)
		default:
			n, ok := toInt64(v)
			if !ok {
				return wrong()
			}
			x = float64(n)
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("%v is not a finite number", x)
		}
		return x, nil
	case KindDateTime, KindDate:
		var t time.Time
		switch y := v.(type) {
		case time.Time:
			t = y
		case *time.Time:
			if y == nil {
				return f.check(nil)
			}
			t = *y
		default:
			return wrong()
		}
		if t.Year() < 1 || t.Year() > 9999 {
			return nil, fmt.Errorf("year %d is outside Python's 1 to 9999", t.Year())
		}
		if f.Kind == KindDate {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
		if u := t.UTC(); u.Year() < 1 || u.Year() > 9999 {
			return nil, fmt.Errorf("%v is outside Python's datetime range in UTC", t)
		}
		return t.Truncate(time.Microsecond), nil
	}
	return wrong()
}

// shorten cuts a hostile name to 64 characters for messages.
func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 64 {
		return s
	}
	return string([]rune(s)[:64]) + "…"
}

var kindName = map[Kind]string{KindString: "a string", KindBool: "a bool", KindInt: "an int64 (or another Go integer)",
	KindFloat: "a float64", KindDateTime: "a time.Time", KindDate: "a time.Time (its date)"}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int16:
		return int64(n), true
	case int8:
		return int64(n), true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n), true
		}
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}
