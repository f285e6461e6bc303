package hashers_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/hashers"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// livePasswords are checked both ways with every hasher.
var livePasswords = []string{
	"pässword", "", "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789",
	"🔑 secret 😀🎉", "密码パスワード", "a" + "ééééééééééééééééééééééééééééééééééééééé", `$dollar$ "quotes" \ and spaces`,
}

// cheap are low-cost parameters per algorithm, so the live tests run fast;
// Django verifies with the parameters stored in the hash.
var cheap = map[string]hashers.Params{
	"pbkdf2_sha256": {Iterations: 1000},
	"pbkdf2_sha1":   {Iterations: 1000},
	"argon2":        {TimeCost: 1, MemoryCost: 64, Parallelism: 2},
	"bcrypt_sha256": {Rounds: 4},
	"bcrypt":        {Rounds: 4},
	"scrypt":        {N: 16, R: 8, Parallelism: 1},
}

// djangoParams is the same as the harness op's params.
func djangoParams(p hashers.Params) map[string]any {
	m := map[string]any{}
	for k, v := range map[string]int{"iterations": p.Iterations, "rounds": p.Rounds, "time_cost": p.TimeCost,
		"memory_cost": p.MemoryCost, "parallelism": p.Parallelism, "n": p.N, "r": p.R} {
		if v != 0 {
			m[k] = v
		}
	}
	if p.Parallelism != 0 {
		m["p"] = p.Parallelism
	}
	if p.Variety != "" {
		m["variety"] = p.Variety
	}
	return m
}

type djCheck struct {
	OK      bool `json:"ok"`
	Updated bool `json:"updated"`
}

// TestLiveBothWays: on real Django 3.2, 4.2 and 5.2, with PASSWORD_HASHERS
// naming every hasher the release ships (md5 preferred, so checks are
// cheap): every hash Go makes, Django's check_password accepts with the
// password and rejects with another, identifies as the same algorithm and
// gives the same must_update; every hash Django makes, Go's Check accepts
// with the password (and the same must-update answer) and rejects with
// another.
func TestLiveBothWays(t *testing.T) {
	ctx := context.Background()
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			v := djangobridge.MustParseVersion(rel)
			names := []string{"md5"}
			for _, a := range mustDefaults(t, v).Available {
				if a != "md5" && a != "crypt" {
					names = append(names, a)
				}
			}
			dotted := make([]string, len(names))
			for i, n := range names {
				dotted[i] = hashers.DottedPath(n)
			}
			dj := djangotest.Start(t, rel, djangotest.Config{PasswordHashers: dotted})
			s := djangobridge.Defaults()
			s.DjangoVersion = v
			s.PasswordHashers = dotted
			setLibs(t, dj, &s)
			set, err := hashers.New(&s)
			if err != nil {
				t.Fatal(err)
			}
			type variant struct {
				alg    string
				params hashers.Params
			}
			var variants []variant
			for _, a := range names {
				variants = append(variants, variant{a, cheap[a]})
				if a == "argon2" {
					p := cheap[a]
					p.Variety = "argon2i"
					variants = append(variants, variant{a, p})
				}
			}
			for _, vr := range variants {
				for _, pw := range livePasswords {
					enc, err := set.MakeWith(ctx, pw, vr.alg, vr.params)
					if vr.alg == "bcrypt" && len(pw) > 72 && !s.BcryptBefore5 {
						// bcrypt 5.0 raises ValueError: so do Django and Go.
						derr := dj.Call("hashers_make_password", map[string]any{"password": pw, "algorithm": vr.alg,
							"params": djangoParams(vr.params)}, nil)
						if !errors.Is(err, hashers.ErrUnsupported) || derr == nil {
							t.Errorf("bcrypt 5, %d-byte password: Go %v, Django %v; want both to refuse", len(pw), err, derr)
						}
						continue
					}
					if err != nil {
						t.Fatalf("MakeWith(%q, %s, %+v): %v", pw, vr.alg, vr.params, err)
					}
					var c djCheck
					dj.Do(t, "hashers_check_password", map[string]any{"password": pw, "encoded": enc}, &c)
					if !c.OK {
						t.Errorf("Django %s rejects Go's %s hash of %q: %s", rel, vr.alg, pw, enc)
					}
					dj.Do(t, "hashers_check_password", map[string]any{"password": "!" + pw, "encoded": enc}, &c)
					if c.OK {
						t.Errorf("Django %s accepts a wrong password for Go's %s", rel, enc)
					}
					var alg string
					dj.Do(t, "hashers_identify", map[string]any{"encoded": enc}, &alg)
					if alg != vr.alg {
						t.Errorf("Django %s identifies Go's %s as %s", rel, enc, alg)
					}
					var mu *bool
					dj.Do(t, "hashers_must_update", map[string]any{"encoded": enc}, &mu)
					if mu == nil || *mu != set.MustUpdate(enc) {
						t.Errorf("Django %s: must_update(%s) = %v, Go %v", rel, enc, mu, set.MustUpdate(enc))
					}

					var djEnc string
					dj.Do(t, "hashers_make_password", map[string]any{"password": pw, "algorithm": vr.alg,
						"params": djangoParams(vr.params)}, &djEnc)
					ok, mustUpdate, err := set.Check(ctx, pw, djEnc)
					dj.Do(t, "hashers_check_password", map[string]any{"password": pw, "encoded": djEnc}, &c)
					if !ok || err != nil || mustUpdate != c.Updated || !c.OK {
						t.Errorf("Go Check(%q, Django %s's %s) = %v, %v, %v; Django: %+v", pw, rel, djEnc, ok, mustUpdate, err, c)
					}
					if ok, _, err := set.Check(ctx, "!"+pw, djEnc); ok || err != nil {
						t.Errorf("Go Check(wrong, Django %s's %s) = %v, %v", rel, djEnc, ok, err)
					}
				}
			}
		})
	}
}

