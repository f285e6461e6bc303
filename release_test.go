package djangobridge

import (
	"errors"
	"strings"
	"testing"
)

func TestReleaseOfRefusesUnsetAndUnknown(t *testing.T) {
	if _, err := ReleaseOf(Version{}); !errors.Is(err, ErrVersionUnset) ||
		!strings.Contains(err.Error(), "start from djangobridge.Defaults(), or set it to your Django release") {
		t.Errorf("zero version: %v", err)
	}
	for _, v := range []string{"2.2", "3.1", "3.0", "9.9", "4.3", "6.2", "7.0"} {
		_, err := ReleaseOf(MustParseVersion(v))
		if !errors.Is(err, ErrVersionUnsupported) || !strings.Contains(err.Error(), "3.2, 4.0, 4.1, 4.2, 5.0, 5.1, 5.2, 6.0, 6.1") {
			t.Errorf("Django %s: %v", v, err)
		}
	}
	for _, v := range []string{"3.2", "3.2.25", "4.0", "4.1", "4.1.7", "4.1.8", "4.2", "5.0", "5.1", "5.2", "5.2.14", "6.0", "6.1", "6.1.1"} {
		if _, err := ReleaseOf(MustParseVersion(v)); err != nil {
			t.Errorf("Django %s: %v", v, err)
		}
	}
	var s *Settings
	if _, err := s.Release(); err == nil {
		t.Error("nil Settings: no error")
	}
	d := Defaults()
	if _, err := d.Release(); err != nil {
		t.Errorf("Defaults(): %v", err)
	}
}

