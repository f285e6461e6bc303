//go:build amd64 && !purego

//go:generate go run gen_amd64.go

package pbkdf2

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// cpuHasSHANI reports whether the CPU has the SHA extensions plus SSSE3 and
// SSE4.1. Implemented in sha_amd64.s.
func cpuHasSHANI() bool

// iterSHA256 runs n PBKDF2-HMAC-SHA256 iterations; see sha_amd64.s.
//
//go:noescape
func iterSHA256(st *[16]uint32, ut *[64]byte, n uint64)

// iterSHA1 runs n PBKDF2-HMAC-SHA1 iterations; see sha_amd64.s.
//
//go:noescape
func iterSHA1(st *[10]uint32, ut *[10]uint32, n uint64)

// hasSHANI is set once at package initialisation and never changed.
var hasSHANI = cpuHasSHANI()

// deriveFast runs PBKDF2 in assembly when h is the standard library's
// SHA-256 or SHA-1 (see stdHash) and the CPU has SHA-NI; otherwise it
// reports ok=false and the caller uses the generic path.
func deriveFast(ctx context.Context, password, salt []byte, iter, keyLen int, h func() hash.Hash) (dk []byte, ok bool, err error) {
	if !hasSHANI {
		return nil, false, nil
	}
	switch stdHash(h) {
	case hashSHA256:
		dk, err = deriveSHA256(ctx, password, salt, iter, keyLen)
		return dk, true, err
	case hashSHA1:
		dk, err = deriveSHA1(ctx, password, salt, iter, keyLen)
		return dk, true, err
	}
	return nil, false, nil
}

// deriveSHA256 is PBKDF2-HMAC-SHA256 with the iteration loop in assembly.
func deriveSHA256(ctx context.Context, password, salt []byte, iter, keyLen int) ([]byte, error) {
	var st [16]uint32
	hmacStates256(&st, password)
	prf := hmac.New(sha256.New, password)
	nBlocks := (keyLen + sha256.Size - 1) / sha256.Size
	dk := make([]byte, 0, nBlocks*sha256.Size)
	var ctr [4]byte
	var ut [64]byte
	defer clear(ut[:])
	defer clear(st[:])
	for block := 1; block <= nBlocks; block++ {
		ctr[0], ctr[1], ctr[2], ctr[3] = byte(block>>24), byte(block>>16), byte(block>>8), byte(block)
		prf.Reset()
		prf.Write(salt)
		prf.Write(ctr[:])
		prf.Sum(ut[:0])
		copy(ut[32:], ut[:32])
		for rem := iter - 1; rem > 0; {
			n := min(rem, checkEvery)
			iterSHA256(&st, &ut, uint64(n))
			rem -= n
			if ctx != nil && rem > 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
		}
		dk = append(dk, ut[32:]...)
	}
	return dk[:keyLen], nil
}

// deriveSHA1 is PBKDF2-HMAC-SHA1 with the iteration loop in assembly.
func deriveSHA1(ctx context.Context, password, salt []byte, iter, keyLen int) ([]byte, error) {
	var st [10]uint32
	hmacStates1(&st, password)
	prf := hmac.New(sha1.New, password)
	nBlocks := (keyLen + sha1.Size - 1) / sha1.Size
	dk := make([]byte, 0, nBlocks*sha1.Size)
	var ctr [4]byte
	var u [sha1.Size]byte
	var ut [10]uint32
	defer clear(ut[:])
	defer clear(st[:])
	defer clear(u[:])
	for block := 1; block <= nBlocks; block++ {
		ctr[0], ctr[1], ctr[2], ctr[3] = byte(block>>24), byte(block>>16), byte(block>>8), byte(block)
		prf.Reset()
		prf.Write(salt)
		prf.Write(ctr[:])
		prf.Sum(u[:0])
		for i := range 5 {
			ut[i] = binary.BigEndian.Uint32(u[4*i:])
			ut[5+i] = ut[i]
		}
		for rem := iter - 1; rem > 0; {
			n := min(rem, checkEvery)
			iterSHA1(&st, &ut, uint64(n))
			rem -= n
			if ctx != nil && rem > 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
		}
		for i := range 5 {
			dk = binary.BigEndian.AppendUint32(dk, ut[5+i])
		}
	}
	return dk[:keyLen], nil
}
