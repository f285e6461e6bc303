// Package hashers verifies and creates Django password hashes, byte for
// byte as django.contrib.auth.hashers does on Django 3.2, 4.2 and 5.2.
//
// A [Set] is the configured PASSWORD_HASHERS list (the first is preferred).
// [Set.Check] is Django's check_password / verify_password, including the
// "fake run" for unusable or unidentifiable hashes and harden_runtime for
// outdated ones; [Set.Make] is make_password. Every hasher Django ships is
// here: pbkdf2_sha256, pbkdf2_sha1, argon2 (argon2id, argon2i; version 19),
// bcrypt_sha256, bcrypt, scrypt, md5, sha1, unsalted_md5 and unsalted_sha1.
// crypt is recognised but refused with [ErrUnsupported]. Argon2 hashes of
// version 16 and argon2d, which Django never writes but argon2-cffi
// verifies, verify too.
//
// # Hostile hashes
//
// A stored hash is input like any other: every malformed hash gives false
// and an error matching [ErrMalformed] (errors.Is), never a panic. Cost
// parameters are checked against Settings.PasswordLimits before any work,
// so a planted hash with 10^12 PBKDF2 iterations or 1 TiB of Argon2 memory
// fails at once with [ErrOverLimit].
//
// # Bounded work
//
// A Set runs at most Settings.PasswordCheckConcurrency expensive hashes at
// once; further calls queue, and a call whose context is cancelled leaves
// the queue at once. A running PBKDF2 (package pbkdf2's KeyContext) or
// bcrypt (computed here) stops within a millisecond or so when its context
// is cancelled. Argon2 and scrypt cannot be interrupted mid-run (x/crypto
// offers no hook); the context is checked before each of them starts. One
// slot covers one hash, whatever its internal parallelism: an Argon2 hash
// with p=8 runs 8 goroutines inside its slot.
//
// Where this package and Django differ, Django raises an exception for a
// malformed hash of a configured algorithm (a 500 in a view) while this
// package returns false and ErrMalformed; the answer (no login) is the
// same.
package hashers

import (
	"context"
	"errors"
)

// Errors, usable with errors.Is. Every error returned by this package wraps
// one of them (or a context error).
var (
	// ErrUnknownAlgorithm: the hash names an algorithm that is not in the
	// configured PASSWORD_HASHERS (Django's ValueError from
	// identify_hasher), or a configured name is not a Django hasher.
	ErrUnknownAlgorithm = errors.New("hashers: unknown password hashing algorithm")
	// ErrMalformed: the hash does not have the form its algorithm writes.
	ErrMalformed = errors.New("hashers: malformed password hash")
	// ErrOverLimit: a cost parameter is above Settings.PasswordLimits (or
	// above what Django itself can compute).
	ErrOverLimit = errors.New("hashers: password hash parameters over limit")
	// ErrUnsupported: a hash or operation that Django supports but this
	// package does not (crypt; Argon2 versions other than 16 and 19; a NUL
	// byte in a plain bcrypt password, which Django's bcrypt module also
	// refuses).
	ErrUnsupported = errors.New("hashers: unsupported password hash")
)

// Hasher is one password hashing algorithm with its parameters, like a
// Django PasswordHasher class. The built-in hashers are the exported
// *Hasher types of this package; their zero parameter fields mean the
// Django 5.2 defaults. Implementations must be safe for concurrent use.
//
// A Hasher used alone does not limit concurrency; a [Set] does.
type Hasher interface {
	// Algorithm is the name stored before the first "$", e.g.
	// "pbkdf2_sha256".
	Algorithm() string
	// Salt returns a new random salt in the form Encode takes: 22
	// characters of a-zA-Z0-9 for most hashers, "$2b$12$" plus 22
	// characters for bcrypt, "" for the unsalted hashers.
	Salt() (string, error)
	// Encode hashes password with salt using the hasher's parameters,
	// giving the string Django stores.
	Encode(ctx context.Context, password, salt string) (string, error)
	// Verify reports whether password matches encoded, comparing in
	// constant time. A malformed hash gives false and an error.
	Verify(ctx context.Context, password, encoded string) (bool, error)
	// MustUpdate reports whether encoded was made with parameters other
	// than the hasher's (Django's must_update). A malformed hash of this
	// algorithm needs updating too, so it reports true.
	MustUpdate(encoded string) bool
	// HardenRuntime spends the work that a wrong password would have cost
	// at the hasher's current parameters but not at encoded's weaker ones
	// (Django's harden_runtime), to hide the difference in timing.
	HardenRuntime(ctx context.Context, password, encoded string) error
	// Decode parses encoded into its parts (Django's decode).
	Decode(encoded string) (Decoded, error)
}

// Decoded is a parsed hash: the fields Django's decode() returns. Fields an
// algorithm does not have are zero.
type Decoded struct {
	Algorithm string
	// Salt as Django reports it: the salt text (for argon2 the decoded
	// salt bytes, as Django decodes them with latin-1; for bcrypt the 22
	// salt characters).
	Salt string
	// Hash is the hash part as stored (base64, hex, or bcrypt's checksum).
	Hash string
	// Iterations is PBKDF2's iteration count.
	Iterations int
	// WorkFactor is bcrypt's cost (log2 rounds) or scrypt's N.
	WorkFactor int
	// BlockSize is scrypt's r.
	BlockSize int
	// Parallelism is scrypt's p or argon2's p.
	Parallelism int
	// Argon2 fields: Variety ("argon2id", "argon2i"), Version (19),
	// MemoryCost (KiB), TimeCost, HashLen (bytes).
	Variety    string
	Version    int
	MemoryCost int
	TimeCost   int
	HashLen    int
	// Algostr is bcrypt's "2b" (or "2a", "2y").
	Algostr string
}

// cheap marks hashers whose work is negligible; a Set runs them without
// taking a slot of its limiter.
type cheap interface{ isCheap() }

// tunable is implemented by the built-in hashers: a copy of the hasher
// with some parameters replaced, for Set.MakeWith.
type tunable interface {
	withParams(p Params) (Hasher, error)
}
