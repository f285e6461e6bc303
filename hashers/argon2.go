package hashers

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/djangobridge/djangobridge"
	argon2ext "github.com/djangobridge/djangobridge/hashers/internal/argon2"
	"golang.org/x/crypto/argon2"
)

// Argon2Hasher is Django's Argon2PasswordHasher: "argon2" followed by the
// PHC string argon2-cffi writes,
//
//	argon2$argon2id$v=19$m=102400,t=2,p=8$<base64 salt>$<base64 hash>
//
// (standard alphabet, no padding). The salt bytes are Django's 22-character
// ASCII salt; the hash is HashLen bytes (argon2-cffi's DEFAULT_HASH_LENGTH:
// 16 up to 21.x, 32 from 23.1). Verification accepts what argon2-cffi
// accepts: argon2id, argon2i and argon2d, version 19 and version 16 (a
// string without "v="), any hash and salt length libargon2 allows (salt
// at least 8 bytes, hash at least 4), parameters as stored. Other version
// numbers, which libargon2 would compute as version 19 with another number
// in the initial hash, are refused with ErrUnsupported; so are more than
// 255 lanes (x/crypto's limit).
type Argon2Hasher struct {
	// Variety is "argon2id" (Django 3.2+; the default) or "argon2i".
	Variety string
	// TimeCost, MemoryCost (KiB) and Parallelism of new hashes; zero
	// means Django 3.2+'s 2, 102400 and 8.
	TimeCost, MemoryCost, Parallelism int
	// SaltLength is the length of generated salts; 0 means 22.
	SaltLength int
	// Limits bounds the parameters of stored hashes.
	Limits djangobridge.PasswordLimits
	// HashLen is the length in bytes of new hashes and what MustUpdate
	// wants: argon2-cffi's DEFAULT_HASH_LENGTH on the Django side
	// (Settings.Argon2HashLength). 0 means 32 (argon2-cffi 23.1+).
	HashLen int
}

// argon2DefaultHashLen is argon2-cffi 23.1+'s DEFAULT_HASH_LENGTH, what
// Django writes with today's argon2-cffi (16 with 21.x and older).
const argon2DefaultHashLen = 32

func (h *Argon2Hasher) hashLen() int {
	if h.HashLen > 0 {
		return h.HashLen
	}
	return argon2DefaultHashLen
}

// argon2Version is ARGON2_VERSION (0x13), the only version x/crypto computes.
const argon2Version = 19

// Algorithm implements Hasher.
func (h *Argon2Hasher) Algorithm() string { return "argon2" }

func (h *Argon2Hasher) params() (variety string, t, m, p int) {
	variety, t, m, p = h.Variety, h.TimeCost, h.MemoryCost, h.Parallelism
	if variety == "" {
		variety = "argon2id"
	}
	if t <= 0 {
		t = 2
	}
	if m <= 0 {
		m = 102400
	}
	if p <= 0 {
		p = 8
	}
	return
}

// Salt implements Hasher.
func (h *Argon2Hasher) Salt() (string, error) { return RandomString(saltLength(h.SaltLength)) }

// Encode implements Hasher, as argon2.low_level.hash_secret with the
// hasher's parameters.
func (h *Argon2Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	variety, t, m, p := h.params()
	d := Decoded{Algorithm: "argon2", Variety: variety, Version: argon2Version, TimeCost: t, MemoryCost: m,
		Parallelism: p, HashLen: h.hashLen(), Salt: salt}
	if err := h.checkParams(&d); err != nil {
		return "", err
	}
	if len(salt) < 8 {
		return "", fmt.Errorf("%w: argon2: salt must be at least 8 bytes", ErrMalformed)
	}
	raw, err := argon2Raw(ctx, &d, password, []byte(salt))
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return "argon2$" + variety + "$v=" + strconv.Itoa(argon2Version) +
		"$m=" + strconv.Itoa(m) + ",t=" + strconv.Itoa(t) + ",p=" + strconv.Itoa(p) +
		"$" + b64.EncodeToString([]byte(salt)) + "$" + b64.EncodeToString(raw), nil
}