// TestLiveDefaults: with each release's default PASSWORD_HASHERS and
// parameters, a hash Go's Make writes needs no update in Django, and a hash
// Django's make_password writes needs none in Go; both check in the other.
// Each default hasher is tried (its default parameters) through MakeWith;
// with -short only the preferred one (the others cost seconds each).
func TestLiveDefaults(t *testing.T) {
	ctx := context.Background()
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			v := djangobridge.MustParseVersion(rel)
			dj := djangotest.Start(t, rel, djangotest.Config{})
			s := djangobridge.Defaults()
			s.DjangoVersion = v
			setLibs(t, dj, &s)
			set, err := hashers.New(&s)
			if err != nil {
				t.Fatal(err)
			}
			const pw = "pässword"
			algs := mustDefaults(t, v).Hashers
			if testing.Short() { // default parameters are slow by design: the preferred one only
				algs = algs[:1]
			}
			for _, alg := range algs {
				enc, err := set.MakeWith(ctx, pw, alg, hashers.Params{})
				if err != nil {
					t.Fatal(err)
				}
				var c djCheck
				dj.Do(t, "hashers_check_password", map[string]any{"password": pw, "encoded": enc, "preferred": alg}, &c)
				if !c.OK || c.Updated {
					t.Errorf("Django %s, preferred %s: check_password(Go's %s) = %+v; want ok, no update", rel, alg, enc, c)
				}
				var djEnc string
				dj.Do(t, "hashers_make_password", map[string]any{"password": pw, "algorithm": alg}, &djEnc)
				ok, mustUpdate, err := set.Check(ctx, pw, djEnc)
				wantUpdate := alg != set.Preferred().Algorithm()
				if !ok || err != nil || mustUpdate != wantUpdate {
					t.Errorf("Go Check(Django %s's %s) = %v, %v, %v; want true, %v", rel, djEnc, ok, mustUpdate, err, wantUpdate)
				}
			}
			enc, err := set.Make(ctx, pw)
			if err != nil {
				t.Fatal(err)
			}
			var mu *bool
			dj.Do(t, "hashers_must_update", map[string]any{"encoded": enc}, &mu)
			if mu == nil || *mu || set.MustUpdate(enc) {
				t.Errorf("Django %s: must_update(Go's Make %s) = %v, Go %v; want false", rel, enc, mu, set.MustUpdate(enc))
			}
			if !slices.Contains(mustDefaults(t, v).Hashers, set.Preferred().Algorithm()) {
				t.Errorf("preferred %s not in defaults", set.Preferred().Algorithm())
			}
		})
	}
}

// djangoLibs is what the hashing libraries beside a Django give (the
// hashers_libs op).
type djangoLibs struct {
	Argon2HashLen *int  `json:"argon2_hash_len"`
	BcryptBefore5 *bool `json:"bcrypt_before5"`
}

// setLibs sets the library-dependent settings (Argon2HashLength,
// BcryptBefore5) to what dj's installed argon2-cffi and bcrypt do.
func setLibs(t testing.TB, dj *djangotest.Django, s *djangobridge.Settings) djangoLibs {
	t.Helper()
	var l djangoLibs
	dj.Do(t, "hashers_libs", nil, &l)
	if l.Argon2HashLen == nil || l.BcryptBefore5 == nil {
		t.Fatalf("Django %s: argon2-cffi or bcrypt missing: %+v", dj.Version(), l)
	}
	s.Argon2HashLength, s.BcryptBefore5 = *l.Argon2HashLen, *l.BcryptBefore5
	return l
}

func mustDefaults(t testing.TB, v djangobridge.Version) hashers.Defaults {
	t.Helper()
	d, err := hashers.DefaultsFor(v)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLibsTable: the libsOf table the offline vector tests use is what the
// libraries beside each Django here give.
func TestLibsTable(t *testing.T) {
	for _, rel := range djangotest.Releases {
		dj := djangotest.Start(t, rel, djangotest.Config{})
		var s djangobridge.Settings
		setLibs(t, dj, &s)
		want := hashers.LibsOfForTest(rel)
		if s.Argon2HashLength != want.Argon2HashLen || s.BcryptBefore5 != want.BcryptBefore5 {
			t.Errorf("Django %s: argon2 hash length %d, bcrypt before 5 %v; libsOf says %+v", rel, s.Argon2HashLength, s.BcryptBefore5, want)
		}
	}
}
