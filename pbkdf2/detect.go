//go:build amd64 && !purego

package pbkdf2

import (
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
const (
	abcSHA256 = "\xba\x78\x16\xbf\x8f\x01\xcf\xea\x41\x41\x40\xde\x5d\xae\x22\x23\xb0\x03\x61\xa3\x96\x17\x7a\x9c\xb4\x10\xff\x61\xf2\x00\x15\xad"
	abcSHA1   = "\xa9\x99\x3e\x36\x47\x06\x81\x6a\xba\x3e\x25\x71\x78\x50\xc2\x6c\x9c\xd0\xd8\x9d"
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
	var want string
	switch {
	case t == sha256Type && d.Size() == sha256.Size && d.BlockSize() == sha256.BlockSize:
		kind, want = hashSHA256, abcSHA256
	case t == sha1Type && d.Size() == sha1.Size && d.BlockSize() == sha1.BlockSize:
		kind, want = hashSHA1, abcSHA1
	default:
		return hashOther
	}
	d.Write([]byte("abc"))
	if string(d.Sum(nil)) != want {
		return hashOther
	}
	return kind
}
