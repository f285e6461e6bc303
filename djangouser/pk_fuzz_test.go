package djangouser

import (
	"strconv"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge/djangosession"
)

// FuzzPyInt: pyInt never panics, agrees with strconv.ParseInt on plain
// ASCII integers, and what it accepts round-trips through sessionPK.
func FuzzPyInt(f *testing.F) {
	for _, s := range []string{"1", " 1 ", "+1", "-0", "0_1", "1__0", "_1", "1_", "١٢", "𝟏𝟐", "9223372036854775807",
		"-9223372036854775808", "9223372036854775808", "", "-", "1.0", "\u00a012\u2003"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := pyInt(s)
		if strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0 && s != "" {
			want, err := strconv.ParseInt(s, 10, 64)
			if (err == nil) != ok || (ok && n != want) {
				t.Fatalf("pyInt(%q) = %d, %v; strconv %d, %v", s, n, ok, want, err)
			}
		}
		if ok {
			if got, ok2 := sessionPK(s, PKBigInt); !ok2 || got != strconv.FormatInt(n, 10) {
				t.Fatalf("sessionPK(%q) = %q, %v", s, got, ok2)
			}
		}
		sessionPK(djangosession.Number(s), PKInt)
		sessionPK(djangosession.Number(s), PKUUID)
		sessionPK(djangosession.Number(s), PKText)
	})
}
