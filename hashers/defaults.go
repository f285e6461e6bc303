package hashers

import (
	"strings"

	"github.com/djangobridge/djangobridge"
)

// Defaults are the class attributes of Django's hashers in one release,
// and its default PASSWORD_HASHERS.
type Defaults struct {
	// PBKDF2Iterations is PBKDF2PasswordHasher.iterations (also used by
	// pbkdf2_sha1).
	PBKDF2Iterations int
	// Argon2Variety is "argon2id" (3.2+).
	Argon2Variety string
	// Argon2 time_cost, memory_cost (KiB) and parallelism.
	Argon2Time, Argon2MemoryKiB, Argon2Threads int
	// BcryptRounds is BCryptSHA256PasswordHasher.rounds (12 everywhere).
	BcryptRounds int
	// Scrypt work_factor (N), block_size (r) and parallelism (p); zero
	// before 4.0, which had no scrypt hasher.
	ScryptN, ScryptR, ScryptP int
	// SaltChars is the length of generated salts: 22 from 3.2 on, 12
	// before.
	SaltChars int
	// Hashers is the default PASSWORD_HASHERS, preferred first, as
	// algorithm names.
	Hashers []string
	// Available lists every hasher algorithm the release ships.
	Available []string
}

// DefaultsFor returns Django's hasher defaults for release v, read from
// the release table (djangobridge.ReleaseOf). An unset or unsupported
// release is an error (djangobridge.ErrVersionUnset,
// djangobridge.ErrVersionUnsupported).
func DefaultsFor(v djangobridge.Version) (Defaults, error) {
	r, err := djangobridge.ReleaseOf(v)
	if err != nil {
		return Defaults{}, err
	}
	return defaultsOf(r), nil
}

func defaultsOf(r djangobridge.Release) Defaults {
	return Defaults{
		PBKDF2Iterations: r.PBKDF2Iterations,
		Argon2Variety:    r.Argon2Variety,
		Argon2Time:       r.Argon2TimeCost,
		Argon2MemoryKiB:  r.Argon2MemoryCost,
		Argon2Threads:    r.Argon2Parallelism,
		BcryptRounds:     r.BcryptRounds,
		ScryptN:          r.ScryptWorkFactor,
		ScryptR:          r.ScryptBlockSize,
		ScryptP:          r.ScryptParallelism,
		SaltChars:        r.SaltChars,
		Hashers:          r.PasswordHashers,
		Available:        r.Hashers,
	}
}

// dottedNames maps the class paths of django.contrib.auth.hashers to
// algorithm names.
var dottedNames = map[string]string{
	"PBKDF2PasswordHasher":       "pbkdf2_sha256",
	"PBKDF2SHA1PasswordHasher":   "pbkdf2_sha1",
	"Argon2PasswordHasher":       "argon2",
	"BCryptSHA256PasswordHasher": "bcrypt_sha256",
	"BCryptPasswordHasher":       "bcrypt",
	"ScryptPasswordHasher":       "scrypt",
	"SHA1PasswordHasher":         "sha1",
	"MD5PasswordHasher":          "md5",
	"UnsaltedSHA1PasswordHasher": "unsalted_sha1",
	"UnsaltedMD5PasswordHasher":  "unsalted_md5",
	"CryptPasswordHasher":        "crypt",
}

// DottedPath returns Django's class path for algorithm name, e.g.
// "django.contrib.auth.hashers.PBKDF2PasswordHasher" for "pbkdf2_sha256",
// or "" for an unknown name.
func DottedPath(algorithm string) string {
	for cls, name := range dottedNames {
		if name == algorithm {
			return "django.contrib.auth.hashers." + cls
		}
	}
	return ""
}

// algorithmName turns a PASSWORD_HASHERS entry (dotted path or algorithm
// name) into an algorithm name, or "" if it is neither.
func algorithmName(entry string) string {
	if cls, ok := strings.CutPrefix(entry, "django.contrib.auth.hashers."); ok {
		return dottedNames[cls]
	}
	for _, name := range dottedNames {
		if name == entry {
			return name
		}
	}
	return ""
}

// HasherFor returns the built-in hasher called algorithm (or its dotted
// path) with release v's default parameters and the given limits. It does
// not check that v ships the hasher; New does.
func HasherFor(algorithm string, v djangobridge.Version, l djangobridge.PasswordLimits) (Hasher, error) {
	d, err := DefaultsFor(v)
	if err != nil {
		return nil, err
	}
	switch algorithmName(algorithm) {
	case "pbkdf2_sha256":
		return &PBKDF2Hasher{Iterations: d.PBKDF2Iterations, SaltLength: d.SaltChars, Limits: l}, nil
	case "pbkdf2_sha1":
		return &PBKDF2Hasher{SHA1: true, Iterations: d.PBKDF2Iterations, SaltLength: d.SaltChars, Limits: l}, nil
	case "argon2":
		return &Argon2Hasher{Variety: d.Argon2Variety, TimeCost: d.Argon2Time, MemoryCost: d.Argon2MemoryKiB,
			Parallelism: d.Argon2Threads, SaltLength: d.SaltChars, Limits: l}, nil
	case "bcrypt_sha256":
		return &BcryptHasher{SHA256: true, Rounds: d.BcryptRounds, Limits: l}, nil
	case "bcrypt":
		return &BcryptHasher{Rounds: d.BcryptRounds, Limits: l}, nil
	case "scrypt":
		n, r, p := d.ScryptN, d.ScryptR, d.ScryptP
		if n == 0 { // asked for explicitly on a release before 4.0: 4.0's values
			n, r, p = 1<<14, 8, 1
		}
		return &ScryptHasher{N: n, R: r, P: p, SaltLength: d.SaltChars, Limits: l}, nil
	case "md5":
		return &MD5Hasher{SaltLength: d.SaltChars}, nil
	case "sha1":
		return &SHA1Hasher{SaltLength: d.SaltChars}, nil
	case "unsalted_md5":
		return UnsaltedMD5Hasher{}, nil
	case "unsalted_sha1":
		return UnsaltedSHA1Hasher{}, nil
	case "crypt":
		return CryptHasher{}, nil
	}
	return nil, errUnknown(algorithm)
}
