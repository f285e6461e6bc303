package pbkdf2

import (
	"bytes"
	"context"
	"crypto/md5"
	stdpbkdf2 "crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

type vector struct {
	name     string
	h        func() hash.Hash
	password string
	salt     string
	iter     int
	want     string // hex
}

var vectors = []vector{
	// RFC 6070 (PBKDF2-HMAC-SHA1).
	{"rfc6070-1", sha1.New, "password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6"},
	{"rfc6070-2", sha1.New, "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"},
	{"rfc6070-3", sha1.New, "password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1"},
	{"rfc6070-5", sha1.New, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"},
	{"rfc6070-6", sha1.New, "pass\x00word", "sa\x00lt", 4096, "56fa6aa75548099dcc37d7f03425e0c3"},
	// Published PBKDF2-HMAC-SHA256 vectors (RFC 7914 §11 and the
	// widely used extension of RFC 6070 to SHA-256).
	{"rfc7914-1", sha256.New, "passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"},
	{"rfc7914-2", sha256.New, "Password", "NaCl", 80000, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"},
	{"sha256-1", sha256.New, "password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"},
	{"sha256-2", sha256.New, "password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"},
	{"sha256-4096", sha256.New, "password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"},
	{"sha256-long", sha256.New, "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"},
	{"sha256-nul", sha256.New, "pass\x00word", "sa\x00lt", 4096, "89b69d0516f829893c696226650a8687"},
}

func TestKnownAnswers(t *testing.T) {
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			want, _ := hex.DecodeString(v.want)
			got := Key([]byte(v.password), []byte(v.salt), v.iter, len(want), v.h)
			if hex.EncodeToString(got) != v.want {
				t.Fatalf("Key = %x, want %s", got, v.want)
			}
			got, err := KeyContext(context.Background(), []byte(v.password), []byte(v.salt), v.iter, len(want), v.h)
			if err != nil || hex.EncodeToString(got) != v.want {
				t.Fatalf("KeyContext = %x, %v, want %s", got, err, v.want)
			}
		})
	}
}

// TestDjangoVector is the pbkdf2_sha256 hash real Django computes for
// make_password("pässword", "abcdefghijklmnopqrstuv", "pbkdf2_sha256")
// with 260000 iterations (django-formats.md §11).
func TestDjangoVector(t *testing.T) {
	got := Key([]byte("pässword"), []byte("abcdefghijklmnopqrstuv"), 260000, 32, sha256.New)
	const want = "ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ="
	if s := base64.StdEncoding.EncodeToString(got); s != want {
		t.Fatalf("got %s, want %s", s, want)
	}
}

// hashes are the hash functions the randomized tests run through Key: the
// two with assembly loops and some that always take the generic path.
var hashes = []struct {
	name string
	h    func() hash.Hash
}{
	{"sha256", sha256.New},
	{"sha1", sha1.New},
	{"sha224", sha256.New224},
	{"sha512", sha512.New},
	{"md5", md5.New},
}

// randomCase draws PBKDF2 inputs covering the interesting boundaries:
// passwords longer than a hash block (hashed first), empty passwords and
// salts, multi-block keys and short and long iteration counts.
func randomCase(r *rand.Rand, maxIter int) (password, salt []byte, iter, keyLen int) {
	password = make([]byte, r.IntN(301))
	salt = make([]byte, r.IntN(3)*r.IntN(80)) // a third of salts empty
	for _, b := range [][]byte{password, salt} {
		for i := range b {
			b[i] = byte(r.Uint32())
		}
	}
	return password, salt, 1 + r.IntN(maxIter), 1 + r.IntN(100)
}

// TestMatchesStdlib compares Key and KeyContext with the standard
// library's crypto/pbkdf2 on random inputs for every hash.
func TestMatchesStdlib(t *testing.T) {
	n, maxIter := 150, 5000
	if testing.Short() {
		n, maxIter = 30, 1000
	}
	for _, hh := range hashes {
		t.Run(hh.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(len(hh.name))))
			for range n {
				password, salt, iter, keyLen := randomCase(r, maxIter)
				want, err := stdpbkdf2.Key(hh.h, string(password), salt, iter, keyLen)
				if err != nil {
					t.Fatal(err)
				}
				if got := Key(password, salt, iter, keyLen, hh.h); !bytes.Equal(got, want) {
					t.Fatalf("Key(%x, %x, %d, %d) = %x, want %x", password, salt, iter, keyLen, got, want)
				}
				got, err := KeyContext(context.Background(), password, salt, iter, keyLen, hh.h)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("KeyContext(%x, %x, %d, %d) = %x, %v, want %x", password, salt, iter, keyLen, got, err, want)
				}
			}
		})
	}
}

