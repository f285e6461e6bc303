package hashers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/djangobridge/djangobridge"
	"golang.org/x/crypto/scrypt"
)

// ScryptHasher is Django's ScryptPasswordHasher (Django 4.0+):
//
//	scrypt$<N>$<salt>$<r>$<p>$<base64 of scrypt(password, salt, N, r, p), 64 bytes>
//
// Django computes it with hashlib.scrypt(maxmem=0), that is OpenSSL with
// its 32 MiB memory cap: parameters needing more (128·r·(N+2) + 128·r·p
// bytes) make Django raise, and are refused here with ErrOverLimit before
// the configured PasswordLimits are even consulted.
type ScryptHasher struct {
	// N (work_factor), R (block_size) and P (parallelism) of new hashes;
	// zero means Django 5.2's 2^14, 8 and 5 (Django 4.0–5.0 use p = 1).
	N, R, P int
	// SaltLength is the length of generated salts; 0 means 22.
	SaltLength int
	// Limits bounds the parameters of stored hashes.
	Limits djangobridge.PasswordLimits
}

// scryptMaxMem is OpenSSL's SCRYPT_MAX_MEM, the cap hashlib.scrypt(maxmem=0)
// applies.
const scryptMaxMem = 32 << 20

// Algorithm implements Hasher.
func (h *ScryptHasher) Algorithm() string { return "scrypt" }

func (h *ScryptHasher) params() (n, r, p int) {
	n, r, p = h.N, h.R, h.P
	if n <= 0 {
		n = 1 << 14
	}
	if r <= 0 {
		r = 8
	}
	if p <= 0 {
		p = 5
	}
	return
}

// Salt implements Hasher.
func (h *ScryptHasher) Salt() (string, error) { return RandomString(saltLength(h.SaltLength)) }

// check applies the limits, then OpenSSL's own rules.
func (h *ScryptHasher) check(n, r, p int) error {
	l := limitsOf(h.Limits)
	switch {
	case n > l.MaxScryptN:
		return fmt.Errorf("%w: scrypt: N=%d, limit %d", ErrOverLimit, n, l.MaxScryptN)
	case r > l.MaxScryptR:
		return fmt.Errorf("%w: scrypt: r=%d, limit %d", ErrOverLimit, r, l.MaxScryptR)
	case p > l.MaxScryptP:
		return fmt.Errorf("%w: scrypt: p=%d, limit %d", ErrOverLimit, p, l.MaxScryptP)
	case n < 2 || n&(n-1) != 0 || r < 1 || p < 1:
		return fmt.Errorf("%w: scrypt: N=%d must be a power of 2 above 1, r=%d and p=%d positive", ErrMalformed, n, r, p)
	case 16*r <= 63 && n >= 1<<uint(16*r):
		return fmt.Errorf("%w: scrypt: N=%d too large for r=%d", ErrMalformed, n, r)
	case 128*r*(n+2)+128*r*p > scryptMaxMem:
		return fmt.Errorf("%w: scrypt: N=%d, r=%d, p=%d need more than the 32 MiB Django's hashlib.scrypt allows", ErrOverLimit, n, r, p)
	}
	return nil
}

// Encode implements Hasher with the hasher's N, r and p.
func (h *ScryptHasher) Encode(ctx context.Context, password, salt string) (string, error) {
	n, r, p := h.params()
	return h.encode(ctx, password, salt, n, r, p)
}

func (h *ScryptHasher) encode(ctx context.Context, password, salt string, n, r, p int) (string, error) {
	if err := checkSalt("scrypt", salt); err != nil {
		return "", err
	}
	if err := h.check(n, r, p); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	dk, err := scrypt.Key([]byte(password), []byte(salt), n, r, p, 64)
	if err != nil {
		return "", fmt.Errorf("%w: scrypt: %v", ErrMalformed, err)
	}
	return "scrypt$" + strconv.Itoa(n) + "$" + salt + "$" + strconv.Itoa(r) + "$" + strconv.Itoa(p) + "$" +
		base64.StdEncoding.EncodeToString(dk), nil
}

// Decode implements Hasher.
func (h *ScryptHasher) Decode(encoded string) (Decoded, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "scrypt" {
		return Decoded{}, fmt.Errorf("%w: scrypt: want scrypt$<N>$<salt>$<r>$<p>$<hash>", ErrMalformed)
	}
	d := Decoded{Algorithm: "scrypt", Salt: parts[2], Hash: parts[5]}
	var err error
	if d.WorkFactor, err = parseCanonical(parts[1], "N", "scrypt"); err != nil {
		return Decoded{}, err
	}
	if d.BlockSize, err = parseCanonical(parts[3], "r", "scrypt"); err != nil {
		return Decoded{}, err
	}
	if d.Parallelism, err = parseCanonical(parts[4], "p", "scrypt"); err != nil {
		return Decoded{}, err
	}
	if d.Salt == "" {
		return Decoded{}, fmt.Errorf("%w: scrypt: empty salt", ErrMalformed)
	}
	if len(d.Hash) != 88 {
		return Decoded{}, fmt.Errorf("%w: scrypt: hash is not 64 bytes of base64", ErrMalformed)
	}
	if _, err := base64.StdEncoding.Strict().DecodeString(d.Hash); err != nil {
		return Decoded{}, fmt.Errorf("%w: scrypt: hash is not base64", ErrMalformed)
	}
	return d, nil
}

// Verify implements Hasher: re-encode with the stored parameters and
// compare the whole string in constant time.
func (h *ScryptHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	d, err := h.Decode(encoded)
	if err != nil {
		return false, err
	}
	again, err := h.encode(ctx, password, d.Salt, d.WorkFactor, d.BlockSize, d.Parallelism)
	if err != nil {
		return false, err
	}
	return constantTimeEqual(encoded, again), nil
}

// MustUpdate implements Hasher: true if N, r or p differ from the
// hasher's. (Django does not check the salt length for scrypt.)
func (h *ScryptHasher) MustUpdate(encoded string) bool {
	d, err := h.Decode(encoded)
	if err != nil {
		return true
	}
	n, r, p := h.params()
	return d.WorkFactor != n || d.BlockSize != r || d.Parallelism != p
}

// HardenRuntime implements Hasher; a no-op, as in Django.
func (h *ScryptHasher) HardenRuntime(ctx context.Context, password, encoded string) error { return nil }

func (h *ScryptHasher) withParams(p Params) (Hasher, error) {
	c := *h
	if p.N < 0 || p.R < 0 || p.Parallelism < 0 {
		return nil, fmt.Errorf("%w: scrypt: negative parameter", ErrMalformed)
	}
	if p.N > 0 {
		c.N = p.N
	}
	if p.R > 0 {
		c.R = p.R
	}
	if p.Parallelism > 0 {
		c.P = p.Parallelism
	}
	n, r, pp := c.params()
	if err := c.check(n, r, pp); err != nil {
		return nil, err
	}
	return &c, nil
}
