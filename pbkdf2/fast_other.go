//go:build purego || !amd64

package pbkdf2

import (
	"context"
	"hash"
)

// deriveFast reports ok=false: there is no accelerated implementation in
// this build.
func deriveFast(ctx context.Context, password, salt []byte, iter, keyLen int, h func() hash.Hash) (dk []byte, ok bool, err error) {
	return nil, false, nil
}
