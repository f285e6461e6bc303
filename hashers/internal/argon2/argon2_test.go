package argon2

import (
	"bytes"
	"encoding/hex"
	"testing"

	xargon2 "golang.org/x/crypto/argon2"
)

// TestMatchesXCrypto: for version 0x13, argon2i and argon2id, Key computes
// what x/crypto computes.
func TestMatchesXCrypto(t *testing.T) {
	for _, c := range []struct {
		t, m uint32
		p    uint8
		n    uint32
	}{{1, 64, 1, 16}, {2, 64, 2, 32}, {3, 256, 4, 16}, {1, 100, 3, 64}} {
		pw, salt := []byte("pässword"), []byte("abcdefghijklmnopqrstuv")
		if got, want := Key(Argon2id, Version, pw, salt, c.t, c.m, c.p, c.n), xargon2.IDKey(pw, salt, c.t, c.m, c.p, c.n); !bytes.Equal(got, want) {
			t.Errorf("argon2id %+v: %x, x/crypto %x", c, got, want)
		}
		if got, want := Key(Argon2i, Version, pw, salt, c.t, c.m, c.p, c.n), xargon2.Key(pw, salt, c.t, c.m, c.p, c.n); !bytes.Equal(got, want) {
			t.Errorf("argon2i %+v: %x, x/crypto %x", c, got, want)
		}
	}
}

// TestReferenceVectors are from the reference implementation's test.c
// (phc-winner-argon2): password "password", salt "somesalt", t=2,
// m=2^16, p=1, 32 bytes, versions 0x10 and 0x13.
func TestReferenceVectors(t *testing.T) {
	pw, salt := []byte("password"), []byte("somesalt")
	for _, c := range []struct {
		mode, version int
		want          string
	}{
		{Argon2i, Version10, "f6c4db4a54e2a370627aff3db6176b94a2a209a62c8e36152711802f7b30c694"},
		{Argon2i, Version, "c1628832147d9720c5bd1cfd61367078729f6dfb6f8fea9ff98158e0d7816ed0"},
		{Argon2id, Version, "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"},
	} {
		got := hex.EncodeToString(Key(c.mode, c.version, pw, salt, 2, 1<<16, 1, 32))
		if got != c.want {
			t.Errorf("mode %d version %#x: %s; want %s", c.mode, c.version, got, c.want)
		}
	}
}
