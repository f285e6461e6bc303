package pbkdf2

import (
	"context"
	"crypto/hmac"
	"hash"
)

// deriveGeneric is PBKDF2-HMAC for any hash, in pure Go. crypto/hmac
// snapshots the keyed inner and outer states after the first use, so each
// iteration costs the two compressions of the message plus a state restore.
func deriveGeneric(ctx context.Context, password, salt []byte, iter, keyLen int, h func() hash.Hash) ([]byte, error) {
	prf := hmac.New(h, password)
	hLen := prf.Size()
	nBlocks := (keyLen + hLen - 1) / hLen
	dk := make([]byte, 0, nBlocks*hLen)
	var ctr [4]byte
	u := make([]byte, 0, hLen)
	for block := 1; block <= nBlocks; block++ {
		ctr[0], ctr[1], ctr[2], ctr[3] = byte(block>>24), byte(block>>16), byte(block>>8), byte(block)
		prf.Reset()
		prf.Write(salt)
		prf.Write(ctr[:])
		start := len(dk)
		dk = prf.Sum(dk)
		t := dk[start:]
		u = append(u[:0], t...)
		for n := 2; n <= iter; n++ {
			if ctx != nil && n%checkEvery == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			prf.Reset()
			prf.Write(u)
			u = prf.Sum(u[:0])
			for i := range t {
				t[i] ^= u[i]
			}
		}
	}
	return dk[:keyLen], nil
}
