package hashers

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MD5Hasher is Django's MD5PasswordHasher, md5$<salt>$<hex md5(salt+password)>.
// Not recommended, but still shipped by Django 5.2 (it makes tests fast).
type MD5Hasher struct {
	// SaltLength is the length of generated salts; 0 means 22.
	SaltLength int
}

// SHA1Hasher is Django's SHA1PasswordHasher (until 5.0),
// sha1$<salt>$<hex sha1(salt+password)>.
type SHA1Hasher struct {
	// SaltLength is the length of generated salts; 0 means 22.
	SaltLength int
}

// UnsaltedMD5Hasher is Django's UnsaltedMD5PasswordHasher (until 5.0): a
// bare 32-digit hex MD5 of the password, or the same after "md5$$".
type UnsaltedMD5Hasher struct{}

// UnsaltedSHA1Hasher is Django's UnsaltedSHA1PasswordHasher (until 5.0):
// sha1$$<hex sha1(password)>.
type UnsaltedSHA1Hasher struct{}

// CryptHasher is Django's CryptPasswordHasher (until 4.2),
// crypt$$<crypt(3) output>. It is recognised so that such hashes are
// identified as Django would, but every operation fails with
// ErrUnsupported: DES crypt is not implemented.
type CryptHasher struct{}

func (*MD5Hasher) isCheap()         {}
func (*SHA1Hasher) isCheap()        {}
func (UnsaltedMD5Hasher) isCheap()  {}
func (UnsaltedSHA1Hasher) isCheap() {}
func (CryptHasher) isCheap()        {}

// saltedHex is the shared code of md5 and sha1.
type saltedHex struct {
	alg    string
	hexLen int
	sum    func(b []byte) string
}

var (
	md5Hex  = saltedHex{"md5", 32, func(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }}
	sha1Hex = saltedHex{"sha1", 40, func(b []byte) string { s := sha1.Sum(b); return hex.EncodeToString(s[:]) }}
)

func (s saltedHex) encode(password, salt string) (string, error) {
	if err := checkSalt(s.alg, salt); err != nil {
		return "", err
	}
	return s.alg + "$" + salt + "$" + s.sum([]byte(salt+password)), nil
}

func (s saltedHex) decode(encoded string) (Decoded, error) {
	parts := strings.SplitN(encoded, "$", 3)
	if len(parts) != 3 || parts[0] != s.alg {
		return Decoded{}, fmt.Errorf("%w: %s: want %s$<salt>$<hex>", ErrMalformed, s.alg, s.alg)
	}
	if parts[1] == "" {
		return Decoded{}, fmt.Errorf("%w: %s: empty salt", ErrMalformed, s.alg)
	}
	if !isLowerHex(parts[2], s.hexLen) {
		return Decoded{}, fmt.Errorf("%w: %s: hash is not %d lowercase hex digits", ErrMalformed, s.alg, s.hexLen)
	}
	return Decoded{Algorithm: s.alg, Salt: parts[1], Hash: parts[2]}, nil
}

func (s saltedHex) verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	d, err := s.decode(encoded)
	if err != nil {
		return false, err
	}
	again, err := s.encode(password, d.Salt)
	if err != nil {
		return false, err
	}
	return constantTimeEqual(encoded, again), nil
}

func (s saltedHex) mustUpdate(encoded string) bool {
	d, err := s.decode(encoded)
	return err != nil || mustUpdateSalt(d.Salt)
}

// Algorithm implements Hasher.
func (*MD5Hasher) Algorithm() string { return "md5" }

// Salt implements Hasher.
func (h *MD5Hasher) Salt() (string, error) { return RandomString(saltLength(h.SaltLength)) }

// Encode implements Hasher.
func (*MD5Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	return md5Hex.encode(password, salt)
}

// Decode implements Hasher.
func (*MD5Hasher) Decode(encoded string) (Decoded, error) { return md5Hex.decode(encoded) }

// Verify implements Hasher.
func (*MD5Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	return md5Hex.verify(ctx, password, encoded)
}

// MustUpdate implements Hasher: true for salts under 22 characters.
func (*MD5Hasher) MustUpdate(encoded string) bool { return md5Hex.mustUpdate(encoded) }

// HardenRuntime implements Hasher (a no-op).
func (*MD5Hasher) HardenRuntime(context.Context, string, string) error { return nil }

// Algorithm implements Hasher.
func (*SHA1Hasher) Algorithm() string { return "sha1" }

// Salt implements Hasher.
func (h *SHA1Hasher) Salt() (string, error) { return RandomString(saltLength(h.SaltLength)) }

// Encode implements Hasher.
func (*SHA1Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	return sha1Hex.encode(password, salt)
}

// Decode implements Hasher.
func (*SHA1Hasher) Decode(encoded string) (Decoded, error) { return sha1Hex.decode(encoded) }

// Verify implements Hasher.
func (*SHA1Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	return sha1Hex.verify(ctx, password, encoded)
}

// MustUpdate implements Hasher: true for salts under 22 characters.
func (*SHA1Hasher) MustUpdate(encoded string) bool { return sha1Hex.mustUpdate(encoded) }

// HardenRuntime implements Hasher (a no-op).
func (*SHA1Hasher) HardenRuntime(context.Context, string, string) error { return nil }

