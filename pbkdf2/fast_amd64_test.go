//go:build amd64 && !purego

package pbkdf2

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"math/rand/v2"
	"testing"
)

// wrapped hides the standard digest's type behind another type.
type wrapped struct{ hash.Hash }

func TestStdHashDetection(t *testing.T) {
	cases := []struct {
		name string
		h    func() hash.Hash
		want stdHashKind
	}{
		{"sha256.New", sha256.New, hashSHA256},
		{"closure returning sha256.New()", func() hash.Hash { return sha256.New() }, hashSHA256},
		{"sha1.New", sha1.New, hashSHA1},
		{"sha256.New224 shares the type, not the size", sha256.New224, hashOther},
		{"sha512.New", sha512.New, hashOther},
		{"wrapped sha256", func() hash.Hash { return wrapped{sha256.New()} }, hashOther},
		{"sha256 already fed data", func() hash.Hash { d := sha256.New(); d.Write([]byte("x")); return d }, hashOther},
		{"sha1 already fed data", func() hash.Hash { d := sha1.New(); d.Write([]byte("x")); return d }, hashOther},
		{"nil constructor", nil, hashOther},
		{"constructor returning nil", func() hash.Hash { return nil }, hashOther},
	}
	for _, c := range cases {
		if got := stdHash(c.h); got != c.want {
			t.Errorf("%s: stdHash = %d, want %d", c.name, got, c.want)
		}
	}
}

// requireSHANI fails the calling test unless the assembly can run here.
func requireSHANI(t *testing.T) {
	t.Helper()
	if !hasSHANI {
		t.Skip("CPU lacks SHA-NI/SSSE3/SSE4.1; the assembly path is not used on this machine")
	}
}

// TestHMACStates checks the precomputed pad states: finishing an HMAC from
// them with the pure-Go compression functions must give crypto/hmac's MAC,
// including for keys longer than a block.
func TestHMACStates(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 200 {
		key := make([]byte, r.IntN(200))
		var msg [32]byte
		for i := range key {
			key[i] = byte(r.Uint32())
		}
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		// SHA-256: the inner message is 32 bytes, one padded block.
		var st [16]uint32
		hmacStates256(&st, key)
		in := (*[8]uint32)(st[:8])
		var blk [64]byte
		copy(blk[:], msg[:])
		blk[32] = 0x80
		blk[62], blk[63] = 0x03, 0x00 // 768 bits
		block256(in, &blk)
		for i, w := range in {
			blk[4*i], blk[4*i+1], blk[4*i+2], blk[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
		}
		out := (*[8]uint32)(st[8:])
		block256(out, &blk)
		var got [32]byte
		for i, w := range out {
			got[4*i], got[4*i+1], got[4*i+2], got[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
		}
		m := hmac.New(sha256.New, key)
		m.Write(msg[:])
		if want := m.Sum(nil); !bytes.Equal(got[:], want) {
			t.Fatalf("HMAC-SHA256 from pad states = %x, want %x (key %x)", got, want, key)
		}

		// SHA-1: a 20-byte message.
		var st1 [10]uint32
		hmacStates1(&st1, key)
		var blk1 [64]byte
		copy(blk1[:], msg[:20])
		blk1[20] = 0x80
		blk1[62], blk1[63] = 0x02, 0xa0 // 672 bits
		in1 := (*[5]uint32)(st1[:5])
		block1(in1, &blk1)
		for i, w := range in1 {
			blk1[4*i], blk1[4*i+1], blk1[4*i+2], blk1[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
		}
		out1 := (*[5]uint32)(st1[5:])
		block1(out1, &blk1)
		var got1 [20]byte
		for i, w := range out1 {
			got1[4*i], got1[4*i+1], got1[4*i+2], got1[4*i+3] = byte(w>>24), byte(w>>16), byte(w>>8), byte(w)
		}
		m1 := hmac.New(sha1.New, key)
		m1.Write(msg[:20])
		if want := m1.Sum(nil); !bytes.Equal(got1[:], want) {
			t.Fatalf("HMAC-SHA1 from pad states = %x, want %x (key %x)", got1, want, key)
		}
	}
}

// TestAssemblyMatchesGeneric calls the assembly paths directly (not through
// the dispatcher) and compares them with the pure-Go fallback on random
// inputs, including iteration counts that cross the chunk size at which
// KeyContext looks at the context.
func TestAssemblyMatchesGeneric(t *testing.T) {
	requireSHANI(t)
	n, maxIter := 300, 5000
	if testing.Short() {
		n, maxIter = 50, 1000
	}
	r := rand.New(rand.NewPCG(3, 5))
	iters := []int{1, 2, 3, checkEvery - 1, checkEvery, checkEvery + 1, 2*checkEvery + 1}
	for i := range n + len(iters) {
		password, salt, iter, keyLen := randomCase(r, maxIter)
		if i < len(iters) {
			iter = iters[i]
		}
		for _, c := range []struct {
			name string
			h    func() hash.Hash
			fast func(context.Context, []byte, []byte, int, int) ([]byte, error)
		}{
			{"sha256", sha256.New, deriveSHA256},
			{"sha1", sha1.New, deriveSHA1},
		} {
			want, err := deriveGeneric(nil, password, salt, iter, keyLen, c.h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.fast(context.Background(), password, salt, iter, keyLen)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%s(%x, %x, %d, %d) = %x, %v, want %x", c.name, password, salt, iter, keyLen, got, err, want)
			}
		}
	}
}

// TestDispatch checks that Key really takes the assembly path for the
// standard SHA-256 and SHA-1 (so the known-answer tests exercise it).
func TestDispatch(t *testing.T) {
	requireSHANI(t)
	for _, h := range []func() hash.Hash{sha256.New, sha1.New} {
		if _, ok, _ := deriveFast(nil, []byte("pw"), nil, 1, 1, h); !ok {
			t.Errorf("deriveFast declined %T", h())
		}
	}
	if _, ok, _ := deriveFast(nil, []byte("pw"), nil, 1, 1, sha512.New); ok {
		t.Error("deriveFast accepted SHA-512")
	}
}
