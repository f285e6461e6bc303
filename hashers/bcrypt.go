package hashers

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/djangobridge/djangobridge"
	"golang.org/x/crypto/blowfish"
)

// BcryptHasher is Django's BCryptSHA256PasswordHasher ("bcrypt_sha256",
// with SHA256 set) or BCryptPasswordHasher ("bcrypt"):
//
//	bcrypt_sha256$$2b$12$<22-char salt><31-char checksum>
//
// bcrypt_sha256 feeds bcrypt the 64 lowercase hex digits of SHA-256 of the
// password, so long passwords count in full. Plain bcrypt sees only the
// first 72 bytes of the password, and what happens past them depends on
// the Python bcrypt module the Django side runs (Settings.BcryptBefore5):
//
//   - bcrypt 5.0+ (Before5 false, today's install; Django 6.1 here):
//     hashpw raises ValueError for a password over 72 bytes and for a salt
//     whose last character carries unused bits ("Invalid salt"), so
//     Django's check_password raises. Encode and Verify then fail with
//     ErrUnsupported (too long) or ErrMalformed (salt). NUL bytes hash.
//   - bcrypt 3.x/4.x (Before5 true; Django 3.2/4.2/5.2 here run 3.2.2):
//     the password is truncated to 72 bytes, a NUL byte is refused
//     (ErrUnsupported) and a non-canonical salt is canonicalised, so a
//     stored hash carrying one never matches.
//
// Hashes with the prefixes $2a$, $2b$ and $2y$ verify (they compute the
// same for passwords of at most 72 bytes); $2x$ too with bcrypt 5.0, which
// computes it as $2b$ (bcrypt < 5 refuses it: ErrMalformed). The bcrypt computation is this
// package's own, over x/crypto/blowfish, so that, like the C code Python
// uses, the output carries the canonical salt; it checks its context every
// few rounds, so a cancelled bcrypt stops early.
type BcryptHasher struct {
	// SHA256 selects bcrypt_sha256.
	SHA256 bool
	// Rounds is the cost (log2 of the rounds) of new hashes and what
	// must_update wants; 0 means Django's 12.
	Rounds int
	// Limits bounds the cost of stored hashes.
	Limits djangobridge.PasswordLimits
	// Before5 selects the behaviour of Python bcrypt before 5.0 (see the
	// type's doc; Settings.BcryptBefore5). Only plain bcrypt is affected.
	Before5 bool
}

// Algorithm implements Hasher.
func (h *BcryptHasher) Algorithm() string {
	if h.SHA256 {
		return "bcrypt_sha256"
	}
	return "bcrypt"
}

func (h *BcryptHasher) rounds() int {
	if h.Rounds > 0 {
		return h.Rounds
	}
	return 12
}

// bcryptB64 is bcrypt's base64 alphabet, without padding.
var bcryptB64 = base64.NewEncoding(bcryptAlphabet).WithPadding(base64.NoPadding)

const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// Salt implements Hasher: bcrypt.gensalt(rounds), "$2b$12$" and 22
// characters.
func (h *BcryptHasher) Salt() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("hashers: random: %w", err)
	}
	return fmt.Sprintf("$2b$%02d$%s", h.rounds(), bcryptB64.EncodeToString(b[:])), nil
}

// bcryptInput is what Django hands the bcrypt module: the password, or the
// hex SHA-256 of it; cut to 72 bytes as the module does.
func (h *BcryptHasher) bcryptInput(password string) ([]byte, error) {
	var key []byte
	if h.SHA256 {
		sum := sha256.Sum256([]byte(password))
		key = []byte(hex.EncodeToString(sum[:]))
	} else {
		if !h.Before5 && len(password) > 72 {
			return nil, fmt.Errorf("%w: bcrypt: password cannot be longer than 72 bytes (bcrypt 5.0 raises ValueError)", ErrUnsupported)
		}
		if h.Before5 && strings.IndexByte(password, 0) >= 0 {
			return nil, fmt.Errorf("%w: bcrypt: password may not contain NUL bytes", ErrUnsupported)
		}
		key = []byte(password)
	}
	if len(key) > 72 {
		key = key[:72]
	}
	return key, nil
}

