package hashers

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/djangobridge/djangobridge"
)

// Set is the configured PASSWORD_HASHERS: the hashers Check accepts, the
// first of them preferred for Make and for must_update. It bounds how many
// expensive hashes run at once. A Set is safe for concurrent use and holds
// no global state; build one per configuration with New.
type Set struct {
	hashers []Hasher          // preferred first
	byName  map[string]Hasher // by Algorithm(); the last of a name wins, as in Django
	sem     chan struct{}     // a slot per concurrently running expensive hash
}

// Params are explicit parameters for Set.MakeWith. Zero fields keep the
// hasher's configured value.
type Params struct {
	// Salt is the salt to use instead of a random one: for bcrypt a
	// setting string such as "$2b$12$" + 22 characters, else the salt
	// text (no "$").
	Salt string
	// Iterations for pbkdf2_sha256 and pbkdf2_sha1.
	Iterations int
	// Rounds is the bcrypt cost (4..31).
	Rounds int
	// Variety ("argon2id" or "argon2i"), TimeCost and MemoryCost (KiB)
	// for argon2.
	Variety              string
	TimeCost, MemoryCost int
	// N and R for scrypt.
	N, R int
	// Parallelism is p for argon2 and scrypt.
	Parallelism int
}

// New builds the Set that s describes (nil means djangobridge.Defaults()): s.PasswordHashers (dotted paths or
// algorithm names; nil means the default list of s.DjangoVersion) with the
// parameters of s.DjangoVersion, bounded by s.PasswordLimits, running at
// most s.PasswordCheckConcurrency expensive hashes at once (0 means
// runtime.NumCPU()). A name that is not a hasher of that Django release
// is an error matching ErrUnknownAlgorithm, as Django's import would fail.
func New(s *djangobridge.Settings) (*Set, error) {
	if s == nil {
		d := djangobridge.Defaults()
		s = &d
	}
	d, err := DefaultsFor(s.DjangoVersion)
	if err != nil {
		return nil, err
	}
	names := s.PasswordHashers
	if names == nil {
		names = d.Hashers
	}
	hs := make([]Hasher, 0, len(names))
	for _, entry := range names {
		name := algorithmName(entry)
		if name == "" || !slices.Contains(d.Available, name) {
			return nil, fmt.Errorf("%w: PASSWORD_HASHERS entry %q is not a hasher of Django %s", ErrUnknownAlgorithm, entry, s.DjangoVersion)
		}
		h, err := HasherFor(name, s.DjangoVersion, s.PasswordLimits)
		if err != nil {
			return nil, err
		}
		// Parameters that come from the Django side's hashing libraries,
		// not from its release.
		switch h := h.(type) {
		case *Argon2Hasher:
			h.HashLen = s.Argon2HashLength
		case *BcryptHasher:
			h.Before5 = s.BcryptBefore5
		}
		hs = append(hs, h)
	}
	return NewWithHashers(s, hs...)
}

// NewWithHashers builds a Set from hasher values, preferred first, for
// hashers with parameters of their own (Django users subclass a hasher to
// change its iterations; here, set the field). Only
// s.PasswordCheckConcurrency is read from s; the hashers carry their own
// limits.
func NewWithHashers(s *djangobridge.Settings, hs ...Hasher) (*Set, error) {
	if len(hs) == 0 {
		return nil, fmt.Errorf("%w: PASSWORD_HASHERS is empty", ErrUnknownAlgorithm)
	}
	n := 0
	if s != nil {
		n = s.PasswordCheckConcurrency
	}
	if n <= 0 {
		n = runtime.NumCPU()
	}
	p := &Set{hashers: slices.Clone(hs), byName: make(map[string]Hasher, len(hs)), sem: make(chan struct{}, n)}
	for _, h := range hs {
		if h == nil || h.Algorithm() == "" {
			return nil, fmt.Errorf("%w: hasher without an algorithm name", ErrUnknownAlgorithm)
		}
		p.byName[h.Algorithm()] = h
	}
	return p, nil
}

// Preferred returns the first hasher, the one Make uses.
func (p *Set) Preferred() Hasher { return p.hashers[0] }

// Hashers returns the configured hashers, preferred first.
func (p *Set) Hashers() []Hasher { return slices.Clone(p.hashers) }

// Get returns the configured hasher called algorithm (Django's
// get_hasher); "" or "default" means the preferred one.
func (p *Set) Get(algorithm string) (Hasher, error) {
	if algorithm == "" || algorithm == "default" {
		return p.hashers[0], nil
	}
	if name := algorithmName(algorithm); name != "" && strings.Contains(algorithm, ".") {
		algorithm = name
	}
	if h, ok := p.byName[algorithm]; ok {
		return h, nil
	}
	return nil, errUnknown(algorithm)
}

func errUnknown(algorithm string) error {
	return fmt.Errorf("%w %q (not in PASSWORD_HASHERS)", ErrUnknownAlgorithm, truncate(algorithm))
}