// argon2Raw computes the raw Argon2 output for d's parameters: with
// x/crypto (and its assembly) for version 19 argon2id and argon2i, else
// (version 16, argon2d) with the extended copy in internal/argon2.
func argon2Raw(ctx context.Context, d *Decoded, password string, salt []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t, m, p, n := uint32(d.TimeCost), uint32(d.MemoryCost), uint8(d.Parallelism), uint32(d.HashLen)
	if d.Version == argon2Version {
		switch d.Variety {
		case "argon2id":
			return argon2.IDKey([]byte(password), salt, t, m, p, n), nil
		case "argon2i":
			return argon2.Key([]byte(password), salt, t, m, p, n), nil
		}
	}
	mode := map[string]int{"argon2d": argon2ext.Argon2d, "argon2i": argon2ext.Argon2i, "argon2id": argon2ext.Argon2id}[d.Variety]
	return argon2ext.Key(mode, d.Version, []byte(password), salt, t, m, p, n), nil
}

// checkParams applies the limits and libargon2's own rules (t ≥ 1,
// 1 ≤ p, m ≥ 8p) to d, and refuses what x/crypto cannot compute.
func (h *Argon2Hasher) checkParams(d *Decoded) error {
	l := limitsOf(h.Limits)
	switch {
	case d.MemoryCost > l.MaxArgon2MemoryKiB:
		return fmt.Errorf("%w: argon2: memory %d KiB, limit %d", ErrOverLimit, d.MemoryCost, l.MaxArgon2MemoryKiB)
	case d.TimeCost > l.MaxArgon2Time:
		return fmt.Errorf("%w: argon2: time cost %d, limit %d", ErrOverLimit, d.TimeCost, l.MaxArgon2Time)
	case d.Parallelism > l.MaxArgon2Threads || d.Parallelism > 255:
		return fmt.Errorf("%w: argon2: parallelism %d, limit %d", ErrOverLimit, d.Parallelism, min(l.MaxArgon2Threads, 255))
	case d.TimeCost < 1 || d.Parallelism < 1 || d.MemoryCost < 8*d.Parallelism:
		return fmt.Errorf("%w: argon2: t=%d, m=%d, p=%d outside libargon2's ranges", ErrMalformed, d.TimeCost, d.MemoryCost, d.Parallelism)
	case d.Version != argon2Version && d.Version != argon2ext.Version10:
		return fmt.Errorf("%w: argon2: version %d (16 and 19 are supported)", ErrUnsupported, d.Version)
	case d.Variety != "argon2id" && d.Variety != "argon2i" && d.Variety != "argon2d":
		return fmt.Errorf("%w: argon2: variety %q", ErrUnsupported, d.Variety)
	case d.HashLen < 4:
		return fmt.Errorf("%w: argon2: hash length %d, libargon2's minimum is 4", ErrMalformed, d.HashLen)
	case d.HashLen > 1024:
		return fmt.Errorf("%w: argon2: hash length %d", ErrOverLimit, d.HashLen)
	}
	return nil
}