// isUnsaltedMD5 is identify_hasher's rule: 32 characters without "$", or
// 37 starting "md5$$" (Django counts characters, not bytes).
func isUnsaltedMD5(encoded string) bool {
	n := utf8.RuneCountInString(encoded)
	return n == 32 && !strings.Contains(encoded, "$") || n == 37 && strings.HasPrefix(encoded, "md5$$")
}

// isUnsaltedSHA1 is identify_hasher's rule: 46 characters starting "sha1$$".
func isUnsaltedSHA1(encoded string) bool {
	return utf8.RuneCountInString(encoded) == 46 && strings.HasPrefix(encoded, "sha1$$")
}

// Algorithm implements Hasher.
func (UnsaltedMD5Hasher) Algorithm() string { return "unsalted_md5" }

// Salt implements Hasher: unsalted, so "".
func (UnsaltedMD5Hasher) Salt() (string, error) { return "", nil }

// Encode implements Hasher: the bare hex digest; salt must be "".
func (UnsaltedMD5Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	if salt != "" {
		return "", fmt.Errorf("%w: unsalted_md5: salt must be empty", ErrMalformed)
	}
	return md5Hex.sum([]byte(password)), nil
}

// Decode implements Hasher.
func (UnsaltedMD5Hasher) Decode(encoded string) (Decoded, error) {
	h := strings.TrimPrefix(encoded, "md5$$")
	if !isLowerHex(h, 32) {
		return Decoded{}, fmt.Errorf("%w: unsalted_md5: want 32 lowercase hex digits, optionally after md5$$", ErrMalformed)
	}
	return Decoded{Algorithm: "unsalted_md5", Hash: encoded}, nil
}

// Verify implements Hasher.
func (u UnsaltedMD5Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if _, err := u.Decode(encoded); err != nil {
		return false, err
	}
	return constantTimeEqual(strings.TrimPrefix(encoded, "md5$$"), md5Hex.sum([]byte(password))), nil
}

// MustUpdate implements Hasher: false, as in Django (but a Set still asks
// for an update when this is not the preferred hasher).
func (UnsaltedMD5Hasher) MustUpdate(string) bool { return false }

// HardenRuntime implements Hasher (a no-op).
func (UnsaltedMD5Hasher) HardenRuntime(context.Context, string, string) error { return nil }

// Algorithm implements Hasher.
func (UnsaltedSHA1Hasher) Algorithm() string { return "unsalted_sha1" }

// Salt implements Hasher: unsalted, so "".
func (UnsaltedSHA1Hasher) Salt() (string, error) { return "", nil }

// Encode implements Hasher: sha1$$<hex>; salt must be "".
func (UnsaltedSHA1Hasher) Encode(ctx context.Context, password, salt string) (string, error) {
	if salt != "" {
		return "", fmt.Errorf("%w: unsalted_sha1: salt must be empty", ErrMalformed)
	}
	return "sha1$$" + sha1Hex.sum([]byte(password)), nil
}

// Decode implements Hasher.
func (UnsaltedSHA1Hasher) Decode(encoded string) (Decoded, error) {
	h, ok := strings.CutPrefix(encoded, "sha1$$")
	if !ok || !isLowerHex(h, 40) {
		return Decoded{}, fmt.Errorf("%w: unsalted_sha1: want sha1$$ and 40 lowercase hex digits", ErrMalformed)
	}
	return Decoded{Algorithm: "unsalted_sha1", Hash: h}, nil
}

// Verify implements Hasher.
func (u UnsaltedSHA1Hasher) Verify(ctx context.Context, password, encoded string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if _, err := u.Decode(encoded); err != nil {
		return false, err
	}
	again, _ := u.Encode(ctx, password, "")
	return constantTimeEqual(encoded, again), nil
}

// MustUpdate implements Hasher: false, as in Django.
func (UnsaltedSHA1Hasher) MustUpdate(string) bool { return false }

// HardenRuntime implements Hasher (a no-op).
func (UnsaltedSHA1Hasher) HardenRuntime(context.Context, string, string) error { return nil }

var errCrypt = fmt.Errorf("%w: crypt (DES crypt(3)) is not implemented", ErrUnsupported)

// Algorithm implements Hasher.
func (CryptHasher) Algorithm() string { return "crypt" }

// Salt implements Hasher: two random characters, as Django's.
func (CryptHasher) Salt() (string, error) { return RandomString(2) }

// Encode implements Hasher: always ErrUnsupported.
func (CryptHasher) Encode(context.Context, string, string) (string, error) { return "", errCrypt }

// Decode implements Hasher: crypt$<salt>$<hash>.
func (CryptHasher) Decode(encoded string) (Decoded, error) {
	parts := strings.SplitN(encoded, "$", 3)
	if len(parts) != 3 || parts[0] != "crypt" {
		return Decoded{}, fmt.Errorf("%w: crypt: want crypt$<salt>$<hash>", ErrMalformed)
	}
	return Decoded{Algorithm: "crypt", Salt: parts[1], Hash: parts[2]}, nil
}

// Verify implements Hasher: always false and ErrUnsupported.
func (CryptHasher) Verify(context.Context, string, string) (bool, error) { return false, errCrypt }

// MustUpdate implements Hasher: false, as in Django.
func (CryptHasher) MustUpdate(string) bool { return false }

// HardenRuntime implements Hasher (a no-op).
func (CryptHasher) HardenRuntime(context.Context, string, string) error { return nil }