// Identify returns the configured hasher of encoded, by Django's
// identify_hasher rules: 32 characters without "$", or 37 starting
// "md5$$", is unsalted_md5; 46 starting "sha1$$" is unsalted_sha1; else
// the text before the first "$" names the algorithm. An algorithm that is
// not configured is ErrUnknownAlgorithm.
func (p *Set) Identify(encoded string) (Hasher, error) {
	var algorithm string
	switch {
	case isUnsaltedMD5(encoded):
		algorithm = "unsalted_md5"
	case isUnsaltedSHA1(encoded):
		algorithm = "unsalted_sha1"
	default:
		algorithm, _, _ = strings.Cut(encoded, "$")
	}
	if algorithm == "" || algorithm == "default" {
		return nil, errUnknown(algorithm)
	}
	if h, ok := p.byName[algorithm]; ok {
		return h, nil
	}
	return nil, errUnknown(algorithm)
}

// acquire takes a limiter slot for h's work, or none if h is cheap. It
// returns early with ctx's error if ctx is done first.
func (p *Set) acquire(ctx context.Context, h Hasher) (release func(), err error) {
	if _, ok := h.(cheap); ok {
		return func() {}, ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case p.sem <- struct{}{}:
		return func() { <-p.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Check is Django's check_password (verify_password on 5.0+): whether
// password matches encoded, and whether encoded should be replaced by a
// new hash of password (it was made by another hasher than the preferred
// one, or with other parameters). Only update when ok is true.
//
// As in Django, an unusable password ("!…") or a hash of an unknown
// algorithm still costs one hash with the preferred hasher, so that the
// answer takes about as long as a real check; a wrong password against a
// hash with weaker parameters than the preferred hasher's runs the
// difference (harden_runtime). An unusable password gives false and no
// error; an unknown algorithm gives false and ErrUnknownAlgorithm; a
// malformed hash false and ErrMalformed (Django raises there); parameters
// over the limits false and ErrOverLimit; a cancelled ctx false and
// ctx.Err().
func (p *Set) Check(ctx context.Context, password, encoded string) (ok, mustUpdate bool, err error) {
	preferred := p.hashers[0]
	var hasher Hasher
	if IsUsable(encoded) {
		hasher, err = p.Identify(encoded)
	}
	if hasher == nil { // unusable or unidentifiable: the fake run
		if derr := p.RunDummy(ctx); derr != nil && err == nil {
			err = derr
		}
		return false, false, err
	}
	changed := hasher.Algorithm() != preferred.Algorithm()
	mustUpdate = changed || preferred.MustUpdate(encoded)
	release, err := p.acquire(ctx, hasher)
	if err != nil {
		return false, false, err
	}
	defer release()
	ok, err = hasher.Verify(ctx, password, encoded)
	if err != nil {
		return false, false, err
	}
	if !ok && !changed && mustUpdate {
		if err := hasher.HardenRuntime(ctx, password, encoded); err != nil {
			return false, mustUpdate, err
		}
	}
	return ok, mustUpdate, nil
}

// MustUpdate reports whether a hash should be replaced on the next
// successful login: it was made by a hasher other than the preferred one,
// or the preferred hasher's must_update says so. A hash that cannot be
// identified gives false (Check never accepts it, so there is nothing to
// update from); a malformed hash of the preferred algorithm gives true.
func (p *Set) MustUpdate(encoded string) bool {
	if !IsUsable(encoded) {
		return false
	}
	h, err := p.Identify(encoded)
	if err != nil {
		return false
	}
	return h.Algorithm() != p.hashers[0].Algorithm() || p.hashers[0].MustUpdate(encoded)
}

// Make is Django's make_password(password): a new hash of password with
// the preferred hasher and a new random salt.
func (p *Set) Make(ctx context.Context, password string) (string, error) {
	return p.make(ctx, p.hashers[0], password, "")
}

// MakeWith is make_password(password, salt, hasher) with explicit
// parameters: algorithm names a configured hasher ("" means the preferred
// one), and params' non-zero fields replace that hasher's parameters (for
// instance Iterations for PBKDF2). Parameters are checked against the
// limits, like those of stored hashes.
func (p *Set) MakeWith(ctx context.Context, password, algorithm string, params Params) (string, error) {
	h, err := p.Get(algorithm)
	if err != nil {
		return "", err
	}
	if t, ok := h.(tunable); ok {
		if h, err = t.withParams(params); err != nil {
			return "", err
		}
	} else if (params != Params{Salt: params.Salt}) {
		return "", fmt.Errorf("%w: %s takes no parameters", ErrUnsupported, h.Algorithm())
	}
	return p.make(ctx, h, password, params.Salt)
}

func (p *Set) make(ctx context.Context, h Hasher, password, salt string) (string, error) {
	if salt == "" {
		var err error
		if salt, err = h.Salt(); err != nil {
			return "", err
		}
	}
	release, err := p.acquire(ctx, h)
	if err != nil {
		return "", err
	}
	defer release()
	return h.Encode(ctx, password, salt)
}

// RunDummy hashes a random password with the preferred hasher and throws
// the result away: Django's answer to a login for a user that does not
// exist (and check_password's fake run), so that it takes as long as
// checking a real user's password.
func (p *Set) RunDummy(ctx context.Context) error {
	pw, err := RandomString(unusableSuffixLength)
	if err != nil {
		return err
	}
	_, err = p.Make(ctx, pw)
	return err
}
