//go:build amd64 && !purego

package pbkdf2

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"math/bits"
)

// hmacStates256 sets st[0:8] and st[8:16] to the SHA-256 chaining values
// after compressing the HMAC key XOR ipad and key XOR opad blocks (RFC 2104):
// every HMAC-SHA-256 under this key starts from these two states.
func hmacStates256(st *[16]uint32, key []byte) {
	var k [64]byte
	if len(key) > len(k) {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var pad [64]byte
	for i := range pad {
		pad[i] = k[i] ^ 0x36
	}
	copy(st[:8], sha256IV[:])
	block256((*[8]uint32)(st[:8]), &pad)
	for i := range pad {
		pad[i] = k[i] ^ 0x5c
	}
	copy(st[8:], sha256IV[:])
	block256((*[8]uint32)(st[8:]), &pad)
	clear(k[:])
	clear(pad[:])
}

var sha256IV = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

var sha256K = [64]uint32{
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
}

// block256 is the SHA-256 compression function (FIPS 180-4 §6.2.2) on one
// 64-byte block. It runs twice per Key call, so plain Go is fast enough.
func block256(h *[8]uint32, p *[64]byte) {
	var w [64]uint32
	for i := 0; i < 16; i++ {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
	for i := 16; i < 64; i++ {
		s0 := bits.RotateLeft32(w[i-15], -7) ^ bits.RotateLeft32(w[i-15], -18) ^ w[i-15]>>3
		s1 := bits.RotateLeft32(w[i-2], -17) ^ bits.RotateLeft32(w[i-2], -19) ^ w[i-2]>>10
		w[i] = w[i-16] + s0 + w[i-7] + s1
	}
	a, b, c, d, e, f, g, hh := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]
	for i := 0; i < 64; i++ {
		s1 := bits.RotateLeft32(e, -6) ^ bits.RotateLeft32(e, -11) ^ bits.RotateLeft32(e, -25)
		ch := e&f ^ ^e&g
		t1 := hh + s1 + ch + sha256K[i] + w[i]
		s0 := bits.RotateLeft32(a, -2) ^ bits.RotateLeft32(a, -13) ^ bits.RotateLeft32(a, -22)
		maj := a&b ^ a&c ^ b&c
		t2 := s0 + maj
		hh, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
	h[5] += f
	h[6] += g
	h[7] += hh
	clear(w[:])
}

// hmacStates1 sets st[0:5] and st[5:10] to the SHA-1 chaining values after
// compressing the HMAC key XOR ipad and key XOR opad blocks.
func hmacStates1(st *[10]uint32, key []byte) {
	var k [64]byte
	if len(key) > len(k) {
		sum := sha1.Sum(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var pad [64]byte
	for i := range pad {
		pad[i] = k[i] ^ 0x36
	}
	copy(st[:5], sha1IV[:])
	block1((*[5]uint32)(st[:5]), &pad)
	for i := range pad {
		pad[i] = k[i] ^ 0x5c
	}
	copy(st[5:], sha1IV[:])
	block1((*[5]uint32)(st[5:]), &pad)
	clear(k[:])
	clear(pad[:])
}

var sha1IV = [5]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}

// block1 is the SHA-1 compression function (FIPS 180-4 §6.1.2) on one
// 64-byte block.
func block1(h *[5]uint32, p *[64]byte) {
	var w [80]uint32
	for i := 0; i < 16; i++ {
		w[i] = binary.BigEndian.Uint32(p[4*i:])
	}
	for i := 16; i < 80; i++ {
		w[i] = bits.RotateLeft32(w[i-3]^w[i-8]^w[i-14]^w[i-16], 1)
	}
	a, b, c, d, e := h[0], h[1], h[2], h[3], h[4]
	for i := 0; i < 80; i++ {
		var f, k uint32
		switch {
		case i < 20:
			f, k = b&c|^b&d, 0x5a827999
		case i < 40:
			f, k = b^c^d, 0x6ed9eba1
		case i < 60:
			f, k = b&c|b&d|c&d, 0x8f1bbcdc
		default:
			f, k = b^c^d, 0xca62c1d6
		}
		t := bits.RotateLeft32(a, 5) + f + e + k + w[i]
		a, b, c, d, e = t, a, bits.RotateLeft32(b, 30), c, d
	}
	h[0] += a
	h[1] += b
	h[2] += c
	h[3] += d
	h[4] += e
	clear(w[:])
}
