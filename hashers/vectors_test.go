package hashers

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
)

// djangoVectors is testdata/django/<release>/hashers.json, written by
// testdata/gen/gen_hashers.py under real Django.
type djangoVectors struct {
	Django   string `json:"django"`
	Defaults struct {
		PBKDF2Iterations  int      `json:"pbkdf2_iterations"`
		Argon2Variety     string   `json:"argon2_variety"`
		Argon2TimeCost    int      `json:"argon2_time_cost"`
		Argon2MemoryCost  int      `json:"argon2_memory_cost"`
		Argon2Parallelism int      `json:"argon2_parallelism"`
		Argon2HashLen     int      `json:"argon2_hash_len"`
		BcryptRounds      int      `json:"bcrypt_rounds"`
		ScryptN           int      `json:"scrypt_n"`
		ScryptR           int      `json:"scrypt_r"`
		ScryptP           int      `json:"scrypt_p"`
		PasswordHashers   []string `json:"password_hashers"`
	} `json:"defaults"`
	Available []string `json:"available"`
	Vectors   []struct {
		Algorithm string `json:"algorithm"`
		Params    struct {
			Iterations  int    `json:"iterations"`
			Variety     string `json:"variety"`
			TimeCost    int    `json:"time_cost"`
			MemoryCost  int    `json:"memory_cost"`
			Parallelism int    `json:"parallelism"`
			Rounds      int    `json:"rounds"`
			N           int    `json:"n"`
			R           int    `json:"r"`
			P           int    `json:"p"`
		} `json:"params"`
		Password string         `json:"password"`
		Salt     string         `json:"salt"`
		Encoded  string         `json:"encoded"`
		Decode   map[string]any `json:"decode"`
	} `json:"vectors"`
	MustUpdate []struct {
		Preferred  string `json:"preferred"`
		Encoded    string `json:"encoded"`
		MustUpdate any    `json:"must_update"` // bool, nil (identify fails) or "raises"
	} `json:"must_update"`
	Check []struct {
		Password string  `json:"password"`
		Encoded  string  `json:"encoded"`
		OK       *bool   `json:"ok"`
		Updated  bool    `json:"updated"`
		Error    *string `json:"error"`
	} `json:"check"`
}

var releases = []string{"3.2", "4.2", "5.2", "6.1"}

func loadVectors(t *testing.T, release string) *djangoVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "django", release, "hashers.json"))
	if err != nil {
		t.Fatalf("vectors of Django %s: %v (regenerate with testdata/gen/run gen_hashers)", release, err)
	}
	var v djangoVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// allHashers is PASSWORD_HASHERS naming every hasher of the release, with
// preferred first.
func allHashers(v *djangoVectors, preferred string) []string {
	out := []string{preferred}
	for _, a := range v.Available {
		if a != preferred {
			out = append(out, a)
		}
	}
	return out
}

// TestDefaultsForMatchesDjango: DefaultsFor gives each release's class
// attributes and default PASSWORD_HASHERS, and lists exactly the hashers
// the release ships.
func TestDefaultsForMatchesDjango(t *testing.T) {
	for _, rel := range releases {
		v := loadVectors(t, rel)
		d, err := DefaultsFor(djangobridge.MustParseVersion(rel))
		if err != nil {
			t.Fatal(err)
		}
		w := v.Defaults
		if d.PBKDF2Iterations != w.PBKDF2Iterations || d.Argon2Variety != w.Argon2Variety ||
			d.Argon2Time != w.Argon2TimeCost || d.Argon2MemoryKiB != w.Argon2MemoryCost ||
			d.Argon2Threads != w.Argon2Parallelism ||
			d.BcryptRounds != w.BcryptRounds || d.ScryptN != w.ScryptN || d.ScryptR != w.ScryptR || d.ScryptP != w.ScryptP {
			t.Errorf("Django %s: DefaultsFor = %+v, Django has %+v", v.Django, d, w)
		}
		if libsOf[rel].argon2HashLen != w.Argon2HashLen {
			t.Errorf("Django %s ran with argon2 hash length %d; libsOf says %d", v.Django, w.Argon2HashLen, libsOf[rel].argon2HashLen)
		}
		if !slices.Equal(d.Hashers, w.PasswordHashers) {
			t.Errorf("Django %s: default PASSWORD_HASHERS %v, Django has %v", v.Django, d.Hashers, w.PasswordHashers)
		}
		got, want := slices.Sorted(slices.Values(d.Available)), slices.Sorted(slices.Values(v.Available))
		if !slices.Equal(got, want) {
			t.Errorf("Django %s: available hashers %v, Django has %v", v.Django, got, want)
		}
	}
}

