//go:build amd64 && !purego

package pbkdf2

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"reflect"
)

// stdHashKind names a standard-library hash recognised by stdHash.
type stdHashKind int

const (
	hashOther stdHashKind = iota
	hashSHA1
	hashSHA256
)

// Dynamic types of the standard library's digests, fixed at init.
var (
	sha256Type = reflect.TypeOf(sha256.New())
	sha1Type   = reflect.TypeOf(sha1.New())
)

// Known answers for the message "abc" (FIPS 180-2 appendix B).
var (
	abcSHA256 = []byte{0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad}
	abcSHA1   = []byte{0xa9, 0x99, 0x3e, 0x36, 0x47, 0x06, 0x81, 0x6a, 0xba, 0x3e, 0x25, 0x71, 0x78, 0x50, 0xc2, 0x6c, 0x9c, 0xd0, 0xd8, 0x9d}
)

// stdHash reports whether h builds the standard library's SHA-256 or SHA-1.
// The rule: h() must have the dynamic type of sha256.New()'s (sha1.New()'s)
// result, report Size 32 (20) and BlockSize 64, and hash "abc" to the
// FIPS 180-2 answer. The type check excludes every other implementation;
// Size excludes sha256.New224, which shares the type; the known answer
// excludes an h that hands out a digest already fed with data. Anything
// else is hashOther and takes the generic path, so a false "no" costs only
// speed, never correctness.
func stdHash(h func() hash.Hash) stdHashKind {
	if h == nil {
		return hashOther
	}
	d := h()
	if d == nil {
		return hashOther
	}
	t := reflect.TypeOf(d)
	var kind stdHashKind
	var want []byte
	switch {
	case t == sha256Type && d.Size() == sha256.Size && d.BlockSize() == sha256.BlockSize:
		kind, want = hashSHA256, abcSHA256
	case t == sha1Type && d.Size() == sha1.Size && d.BlockSize() == sha1.BlockSize:
		kind, want = hashSHA1, abcSHA1
	default:
		return hashOther
	}
	d.Write([]byte("abc"))
	if !bytes.Equal(d.Sum(nil), want) {
		return hashOther
	}
	return kind
}