// Decode implements Hasher. It parses the PHC string the way libargon2's
// decoder does (fields in the order v, m, t, p; "v=" optional, meaning
// version 16; unpadded base64) and fills HashLen from the hash part.
func (h *Argon2Hasher) Decode(encoded string) (Decoded, error) {
	bad := func(why string) (Decoded, error) {
		return Decoded{}, fmt.Errorf("%w: argon2: %s", ErrMalformed, why)
	}
	rest, ok := strings.CutPrefix(encoded, "argon2$")
	if !ok {
		return bad("missing argon2$ prefix")
	}
	parts := strings.Split(rest, "$")
	if len(parts) == 4 { // no "v=": libargon2 reads version 16
		parts = append([]string{parts[0], "v=16"}, parts[1:]...)
	}
	if len(parts) != 5 {
		return bad("want argon2$<variety>$v=<n>$m=<n>,t=<n>,p=<n>$<salt>$<hash>")
	}
	d := Decoded{Algorithm: "argon2", Variety: parts[0]}
	switch d.Variety {
	case "argon2id", "argon2i", "argon2d":
	default:
		return bad(fmt.Sprintf("unknown variety %q", truncate(d.Variety)))
	}
	v, ok := strings.CutPrefix(parts[1], "v=")
	if !ok {
		return bad("missing v=")
	}
	var err error
	if d.Version, err = parseDigits(v, "version", "argon2"); err != nil {
		return Decoded{}, err
	}
	kv := strings.Split(parts[2], ",")
	if len(kv) != 3 {
		return bad("want m=<n>,t=<n>,p=<n>")
	}
	for i, dst := range []*int{&d.MemoryCost, &d.TimeCost, &d.Parallelism} {
		key := "mtp"[i : i+1]
		val, ok := strings.CutPrefix(kv[i], key+"=")
		if !ok {
			return bad("want m=<n>,t=<n>,p=<n>")
		}
		if *dst, err = parseDigits(val, key, "argon2"); err != nil {
			return Decoded{}, err
		}
		if *dst > 1<<32-1 {
			return Decoded{}, fmt.Errorf("%w: argon2: %s=%d exceeds 32 bits", ErrOverLimit, key, *dst)
		}
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[3])
	if err != nil || len(salt) < 8 {
		return bad("salt is not at least 8 bytes of unpadded base64")
	}
	raw, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(raw) < 4 {
		return bad("hash is not at least 4 bytes of unpadded base64")
	}
	d.Salt, d.Hash, d.HashLen = latin1(salt), parts[4], len(raw)
	return d, nil
}

// latin1 decodes b as ISO-8859-1, as Django's decode() does with the salt.
func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// fromLatin1 is the inverse of latin1.
func fromLatin1(s string) []byte {
	b := make([]byte, 0, len(s))
	for _, r := range s {
		b = append(b, byte(r))
	}
	return b
}

// Verify implements Hasher: argon2-cffi's PasswordHasher().verify, which
// recomputes the hash with the stored parameters and compares raw bytes in
// constant time.
func (h *Argon2Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	d, err := h.Decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.checkParams(&d); err != nil {
		return false, err
	}
	want, _ := base64.RawStdEncoding.Strict().DecodeString(d.Hash) // checked by Decode
	raw, err := argon2Raw(ctx, &d, password, fromLatin1(d.Salt))
	if err != nil {
		return false, err
	}
	return constantTimeEqual(string(raw), string(want)), nil
}

// MustUpdate implements Hasher: true if variety, version, t, m, p or the
// hash length differ from the hasher's, or the salt is shorter than 22
// bytes. A hash without "v=" counts as version 18 here, as in argon2-cffi's
// extract_parameters, so it always needs updating.
func (h *Argon2Hasher) MustUpdate(encoded string) bool {
	d, err := h.Decode(encoded)
	if err != nil {
		return true
	}
	variety, t, m, p := h.params()
	return d.Variety != variety || d.Version != argon2Version || d.TimeCost != t || d.MemoryCost != m ||
		d.Parallelism != p || d.HashLen != h.hashLen() || mustUpdateSalt(d.Salt)
}

// HardenRuntime implements Hasher. Django does nothing for Argon2 ("too
// complicated to implement a sensible hardening algorithm"); neither do we.
func (h *Argon2Hasher) HardenRuntime(ctx context.Context, password, encoded string) error { return nil }

func (h *Argon2Hasher) withParams(p Params) (Hasher, error) {
	c := *h
	if p.TimeCost < 0 || p.MemoryCost < 0 || p.Parallelism < 0 {
		return nil, fmt.Errorf("%w: argon2: negative parameter", ErrMalformed)
	}
	switch p.Variety {
	case "":
	case "argon2id", "argon2i":
		c.Variety = p.Variety
	default:
		return nil, fmt.Errorf("%w: argon2: variety %q", ErrUnsupported, p.Variety)
	}
	if p.TimeCost > 0 {
		c.TimeCost = p.TimeCost
	}
	if p.MemoryCost > 0 {
		c.MemoryCost = p.MemoryCost
	}
	if p.Parallelism > 0 {
		c.Parallelism = p.Parallelism
	}
	variety, t, m, pp := c.params()
	if err := c.checkParams(&Decoded{Variety: variety, Version: argon2Version, TimeCost: t, MemoryCost: m,
		Parallelism: pp, HashLen: c.hashLen()}); err != nil {
		return nil, err
	}
	return &c, nil
}