// hasherForVector builds the hasher with the parameters a vector was made
// with.
// libsOf is what the hashing libraries beside each Django here give
// (checked against the live Django by TestLibsTable): argon2-cffi 21.1 and
// bcrypt 3.2.2 for 3.2–5.2, argon2-cffi 25.1 and bcrypt 5.0 for 6.1.
var libsOf = map[string]struct {
	argon2HashLen int
	bcryptBefore5 bool
}{
	"3.2": {16, true}, "4.2": {16, true}, "5.2": {16, true}, "6.1": {32, false},
}

func settingsFor(t *testing.T, release string, hashers []string) *djangobridge.Settings {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.PasswordHashers = hashers
	s.Argon2HashLength = libsOf[release].argon2HashLen
	s.BcryptBefore5 = libsOf[release].bcryptBefore5
	return &s
}

func hasherForVector(rel, encoded, alg string, p struct {
	Iterations  int    `json:"iterations"`
	Variety     string `json:"variety"`
	TimeCost    int    `json:"time_cost"`
	MemoryCost  int    `json:"memory_cost"`
	Parallelism int    `json:"parallelism"`
	Rounds      int    `json:"rounds"`
	N           int    `json:"n"`
	R           int    `json:"r"`
	P           int    `json:"p"`
}) Hasher {
	switch alg {
	case "pbkdf2_sha256", "pbkdf2_sha1":
		return &PBKDF2Hasher{SHA1: alg == "pbkdf2_sha1", Iterations: p.Iterations}
	case "argon2":
		d, _ := (&Argon2Hasher{}).Decode(encoded)
		return &Argon2Hasher{Variety: p.Variety, TimeCost: p.TimeCost, MemoryCost: p.MemoryCost, Parallelism: p.Parallelism, HashLen: d.HashLen}
	case "bcrypt_sha256", "bcrypt":
		return &BcryptHasher{SHA256: alg == "bcrypt_sha256", Rounds: p.Rounds, Before5: libsOf[rel].bcryptBefore5}
	case "scrypt":
		return &ScryptHasher{N: p.N, R: p.R, P: p.P}
	case "md5":
		return &MD5Hasher{}
	case "sha1":
		return &SHA1Hasher{}
	case "unsalted_md5":
		return UnsaltedMD5Hasher{}
	case "unsalted_sha1":
		return UnsaltedSHA1Hasher{}
	}
	return nil
}

