package pbkdf2_test

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/rand/v2"
	"testing"

	"github.com/djangobridge/djangobridge/internal/djangotest"
	"github.com/djangobridge/djangobridge/pbkdf2"
)

// TestAgainstDjango derives keys with real Django's
// django.utils.crypto.pbkdf2 (3.2, 4.2, 5.2) on random binary passwords
// and salts and requires Key to agree byte for byte, for the two hashes
// with assembly loops and one that takes the generic path. Needs
// DJANGOBRIDGE_TEST_DJANGO.
func TestAgainstDjango(t *testing.T) {
	digests := []struct {
		name string
		h    func() hash.Hash
	}{{"sha256", sha256.New}, {"sha1", sha1.New}, {"sha512", sha512.New}}
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			dj := djangotest.Start(t, rel, djangotest.Config{})
			r := rand.New(rand.NewPCG(11, uint64(len(rel))))
			for i := range 40 {
				d := digests[i%len(digests)]
				password := randomBytes(r, r.IntN(200))
				salt := randomBytes(r, r.IntN(40))
				iter := 1 + r.IntN(3000)
				dklen := 0 // Django's None: the digest size
				if i%2 == 1 {
					dklen = 1 + r.IntN(90)
				}
				var want []byte
				dj.Do(t, "crypto_pbkdf2", map[string]any{
					"password": password, "salt": salt, "iterations": iter, "dklen": dklen, "digest": d.name,
				}, &want)
				kl := dklen
				if kl == 0 {
					kl = d.h().Size()
				}
				if got := pbkdf2.Key(password, salt, iter, kl, d.h); !bytes.Equal(got, want) {
					t.Fatalf("%s pbkdf2(%x, %x, %d, %d): Go %x, Django %x", d.name, password, salt, iter, dklen, got, want)
				}
			}
			// Django 5.2's default work factor on a non-ASCII password.
			var want []byte
			dj.Do(t, "crypto_pbkdf2", map[string]any{
				"password": []byte("pässword"), "salt": []byte("abcdefghijklmnopqrstuv"), "iterations": 1000000, "digest": "sha256",
			}, &want)
			if got := pbkdf2.Key([]byte("pässword"), []byte("abcdefghijklmnopqrstuv"), 1000000, 32, sha256.New); !bytes.Equal(got, want) {
				t.Fatalf("1,000,000 iterations: Go %x, Django %x", got, want)
			}
		})
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}
