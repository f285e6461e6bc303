package pgxstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

type properties = sqlcore.Properties

var _ djangouser.Properties = (*Properties)(nil)

// Properties is djangouser.Properties (RestAuth's property backend) over
// Django's tables through a pgx pool; see sqlstore.Properties for its
// methods and errors (the same SQL core).
type Properties struct {
	*properties
	pool *pgxpool.Pool
}

// NewProperties returns the properties store of pool for the UserModel
// (ExtraFields, Profile), USE_TZ and TIME_ZONE of s. It does no I/O.
func NewProperties(pool *pgxpool.Pool, s *djangobridge.Settings) (*Properties, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewProperties, func(c *properties) *Properties { return &Properties{c, pool} })
}