func TestEdgeCases(t *testing.T) {
	pw, salt := []byte("password"), []byte("salt")
	one := Key(pw, salt, 1, 32, sha256.New)
	for _, iter := range []int{0, -1, math.MinInt} {
		if got := Key(pw, salt, iter, 32, sha256.New); !bytes.Equal(got, one) {
			t.Errorf("iter %d: got %x, want the 1-iteration key %x", iter, got, one)
		}
	}
	for _, keyLen := range []int{0, -1, math.MinInt} {
		if got := Key(pw, salt, 1000, keyLen, sha256.New); got == nil || len(got) != 0 {
			t.Errorf("keyLen %d: got %#v, want an empty non-nil key", keyLen, got)
		}
	}
	// A prefix of a longer key is the shorter key.
	long := Key(pw, salt, 100, 100, sha256.New)
	if short := Key(pw, salt, 100, 33, sha256.New); !bytes.Equal(short, long[:33]) {
		t.Errorf("33-byte key %x is not a prefix of the 100-byte key %x", short, long)
	}
}

func TestKeyContextCancelled(t *testing.T) {
	for _, hh := range hashes {
		t.Run(hh.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if dk, err := KeyContext(ctx, []byte("pw"), []byte("salt"), 1, 32, hh.h); !errors.Is(err, context.Canceled) || dk != nil {
				t.Fatalf("already cancelled: got %x, %v, want nil, context.Canceled", dk, err)
			}

			// Cancelled while running: 2^30 iterations would take over a minute.
			ctx, cancel = context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			start := time.Now()
			dk, err := KeyContext(ctx, []byte("pw"), []byte("salt"), 1<<30, 64, hh.h)
			if !errors.Is(err, context.Canceled) || dk != nil {
				t.Fatalf("cancelled while running: got %x, %v, want nil, context.Canceled", dk, err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("KeyContext took %v to notice cancellation", d)
			}

			ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
			defer cancel()
			if _, err := KeyContext(ctx, []byte("pw"), []byte("salt"), 1<<30, 20, hh.h); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("deadline: got %v, want context.DeadlineExceeded", err)
			}
		})
	}
}

// TestConcurrent runs Key from many goroutines at once (run with -race):
// the package keeps no shared mutable state.
func TestConcurrent(t *testing.T) {
	want := Key([]byte("pw"), []byte("salt"), 3000, 40, sha256.New)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			for _, h := range []func() hash.Hash{sha256.New, sha1.New} {
				got := Key([]byte("pw"), []byte("salt"), 3000, 40, h)
				if h().Size() == 32 && !bytes.Equal(got, want) {
					errs <- fmt.Errorf("got %x, want %x", got, want)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// FuzzKey checks Key against crypto/pbkdf2 for SHA-256 and SHA-1 on
// arbitrary passwords, salts and (small) parameters.
func FuzzKey(f *testing.F) {
	f.Add([]byte("password"), []byte("salt"), uint16(2), uint8(32))
	f.Add([]byte(""), []byte(""), uint16(1), uint8(1))
	f.Add(bytes.Repeat([]byte{0xff}, 65), []byte("x"), uint16(3), uint8(100))
	f.Fuzz(func(t *testing.T, password, salt []byte, iter uint16, keyLen uint8) {
		it, kl := 1+int(iter%2000), 1+int(keyLen%128)
		for _, h := range []func() hash.Hash{sha256.New, sha1.New} {
			want, err := stdpbkdf2.Key(h, string(password), salt, it, kl)
			if err != nil {
				t.Fatal(err)
			}
			if got := Key(password, salt, it, kl, h); !bytes.Equal(got, want) {
				t.Fatalf("Key(%x, %x, %d, %d) = %x, want %x", password, salt, it, kl, got, want)
			}
		}
	})
}
