package hashers

import (
	"context"
	"errors"
	"testing"

	"github.com/djangobridge/djangobridge"
)

// fuzzLimits keep fuzzing fast: any hash costlier than this is refused
// with ErrOverLimit before work.
var fuzzLimits = djangobridge.PasswordLimits{
	MaxPBKDF2Iterations: 2000, MaxArgon2MemoryKiB: 256, MaxArgon2Time: 2, MaxArgon2Threads: 4,
	MaxScryptN: 256, MaxScryptR: 4, MaxScryptP: 2, MaxBcryptCost: 5,
}

func addSeeds(f *testing.F) {
	for _, h := range hostile {
		f.Add("pässword", h.encoded)
	}
	for _, rel := range releases {
		v := loadVectors(&testing.T{}, rel)
		for _, vec := range v.Vectors {
			f.Add(vec.Password, vec.Encoded)
		}
		for _, c := range v.MustUpdate {
			f.Add("pässword", c.Encoded)
		}
	}
	f.Add("pw", "argon2$argon2id$v=19$m=64,t=1,p=2$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$cXL1RHoXgnQwjtAW2SsImQ")
	f.Add("pw", "scrypt$16$abcdefghijklmnopqrstuv$2$1$"+b64_64)
	f.Add("pw", "bcrypt$$2y$04$abcdefghijklmnopqrstuuscbPSP0HoEIixN619CDaS1KI1Cgssz6")
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrUnknownAlgorithm, ErrMalformed, ErrOverLimit, ErrUnsupported, context.Canceled, context.DeadlineExceeded} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzCheck: Check, Identify and MustUpdate never panic or hang on any
// stored value; an error always comes with false and is one of the
// package's sentinels; a match reports the same must-update answer as
// MustUpdate.
func FuzzCheck(f *testing.F) {
	addSeeds(f)
	set := allSet(f, fuzzLimits)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, mustUpdate, err := set.Check(ctx, password, encoded)
		if err != nil && (ok || !isSentinel(err)) {
			t.Fatalf("Check(%q, %q) = %v, %v", password, encoded, ok, err)
		}
		if ok && mustUpdate != set.MustUpdate(encoded) {
			t.Fatalf("Check(%q) must update %v, MustUpdate says %v", encoded, mustUpdate, set.MustUpdate(encoded))
		}
		if h, err := set.Identify(encoded); err == nil && h == nil || err != nil && !errors.Is(err, ErrUnknownAlgorithm) {
			t.Fatalf("Identify(%q) = %v, %v", encoded, h, err)
		}
	})
}

// FuzzDecode: every hasher's Decode and MustUpdate survive any input; what
// Decode accepts names the hasher's algorithm.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	set := allSet(f, fuzzLimits)
	f.Fuzz(func(t *testing.T, _ string, encoded string) {
		for _, h := range set.Hashers() {
			d, err := h.Decode(encoded)
			if err != nil && !isSentinel(err) {
				t.Fatalf("%s.Decode(%q): %v", h.Algorithm(), encoded, err)
			}
			if err == nil && d.Algorithm != h.Algorithm() {
				t.Fatalf("%s.Decode(%q) = %+v", h.Algorithm(), encoded, d)
			}
			h.MustUpdate(encoded)
		}
	})
}