// bcryptSalt is a parsed "$2b$12$<22 chars>" salt.
type bcryptSalt struct {
	minor byte // 'a', 'b' or 'y'
	cost  int
	raw   [16]byte
}

// parseBcryptSalt parses the setting string the way OpenBSD's
// bcrypt_hashpass (used by the Python bcrypt module) does: "$2", a minor
// version a, b or y, "$", two digits of cost 4..31, "$", and at least 22
// salt characters, of which the first 22 are used.
func parseBcryptSalt(alg, s string) (bcryptSalt, error) {
	var bs bcryptSalt
	if len(s) < 29 || s[0] != '$' || s[1] != '2' || s[3] != '$' || s[6] != '$' {
		return bs, fmt.Errorf("%w: %s: want $2b$<cost>$<22 salt characters>", ErrMalformed, alg)
	}
	switch s[2] {
	case 'a', 'b', 'y', 'x':
		bs.minor = s[2]
	default:
		return bs, fmt.Errorf("%w: %s: unknown bcrypt version $2%c$", ErrMalformed, alg, s[2])
	}
	if s[4] < '0' || s[4] > '9' || s[5] < '0' || s[5] > '9' {
		return bs, fmt.Errorf("%w: %s: cost is not two digits", ErrMalformed, alg)
	}
	bs.cost = int(s[4]-'0')*10 + int(s[5]-'0')
	if bs.cost < 4 || bs.cost > 31 {
		return bs, fmt.Errorf("%w: %s: cost %d outside 4..31", ErrMalformed, alg, bs.cost)
	}
	// 22 characters carry 132 bits; the low 4 bits of the last are unused
	// (decode 24 characters' worth by padding with "..").
	for i := 7; i < 29; i++ {
		if strings.IndexByte(bcryptAlphabet, s[i]) < 0 {
			return bs, fmt.Errorf("%w: %s: salt is not bcrypt base64", ErrMalformed, alg)
		}
	}
	var buf [18]byte
	if _, err := bcryptB64.Decode(buf[:], []byte(s[7:29]+"..")); err != nil {
		return bs, fmt.Errorf("%w: %s: salt is not bcrypt base64", ErrMalformed, alg)
	}
	copy(bs.raw[:], buf[:16])
	return bs, nil
}

// checkCost applies the cost limit.
func (h *BcryptHasher) checkCost(cost int) error {
	if max := limitsOf(h.Limits).MaxBcryptCost; cost > max {
		return fmt.Errorf("%w: %s: cost %d, limit %d", ErrOverLimit, h.Algorithm(), cost, max)
	}
	return nil
}

// Encode implements Hasher: bcrypt.hashpw(input, salt) with Django's
// prefix. salt is a bcrypt setting string ("$2b$12$" + 22 characters);
// anything after the 22 salt characters is ignored, as hashpw ignores it.
func (h *BcryptHasher) Encode(ctx context.Context, password, salt string) (string, error) {
	bs, err := parseBcryptSalt(h.Algorithm(), salt)
	if err != nil {
		return "", err
	}
	if err := h.checkCost(bs.cost); err != nil {
		return "", err
	}
	if h.Before5 && bs.minor == 'x' {
		return "", fmt.Errorf("%w: %s: invalid salt: bcrypt < 5.0 refuses $2x$", ErrMalformed, h.Algorithm())
	}
	if !h.Before5 && bcryptB64.EncodeToString(bs.raw[:])[:22] != salt[7:29] {
		return "", fmt.Errorf("%w: %s: invalid salt: its last character carries unused bits (bcrypt 5.0 raises ValueError)", ErrMalformed, h.Algorithm())
	}
	key, err := h.bcryptInput(password)
	if err != nil {
		return "", err
	}
	sum, err := bcryptHash(ctx, key, bs.cost, bs.raw[:])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s$$2%c$%02d$%s%s", h.Algorithm(), bs.minor, bs.cost,
		bcryptB64.EncodeToString(bs.raw[:]), bcryptB64.EncodeToString(sum)), nil
}

// magicCipherData is "OrpheanBeholderScryDoubt", bcrypt's plaintext.
var magicCipherData = []byte("OrpheanBeholderScryDoubt")