// TestEncodeMatchesDjango: for every hash Django wrote (every hasher, its
// default and cheap parameters, ASCII, empty, 100-byte, emoji, CJK and
// multi-byte passwords), Go's Encode with the same salt writes the same
// string, Verify accepts the password and rejects another.
func TestEncodeMatchesDjango(t *testing.T) {
	ctx := context.Background()
	for _, rel := range releases {
		v := loadVectors(t, rel)
		for i, vec := range v.Vectors {
			h := hasherForVector(rel, vec.Encoded, vec.Algorithm, vec.Params)
			if h == nil {
				t.Errorf("Django %s: vector %d: no hasher for %q", v.Django, i, vec.Algorithm)
				continue
			}
			got, err := h.Encode(ctx, vec.Password, vec.Salt)
			if err != nil || got != vec.Encoded {
				t.Errorf("Django %s: %s(%q, %q) = %q, %v; Django wrote %q", v.Django, vec.Algorithm, vec.Password, vec.Salt, got, err, vec.Encoded)
			}
			if ok, err := h.Verify(ctx, vec.Password, vec.Encoded); !ok || err != nil {
				t.Errorf("Django %s: Verify(%q, %q) = %v, %v; want true", v.Django, vec.Password, vec.Encoded, ok, err)
			}
			wrong := vec.Password + "x"
			if vec.Algorithm == "bcrypt" && len(vec.Password) >= 72 {
				wrong = "x" + vec.Password
			}
			if ok, err := h.Verify(ctx, wrong, vec.Encoded); ok || err != nil {
				t.Errorf("Django %s: Verify(%q, %q) = %v, %v; want false", v.Django, wrong, vec.Encoded, ok, err)
			}
		}
	}
}

// TestMustUpdateMatchesDjango: for every preferred hasher and stored hash,
// Set.MustUpdate answers as Django's must_update logic in check_password
// (hasher changed, or the preferred hasher's must_update). Where Django's
// identify_hasher fails Go says false; where Django's must_update raises
// on a malformed hash Go says true.
func TestMustUpdateMatchesDjango(t *testing.T) {
	for _, rel := range releases {
		v := loadVectors(t, rel)
		sets := map[string]*Set{}
		for _, c := range v.MustUpdate {
			set := sets[c.Preferred]
			if set == nil {
				var err error
				if set, err = New(settingsFor(t, rel, allHashers(v, c.Preferred))); err != nil {
					t.Fatal(err)
				}
				sets[c.Preferred] = set
			}
			var want bool
			switch m := c.MustUpdate.(type) {
			case bool:
				want = m
			case nil:
				want = false
			case string:
				want = m == "raises"
			}
			if got := set.MustUpdate(c.Encoded); got != want {
				t.Errorf("Django %s, preferred %s: MustUpdate(%q) = %v; Django: %v", v.Django, c.Preferred, c.Encoded, got, c.MustUpdate)
			}
		}
	}
}

// unsupportedByGo are the hashes Django verifies that this package refuses
// with ErrUnsupported: crypt.
func unsupportedByGo(encoded string) bool {
	return strings.HasPrefix(encoded, "crypt$")
}

// TestCheckMatchesDjango: Set.Check gives check_password's answer for
// every case Django answered, with PASSWORD_HASHERS = every hasher of the
// release and PBKDF2 preferred; when Django called the setter (correct and
// must_update), Check says mustUpdate. Where Django raised, Check gives
// false and an error.
func TestCheckMatchesDjango(t *testing.T) {
	ctx := context.Background()
	for _, rel := range releases {
		v := loadVectors(t, rel)
		set, err := New(settingsFor(t, rel, allHashers(v, "pbkdf2_sha256")))
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range v.Check {
			ok, mustUpdate, err := set.Check(ctx, c.Password, c.Encoded)
			switch {
			case unsupportedByGo(c.Encoded):
				if ok || !errors.Is(err, ErrUnsupported) {
					t.Errorf("Django %s: Check(%q) = %v, %v; want false, ErrUnsupported", v.Django, c.Encoded, ok, err)
				}
			case c.Error != nil:
				if ok || err == nil {
					t.Errorf("Django %s raised %s for %q; Check = %v, %v; want false and an error", v.Django, *c.Error, c.Encoded, ok, err)
				}
			case *c.OK:
				if !ok || err != nil || mustUpdate != c.Updated {
					t.Errorf("Django %s: Check(%q, %q) = %v, %v, %v; Django: true, must_update %v", v.Django, c.Password, c.Encoded, ok, mustUpdate, err, c.Updated)
				}
			default:
				if ok {
					t.Errorf("Django %s: Check(%q, %q) = true (%v); Django: false", v.Django, c.Password, c.Encoded, err)
				}
			}
		}
	}
}

