package sqlstore

import (
	"database/sql"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

type properties = sqlcore.Properties

var _ djangouser.Properties = (*Properties)(nil)

// Properties is djangouser.Properties (RestAuth's property backend) over
// Django's tables through database/sql: a user's fields read and written by
// name with Django's types, in the user table (auth_user's columns, or a
// custom model's: Settings.UserModel.ExtraFields) and in the optional
// one-to-one profile table of Settings.UserModel.Profile, so that Django's
// ORM reads what Go wrote (user.first_name, user.profile.bio) and the
// reverse. Its methods, those of the SQL core shared with pgxstore:
//
//	All(ctx, username) (map[string]any, error)   every property, one query
//	Get(ctx, username, name) (any, error)
//	Set(ctx, username, name, value) error        creates the profile row if missing
//	SetMany(ctx, username, values) error         one transaction
//	Remove(ctx, username, name) error            NULL or the field's default
//	Schema() *djangouser.PropertySchema          the known properties
//
// Errors: djangouser.ErrUserNotFound, ErrUserExists (a taken username), a
// *djangouser.PropertyError (ErrUnknownProperty, ErrProtectedProperty,
// ErrPropertyValue, ErrPropertyRequired, ErrPropertyNotSet), or the
// driver's, wrapped. Safe for concurrent use.
type Properties struct {
	*properties
	db *sql.DB
}

// NewProperties returns the properties store of db, which speaks d, for
// the UserModel (ExtraFields, Profile), USE_TZ and TIME_ZONE of s. It does
// no I/O. A UserModel it cannot work with (an extra column with no type,
// an unsupported field type) is djangouser.ErrConfig, naming the fix.
func NewProperties(db *sql.DB, d Dialect, s *djangobridge.Settings) (*Properties, error) {
	return sqlcore.Open(handle(db, d), s, sqlcore.NewProperties, func(c *properties) *Properties { return &Properties{c, db} })
}