// bcryptHash is the bcrypt computation (a port of the OpenBSD C code, as in
// golang.org/x/crypto/bcrypt): EksBlowfish setup with 2^cost rounds, then
// 64 encryptions of the magic text. It returns the 23 bytes bcrypt keeps.
func bcryptHash(ctx context.Context, key []byte, cost int, salt []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ckey := append(key[:len(key):len(key)], 0) // C's trailing NUL is part of the key
	c, err := blowfish.NewSaltedCipher(ckey, salt)
	if err != nil {
		return nil, fmt.Errorf("%w: bcrypt: %v", ErrMalformed, err)
	}
	rounds := uint64(1) << uint(cost)
	for i := uint64(0); i < rounds; i++ {
		if i&255 == 255 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		blowfish.ExpandKey(ckey, c)
		blowfish.ExpandKey(salt, c)
	}
	data := append([]byte(nil), magicCipherData...)
	for i := 0; i < 24; i += 8 {
		for range 64 {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return data[:23], nil
}

// Decode implements Hasher (Django's decode: algorithm, algostr, work
// factor, 22-character salt and the checksum). It checks the whole form:
// a hash that Decodes without error could match.
func (h *BcryptHasher) Decode(encoded string) (Decoded, error) {
	alg := h.Algorithm()
	data, ok := strings.CutPrefix(encoded, alg+"$")
	if !ok {
		return Decoded{}, fmt.Errorf("%w: %s: missing %s$ prefix", ErrMalformed, alg, alg)
	}
	bs, err := parseBcryptSalt(alg, data)
	if err != nil {
		return Decoded{}, err
	}
	if len(data) != 60 {
		return Decoded{}, fmt.Errorf("%w: %s: bcrypt string is %d characters, want 60", ErrMalformed, alg, len(data))
	}
	for i := 29; i < 60; i++ {
		if strings.IndexByte(bcryptAlphabet, data[i]) < 0 {
			return Decoded{}, fmt.Errorf("%w: %s: checksum is not bcrypt base64", ErrMalformed, alg)
		}
	}
	return Decoded{Algorithm: alg, Algostr: "2" + string(bs.minor), WorkFactor: bs.cost,
		Salt: data[7:29], Hash: data[29:]}, nil
}

// Verify implements Hasher: re-encode with the stored salt and compare the
// whole string in constant time, as Django does.
func (h *BcryptHasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	d, err := h.Decode(encoded)
	if err != nil {
		return false, err
	}
	if err := h.checkCost(d.WorkFactor); err != nil {
		return false, err
	}
	again, err := h.Encode(ctx, password, encoded[len(h.Algorithm())+1:])
	if err != nil {
		return false, err
	}
	return constantTimeEqual(encoded, again), nil
}

// MustUpdate implements Hasher: true if the cost differs from Rounds.
func (h *BcryptHasher) MustUpdate(encoded string) bool {
	d, err := h.Decode(encoded)
	if err != nil {
		return true
	}
	return d.WorkFactor != h.rounds()
}

// HardenRuntime implements Hasher: 2^(Rounds - stored cost) - 1 further
// hashes at the stored cost, as Django does.
func (h *BcryptHasher) HardenRuntime(ctx context.Context, password, encoded string) error {
	d, err := h.Decode(encoded)
	if err != nil {
		return err
	}
	if err := h.checkCost(d.WorkFactor); err != nil {
		return err
	}
	diff := h.rounds() - d.WorkFactor
	if diff <= 0 {
		return nil
	}
	salt := encoded[len(h.Algorithm())+1:][:29]
	for n := (1 << uint(min(diff, 31))) - 1; n > 0; n-- {
		if _, err := h.Encode(ctx, password, salt); err != nil {
			return err
		}
	}
	return nil
}

func (h *BcryptHasher) withParams(p Params) (Hasher, error) {
	c := *h
	if p.Rounds != 0 {
		if p.Rounds < 4 || p.Rounds > 31 {
			return nil, fmt.Errorf("%w: %s: rounds %d outside 4..31", ErrMalformed, h.Algorithm(), p.Rounds)
		}
		if err := h.checkCost(p.Rounds); err != nil {
			return nil, err
		}
		c.Rounds = p.Rounds
	}
	if p.Salt != "" {
		if _, err := parseBcryptSalt(h.Algorithm(), p.Salt); err != nil {
			return nil, err
		}
	}
	return &c, nil
}