func TestReleaseRules(t *testing.T) {
	rel := func(v string) Release {
		r, err := ReleaseOf(MustParseVersion(v))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	iters := map[string]int{"3.2": 260000, "4.0": 320000, "4.1": 390000, "4.2": 600000, "5.0": 720000,
		"5.1": 870000, "5.2": 1000000, "6.0": 1200000, "6.1": 1500000}
	for v, n := range iters {
		if got := rel(v).PBKDF2Iterations; got != n {
			t.Errorf("Django %s: PBKDF2 iterations %d, want %d", v, got, n)
		}
	}
	for _, c := range []struct {
		v    string
		name string
		got  bool
		want bool
	}{
		{"3.2", "DefaultHashingAlgorithm", rel("3.2").DefaultHashingAlgorithm, true},
		{"4.0", "DefaultHashingAlgorithm", rel("4.0").DefaultHashingAlgorithm, false},
		{"4.0", "SecretKeyFallbacks", rel("4.0").SecretKeyFallbacks, false},
		{"4.1", "SecretKeyFallbacks", rel("4.1").SecretKeyFallbacks, true},
		{"4.1.7", "SessionAuthHashFallbacks", rel("4.1.7").SessionAuthHashFallbacks, false},
		{"4.1.8", "SessionAuthHashFallbacks", rel("4.1.8").SessionAuthHashFallbacks, true},
		{"4.1", "SessionAuthHashFallbacks", rel("4.1").SessionAuthHashFallbacks, true},
		{"3.2", "LegacySessionFormat", rel("3.2").LegacySessionFormat, true},
		{"4.0", "LegacySessionFormat", rel("4.0").LegacySessionFormat, false},
		{"3.2", "CSRFOriginCheck", rel("3.2").CSRFOriginCheck, false},
		{"4.0", "CSRFOriginCheck", rel("4.0").CSRFOriginCheck, true},
		{"6.1", "CSRFOriginCheck", rel("6.1").CSRFOriginCheck, true},
		{"4.0", "CSRFCookieAlwaysMasked", rel("4.0").CSRFCookieAlwaysMasked, true},
		{"4.1", "CSRFCookieMaskedSetting", rel("4.1").CSRFCookieMaskedSetting, true},
		{"5.0", "CSRFCookieMaskedSetting", rel("5.0").CSRFCookieMaskedSetting, false},
		{"3.2", "SkipSaveOnAny5xx", rel("3.2").SkipSaveOnAny5xx, false},
		{"4.0", "SkipSaveOnAny5xx", rel("4.0").SkipSaveOnAny5xx, true},
		{"4.0", "ProxySSLHeaderFirstValue", rel("4.0").ProxySSLHeaderFirstValue, false},
		{"4.1", "ProxySSLHeaderFirstValue", rel("4.1").ProxySSLHeaderFirstValue, true},
		{"5.2.13", "VaryCookieOnSessionSave", rel("5.2.13").VaryCookieOnSessionSave, false},
		{"5.2.14", "VaryCookieOnSessionSave", rel("5.2.14").VaryCookieOnSessionSave, true},
		{"6.0", "VaryCookieOnSessionSave", rel("6.0").VaryCookieOnSessionSave, true},
		{"3.2.17", "DataUploadMaxNumberFiles", rel("3.2.17").DataUploadMaxNumberFiles, false},
		{"3.2.18", "DataUploadMaxNumberFiles", rel("3.2.18").DataUploadMaxNumberFiles, true},
		{"3.2", "DataUploadMaxNumberFiles", rel("3.2").DataUploadMaxNumberFiles, true},
		{"4.0.9", "DataUploadMaxNumberFiles", rel("4.0.9").DataUploadMaxNumberFiles, false},
		{"4.0.10", "DataUploadMaxNumberFiles", rel("4.0.10").DataUploadMaxNumberFiles, true},
		{"4.1.6", "DataUploadMaxNumberFiles", rel("4.1.6").DataUploadMaxNumberFiles, false},
		{"4.1.7", "DataUploadMaxNumberFiles", rel("4.1.7").DataUploadMaxNumberFiles, true},
		{"4.2", "DataUploadMaxNumberFiles", rel("4.2").DataUploadMaxNumberFiles, true},
		{"6.1", "DataUploadMaxNumberFiles", rel("6.1").DataUploadMaxNumberFiles, true},
	} {
		if c.got != c.want {
			t.Errorf("Django %s: %s = %v, want %v", c.v, c.name, c.got, c.want)
		}
	}
	if h := rel("5.1").Hashers; contains(h, "sha1") || contains(h, "unsalted_md5") || !contains(h, "md5") {
		t.Errorf("Django 5.1 hashers %v", h)
	}
	if h := rel("5.0").Hashers; contains(h, "crypt") || !contains(h, "sha1") {
		t.Errorf("Django 5.0 hashers %v", h)
	}
	if p := rel("5.1").ScryptParallelism; p != 5 {
		t.Errorf("Django 5.1 scrypt p = %d", p)
	}
	if n := rel("3.2").ScryptWorkFactor; n != 0 {
		t.Errorf("Django 3.2 scrypt N = %d", n)
	}
	// A Release is a copy: changing one changes nothing else.
	a := rel("5.2")
	a.PasswordHashers[0] = "md5"
	if rel("5.2").PasswordHashers[0] != "pbkdf2_sha256" {
		t.Error("Release slices are shared")
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestAccountsRules: the per-release rules of django/contrib/auth/tokens.py
// and password_validation.py (checked against each release's source).
func TestAccountsRules(t *testing.T) {
	for v, want := range map[string]struct {
		alg     string
		fb, leg bool
		list    string
	}{
		"3.2": {"", false, true, "2018"}, "4.0": {"sha256", false, false, "2018"},
		"4.1": {"sha256", true, false, "2018"}, "4.2": {"sha256", true, false, "2022"},
		"5.1": {"sha256", true, false, "2022"}, "5.2": {"sha256", true, false, "2025"},
		"6.1": {"sha256", true, false, "2025"},
	} {
		r, err := ReleaseOf(MustParseVersion(v))
		if err != nil {
			t.Fatal(err)
		}
		if r.PasswordResetTokenAlgorithm != want.alg || r.PasswordResetTokenFallbacks != want.fb ||
			r.PasswordResetTokenLegacy != want.leg || r.CommonPasswordList != want.list || !r.PasswordResetTokenEmail ||
			r.UsernameIExactUnique != (v >= "4.2") || r.EmailModernPolicy != (v >= "6.0") {
			t.Errorf("Django %s: %+v", v, r)
		}
	}
}
