package pbkdf2

import (
	stdpbkdf2 "crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"hash"
	"strconv"
	"testing"
)

// Benchmarks report ns/op for one derivation of a 32-byte (one-block) key
// and ns/iter, the cost of one PBKDF2 iteration (two compressions).
// Compare BenchmarkKey with BenchmarkStdlib, and ns/iter with twice the
// ns/block of BenchmarkSHA256Block (the floor).

const benchIter = 100000

var benchHashes = []struct {
	name string
	h    func() hash.Hash
}{{"sha256", sha256.New}, {"sha1", sha1.New}}

func reportIter(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchIter, "ns/iter")
}

// BenchmarkKey is this package (assembly where available).
func BenchmarkKey(b *testing.B) {
	for _, hh := range benchHashes {
		b.Run(hh.name+"/iter="+strconv.Itoa(benchIter), func(b *testing.B) {
			for b.Loop() {
				Key([]byte("password"), []byte("abcdefghijklmnopqrstuv"), benchIter, 32, hh.h)
			}
			reportIter(b)
		})
	}
}

// BenchmarkGeneric is this package's pure-Go fallback.
func BenchmarkGeneric(b *testing.B) {
	for _, hh := range benchHashes {
		b.Run(hh.name+"/iter="+strconv.Itoa(benchIter), func(b *testing.B) {
			for b.Loop() {
				deriveGeneric(nil, []byte("password"), []byte("abcdefghijklmnopqrstuv"), benchIter, 32, hh.h)
			}
			reportIter(b)
		})
	}
}

// BenchmarkStdlib is crypto/pbkdf2 from the standard library.
func BenchmarkStdlib(b *testing.B) {
	for _, hh := range benchHashes {
		b.Run(hh.name+"/iter="+strconv.Itoa(benchIter), func(b *testing.B) {
			for b.Loop() {
				stdpbkdf2.Key(hh.h, "password", []byte("abcdefghijklmnopqrstuv"), benchIter, 32)
			}
			reportIter(b)
		})
	}
}

// BenchmarkSHA256Block measures crypto/sha256 on a large buffer: 2×ns/block
// is the floor for one PBKDF2-HMAC-SHA256 iteration.
func BenchmarkSHA256Block(b *testing.B) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		sha256.Sum256(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(buf)/64), "ns/block")
}
