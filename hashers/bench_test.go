package hashers

import (
	"context"
	"testing"

	"github.com/djangobridge/djangobridge"
	xbcrypt "golang.org/x/crypto/bcrypt"
)

// benchCheck measures Set.Check of a correct password against a hash made
// with release 5.2's defaults for algorithm.
func benchCheck(b *testing.B, algorithm string) {
	s := djangobridge.Defaults()
	s.PasswordHashers = []string{algorithm}
	set, err := New(&s)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	enc, err := set.Make(ctx, "pässword")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := set.Check(ctx, "pässword", enc); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// BenchmarkCheckPBKDF2SHA256 is Django 5.2's default: 1,000,000 iterations.
func BenchmarkCheckPBKDF2SHA256(b *testing.B) { benchCheck(b, "pbkdf2_sha256") }
func BenchmarkCheckPBKDF2SHA1(b *testing.B)   { benchCheck(b, "pbkdf2_sha1") }
func BenchmarkCheckArgon2(b *testing.B)       { benchCheck(b, "argon2") }
func BenchmarkCheckBcryptSHA256(b *testing.B) { benchCheck(b, "bcrypt_sha256") }
func BenchmarkCheckScrypt(b *testing.B)       { benchCheck(b, "scrypt") }
func BenchmarkCheckMD5(b *testing.B)          { benchCheck(b, "md5") }

// BenchmarkBcryptCost10 and BenchmarkBcryptCost10XCrypto compare this
// package's bcrypt with golang.org/x/crypto/bcrypt, the reference, in the
// same run.
func BenchmarkBcryptCost10(b *testing.B) {
	h := &BcryptHasher{Rounds: 10}
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Encode(ctx, "pässword", "$2b$10$abcdefghijklmnopqrstuu"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBcryptCost10XCrypto(b *testing.B) {
	enc, err := xbcrypt.GenerateFromPassword([]byte("pässword"), 10)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := xbcrypt.CompareHashAndPassword(enc, []byte("pässword")); err != nil {
			b.Fatal(err)
		}
	}
}
