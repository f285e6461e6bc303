package hashers

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"strconv"
	"strings"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/pbkdf2"
)

// PBKDF2Hasher is Django's PBKDF2PasswordHasher ("pbkdf2_sha256") or, with
// SHA1 set, PBKDF2SHA1PasswordHasher ("pbkdf2_sha1"):
//
//	pbkdf2_sha256$<iterations>$<salt>$<base64 of PBKDF2-HMAC-SHA256, 32 bytes>
type PBKDF2Hasher struct {
	// SHA1 selects HMAC-SHA1 and the name "pbkdf2_sha1".
	SHA1 bool
	// Iterations is the count new hashes get and must_update wants;
	// 0 means Django 5.2's 1,000,000.
	Iterations int
	// SaltLength is the length of generated salts; 0 means 22.
	SaltLength int
	// Limits bounds the iterations of stored hashes; zero fields mean the
	// defaults.
	Limits djangobridge.PasswordLimits
}

// Algorithm implements Hasher.
func (h *PBKDF2Hasher) Algorithm() string {
	if h.SHA1 {
		return "pbkdf2_sha1"
	}
	return "pbkdf2_sha256"
}

func (h *PBKDF2Hasher) iterations() int {
	if h.Iterations > 0 {
		return h.Iterations
	}
	return 1_000_000
}

func (h *PBKDF2Hasher) digest() (func() hash.Hash, int) {
	if h.SHA1 {
		return sha1.New, sha1.Size
	}
	return sha256.New, sha256.Size
}

// Salt implements Hasher.
func (h *PBKDF2Hasher) Salt() (string, error) { return RandomString(saltLength(h.SaltLength)) }

func saltLength(n int) int {
	if n > 0 {
		return n
	}
	return SaltChars
}

// Encode implements Hasher with the hasher's iterations.
func (h *PBKDF2Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	return h.encode(ctx, password, salt, h.iterations())
}

func (h *PBKDF2Hasher) encode(ctx context.Context, password, salt string, iterations int) (string, error) {
	if err := checkSalt(h.Algorithm(), salt); err != nil {
		return "", err
	}
	if max := limitsOf(h.Limits).MaxPBKDF2Iterations; iterations > max {
		return "", fmt.Errorf("%w: %s: %d iterations, limit %d", ErrOverLimit, h.Algorithm(), iterations, max)
	}
	digest, size := h.digest()
	dk, err := pbkdf2.KeyContext(ctx, []byte(password), []byte(salt), iterations, size, digest)
	if err != nil {
		return "", err
	}
	return h.Algorithm() + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(dk), nil
}

// checkSalt is Django's _check_encode_args: a salt must be non-empty and
// free of "$".
func checkSalt(alg, salt string) error {
	if salt == "" || strings.Contains(salt, "$") {
		return fmt.Errorf("%w: %s: salt must be non-empty and cannot contain $", ErrMalformed, alg)
	}
	return nil
}

// Decode implements Hasher. It checks the hash part's form too, so that a
// Decode without error means the hash could match.
func (h *PBKDF2Hasher) Decode(encoded string) (Decoded, error) {
	alg := h.Algorithm()
	parts := strings.SplitN(encoded, "$", 4)
	if len(parts) != 4 || parts[0] != alg {
		return Decoded{}, fmt.Errorf("%w: %s: want %s$<iterations>$<salt>$<hash>", ErrMalformed, alg, alg)
	}
	iter, err := parseCanonical(parts[1], "iterations", alg)
	if err != nil {
		return Decoded{}, err
	}
	if parts[2] == "" {
		return Decoded{}, fmt.Errorf("%w: %s: empty salt", ErrMalformed, alg)
	}
	_, size := h.digest()
	if len(parts[3]) != base64.StdEncoding.EncodedLen(size) {
		return Decoded{}, fmt.Errorf("%w: %s: hash is not %d bytes of base64", ErrMalformed, alg, size)
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(parts[3]); err != nil {
		return Decoded{}, fmt.Errorf("%w: %s: hash is not base64", ErrMalformed, alg)
	}
	return Decoded{Algorithm: alg, Iterations: iter, Salt: parts[2], Hash: parts[3]}, nil
}

// decodeLimited is Decode plus the limit check, done before any work.
func (h *PBKDF2Hasher) decodeLimited(encoded string) (Decoded, error) {
	d, err := h.Decode(encoded)
	if err != nil {
		return d, err
	}
	if max := limitsOf(h.Limits).MaxPBKDF2Iterations; d.Iterations > max {
		return d, fmt.Errorf("%w: %s: %d iterations, limit %d", ErrOverLimit, h.Algorithm(), d.Iterations, max)
	}
	return d, nil
}

// Verify implements Hasher: it re-encodes with the stored salt and
// iterations and compares the whole string in constant time, as Django
// does.
func (h *PBKDF2Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	d, err := h.decodeLimited(encoded)
	if err != nil {
		return false, err
	}
	again, err := h.encode(ctx, password, d.Salt, d.Iterations)
	if err != nil {
		return false, err
	}
	return constantTimeEqual(encoded, again), nil
}

// MustUpdate implements Hasher: true if the iterations differ from the
// hasher's (more iterations count too) or the salt is shorter than 22
// characters.
func (h *PBKDF2Hasher) MustUpdate(encoded string) bool {
	d, err := h.Decode(encoded)
	if err != nil {
		return true
	}
	return d.Iterations != h.iterations() || mustUpdateSalt(d.Salt)
}

// HardenRuntime implements Hasher: it runs the iterations the stored hash
// lacks compared with the hasher's count.
func (h *PBKDF2Hasher) HardenRuntime(ctx context.Context, password, encoded string) error {
	d, err := h.decodeLimited(encoded)
	if err != nil {
		return err
	}
	if extra := h.iterations() - d.Iterations; extra > 0 {
		_, err = h.encode(ctx, password, d.Salt, extra)
	}
	return err
}

func (h *PBKDF2Hasher) withParams(p Params) (Hasher, error) {
	c := *h
	if p.Iterations != 0 {
		if p.Iterations < 0 {
			return nil, fmt.Errorf("%w: %s: iterations %d", ErrMalformed, h.Algorithm(), p.Iterations)
		}
		c.Iterations = p.Iterations
	}
	return &c, nil
}
