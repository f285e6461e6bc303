// Package pbkdf2 implements PBKDF2 (RFC 8018 §5.2) with HMAC as the
// pseudo-random function, the key-derivation function behind Django's
// default password hasher (pbkdf2_sha256) and its legacy pbkdf2_sha1.
//
// Key has the same signature and results as golang.org/x/crypto/pbkdf2.Key
// and works with any hash.Hash constructor. KeyContext is the same
// computation but gives up with ctx.Err() when ctx is cancelled, so a
// request handler verifying a password with a large iteration count can be
// abandoned.
//
// # Speed
//
// Django's iteration counts are high (260,000 in 3.2, 600,000 in 4.2,
// 1,000,000 in 5.2), so each verification costs 2×iterations SHA-256
// compressions. On amd64 CPUs with the SHA extensions (SHA-NI, detected at
// run time through CPUID leaf 7 EBX bit 29, plus SSSE3 and SSE4.1),
// PBKDF2-HMAC-SHA256 runs in assembly: the HMAC inner and outer pad states
// are computed once per password, and the iteration loop keeps both states,
// U and the running XOR T in XMM registers, with the padding words of the
// second (constant) message block precomputed, so each iteration is exactly
// two SHA-256 compressions and no memory traffic. PBKDF2-HMAC-SHA1 has the
// same treatment with the SHA1RNDS4 family of instructions.
//
// The fast path is taken only when h builds the standard library's SHA-256
// (or SHA-1) digest: h() must have the dynamic type of sha256.New()'s
// (sha1.New()'s) result, with Size 32 (20) and BlockSize 64, and it must
// produce the known SHA-256 (SHA-1) digest of a fixed test message. Since
// the standard library constructors produce the standard hash, any h passing
// these checks computes exactly what the assembly computes. sha256.New224,
// wrapped or custom hashes and every other hash take the generic path, a
// pure-Go loop over crypto/hmac that is correct for any hash. Building with
// the purego tag, or running on other CPUs or architectures, uses the
// generic path for everything.
//
// All functions are safe for concurrent use; the package has no mutable
// global state (CPU features are read once, at init).
package pbkdf2

import (
	"context"
	"hash"
)

// checkEvery is how many PBKDF2 iterations run between two looks at
// ctx.Done() in KeyContext. At roughly 100 ns per SHA-256 iteration this is
// well under a millisecond, while keeping the cost of the check negligible.
const checkEvery = 4096

// Key derives a keyLen-byte key from password and salt with iter iterations
// of PBKDF2 using HMAC over the hash built by h.
//
// Like golang.org/x/crypto/pbkdf2, an iteration count below 1 is treated as
// 1. A keyLen of 0 or less yields an empty key.
func Key(password, salt []byte, iter, keyLen int, h func() hash.Hash) []byte {
	dk, _ := derive(nil, password, salt, iter, keyLen, h)
	return dk
}

// KeyContext is Key, but stops and returns ctx.Err() if ctx is cancelled
// (or its deadline passes) before the derivation is complete. It checks ctx
// before starting and then every few thousand iterations.
func KeyContext(ctx context.Context, password, salt []byte, iter, keyLen int, h func() hash.Hash) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return derive(ctx, password, salt, iter, keyLen, h)
}

// derive dispatches to the fastest implementation available for h. ctx may
// be nil, meaning "never cancelled".
func derive(ctx context.Context, password, salt []byte, iter, keyLen int, h func() hash.Hash) ([]byte, error) {
	if keyLen <= 0 {
		return []byte{}, nil
	}
	if iter < 1 {
		iter = 1
	}
	if dk, err, ok := deriveFast(ctx, password, salt, iter, keyLen, h); ok {
		return dk, err
	}
	return deriveGeneric(ctx, password, salt, iter, keyLen, h)
}
