package pgxstore

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/sqlcore"
)

type accounts = sqlcore.Accounts

// Accounts manages users and groups over Django's tables through a pgx
// pool; see sqlstore.Accounts for its methods (the same SQL core).
type Accounts struct {
	*accounts
	pool *pgxpool.Pool
}

// NewAccounts returns the accounts store of pool for the UserModel of s.
// It does no I/O.
func NewAccounts(pool *pgxpool.Pool, s *djangobridge.Settings) (*Accounts, error) {
	return sqlcore.Open(handle(pool), s, sqlcore.NewAccounts, func(c *accounts) *Accounts { return &Accounts{c, pool} })
}
