package djangoforms

import (
	"strings"
	"testing"
)

// The verdicts against real Django are in passwordreset's
// TestFlowWithDjango (PasswordResetForm on a corpus, every release) and
// registration's form corpus; these pin the release difference.
func TestEmailValidReleaseRules(t *testing.T) {
	for _, c := range []struct {
		v              string
		before, unicod bool
	}{
		{"a@example.com", true, true},
		{"a@example.123", true, false}, // 5.2+: a TLD has no digits
		{"a@example.xn--p1ai", true, true},
		{"a@example.рф", true, true},
		{"a@[127.0.0.1]", true, true},
		{"a@[::1]", true, true},
		{"a@[127.0.0.01]", false, false},
		{"a@[IPv6:::1]", false, false},
		{"a@localhost", true, true},
		{"a\u0131dmin@example.com", true, true}, // re.IGNORECASE: ı and İ match [A-Z]
		{"\u0130@example.com", true, true},
		{"\u017f\u212a@example.com", true, true},
		{"\u00e9@example.com", false, false},
		{"a@example", false, false},
		{"a@example.com.", false, false},
		{"a@\U0001d521omain.com", true, false}, // astral: outside U+00A1–U+FFFF
		{strings.Repeat("a", 309) + "@example.com", false, false},
	} {
		if got := EmailValid(c.v, false); got != c.before {
			t.Errorf("EmailValid(%q) before 5.2 = %v", c.v, got)
		}
		if got := EmailValid(c.v, true); got != c.unicod {
			t.Errorf("EmailValid(%q) 5.2+ = %v", c.v, got)
		}
	}
}

func TestCleanEmailOrder(t *testing.T) {
	long := strings.Repeat("a", 250) + "@example.com\x00"
	_, errs := CleanEmail("  "+long+"  ", true)
	want := []string{MsgInvalidEmail, "Ensure this value has at most 254 characters (it has 263).", MsgNullCharacters}
	if strings.Join(errs, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", errs, want)
	}
	if v, errs := CleanEmail(" \t", false); v != "" || len(errs) != 1 || errs[0] != MsgRequired {
		t.Errorf("blank: %q %q", v, errs)
	}
}

func FuzzCleanEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", "a@[::1]", "a@ä.рф", "\"a b\"@x.xn--p1ai", "", "@", "a@" + strings.Repeat("x.", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, u := range []bool{false, true} {
			v, errs := CleanEmail(s, u)
			if v == "" && (len(errs) != 1 || errs[0] != MsgRequired) {
				t.Fatalf("%q: blank without 'required': %q", s, errs)
			}
		}
	})
}