// TestFormatsDocVectors are the known answers of django-formats.md §11
// (password "pässword", salt "abcdefghijklmnopqrstuv", the Django 3.2/4.2
// defaults they were made with).
func TestFormatsDocVectors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		h       Hasher
		salt    string
		encoded string
	}{
		{&PBKDF2Hasher{Iterations: 260000}, salt22, "pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ="},
		{&PBKDF2Hasher{SHA1: true, Iterations: 260000}, salt22, "pbkdf2_sha1$260000$abcdefghijklmnopqrstuv$0ogIEQsX8LrouiNsYbkfVC/I/HE="},
		{&MD5Hasher{}, salt22, "md5$abcdefghijklmnopqrstuv$eba27987967a26884a27c1decbe3032d"},
		{&Argon2Hasher{HashLen: 16}, salt22, "argon2$argon2id$v=19$m=102400,t=2,p=8$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dg$cXL1RHoXgnQwjtAW2SsImQ"},
		{&ScryptHasher{P: 1}, salt22, "scrypt$16384$abcdefghijklmnopqrstuv$8$1$B26/EO2ji91ZlMQDjSbyjR2Hc0SJ9Eyqu6YwsQSQnTfyKpj+VWWue1nMPcDlgwjaJZzZkIAuwBdKZxY1/pzGsA=="},
		{&BcryptHasher{SHA256: true}, "$2b$12$abcdefghijklmnopqrstuu", "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuuUd/goKkBUYogJntQ7O40LPjFbO9VltG"},
		{&BcryptHasher{}, "$2b$12$abcdefghijklmnopqrstuu", "bcrypt$$2b$12$abcdefghijklmnopqrstuuscbPSP0HoEIixN619CDaS1KI1Cgssz6"},
	} {
		if got, err := c.h.Encode(ctx, "pässword", c.salt); got != c.encoded || err != nil {
			t.Errorf("%s: %q, %v; want %q", c.h.Algorithm(), got, err, c.encoded)
		}
	}
}

// TestDecodeMatchesDjango: Decode gives the fields of each hasher's
// decode() in Django (bcrypt's "checksum" is Decoded.Hash; a missing salt,
// None in Django, is "").
func TestDecodeMatchesDjango(t *testing.T) {
	for _, rel := range releases {
		v := loadVectors(t, rel)
		for _, vec := range v.Vectors {
			h := hasherForVector(rel, vec.Encoded, vec.Algorithm, vec.Params)
			d, err := h.Decode(vec.Encoded)
			if err != nil {
				t.Errorf("Django %s: Decode(%q): %v", v.Django, vec.Encoded, err)
				continue
			}
			got := map[string]any{"algorithm": d.Algorithm, "hash": d.Hash, "salt": d.Salt}
			switch vec.Algorithm {
			case "pbkdf2_sha256", "pbkdf2_sha1":
				got["iterations"] = d.Iterations
			case "argon2":
				got["memory_cost"], got["time_cost"], got["parallelism"] = d.MemoryCost, d.TimeCost, d.Parallelism
				got["variety"], got["version"] = d.Variety, d.Version
			case "bcrypt_sha256", "bcrypt":
				delete(got, "hash")
				got["checksum"], got["algostr"], got["work_factor"] = d.Hash, d.Algostr, d.WorkFactor
			case "scrypt":
				got["work_factor"], got["block_size"], got["parallelism"] = d.WorkFactor, d.BlockSize, d.Parallelism
			case "unsalted_md5", "unsalted_sha1":
				got["salt"] = nil
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(vec.Decode)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("Django %s: Decode(%q) = %s; Django %s", v.Django, vec.Encoded, gotJSON, wantJSON)
			}
		}
	}
}
