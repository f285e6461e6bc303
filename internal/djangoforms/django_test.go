package djangoforms

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

func TestMain(m *testing.M) { djangotest.RunMain(m) }

// domainPools are the characters the random domains are made of: ASCII,
// Latin, Cyrillic, Greek, CJK, right-to-left scripts, what nameprep maps
// away or folds (soft hyphen, ZWJ, fullwidth forms, ß, ς, İ, ſ, K), the
// other dots IDNA 2003 splits on, astral and post-3.2 code points, digits
// of other scripts, spaces and punctuation.
var domainPools = [][]rune{
	[]rune("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-"),
	[]rune("äöüßéèçñÄÖÜÉøåæœ"),
	[]rune("абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГ"),
	[]rune("αβγδεζηθικλμνξοπρσςτυφχψωΑΒΓ"),
	[]rune("例え日本語中文字漢"),
	[]rune("العربيةمصر"),
	[]rune("שלוםעברית"),
	[]rune("\u0301\u0308\u200d\u200c\u00ad\u3002\uff0e\uff61\u2024"),
	[]rune("ＡＢＣａｂｃ１２３"),
	[]rune("İıſKÅ™①ⅷ"),
	[]rune("😀🀄𝔡𐐀"),
	[]rune("\u0660\u0661\u06f1\u0966"),
	[]rune("ᏣᎳᎩꝺ\u08a0\u0870\u1e9e\ufb01\u2fd5\u3099"),
	[]rune(" \u00a0\u3000_!\ufffd"),
}

// randomDomains returns n domains with a non-ASCII code point.
func randomDomains(n int) []string {
	r := rand.New(rand.NewPCG(1, 2))
	var ds []string
	for len(ds) < n {
		labels := make([]string, 2+r.IntN(2))
		for j := range labels {
			var b strings.Builder
			p1, p2 := domainPools[r.IntN(len(domainPools))], domainPools[r.IntN(2)]
			for k, l := 0, 1+r.IntN(8); k < l; k++ {
				if r.IntN(3) == 0 {
					b.WriteRune(p2[r.IntN(len(p2))])
				} else {
					b.WriteRune(p1[r.IntN(len(p1))])
				}
			}
			labels[j] = b.String()
		}
		if r.IntN(2) == 0 {
			labels[len(labels)-1] = []string{"com", "de", "рф", "中国", "org", "xn--p1ai"}[r.IntN(6)]
		}
		if r.IntN(20) == 0 {
			labels[0] = strings.Repeat("ü", 20+r.IntN(60)) // around the 63-byte ACE label limit
		}
		if d := strings.Join(labels, "."); !isASCII(d) {
			ds = append(ds, d)
		}
	}
	return ds
}

// TestEmailValidAsDjango: on every release, EmailValid's verdict equals
// validate_email's on addresses with 5,000 random non-ASCII domains and
// edge cases (the release's domain rule: IDNA 2003 before 5.2, the Unicode
// pattern from 5.2), and before 5.2 idna2003 equals Python's
// domain.encode("idna") byte for byte, errors included.
func TestEmailValidAsDjango(t *testing.T) {
	domains := append(randomDomains(5000), "例え.テスト", "bücher.ch", "xn--bcher-kva.ch", "a.xn--bcher-kva.ch",
		"ä..com", "ä.com.", "ä。com", "ä．com", "ä｡com", "\u00ad.com", "a\u200d.com", "ß.de", "ς.gr", "İ.tr",
		"xn--ä.com", "ab--c.com", "-ä.com", "ä-.com", "\u0627\u0644\u0639.com", "a\u0627.com", "\u0627a.com",
		strings.Repeat("ä", 57)+".com", strings.Repeat("ä", 58)+".com", "ä"+strings.Repeat("a", 62)+".com", "[::1]", "[1.2.3.4]")
	emails := make([]string, 0, len(domains)+4)
	for _, d := range domains {
		emails = append(emails, "user@"+d)
	}
	emails = append(emails, "a@x."+strings.Repeat("\u0131", 63)+".com", "a@\u0130"+strings.Repeat("a", 62)+".com", "a\u0131@example.com", "\u0130@ä.com", "é@ä.com", "\"a b\"@ä.com")
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			rel, err := djangobridge.ReleaseOf(djangobridge.MustParseVersion(release))
			if err != nil {
				t.Fatal(err)
			}
			dj := djangotest.Start(t, release, djangotest.Config{})
			var want struct {
				Valid []bool    `json:"valid"`
				IDNA  []*string `json:"idna"`
			}
			dj.Do(t, "email_validate_many", map[string]any{"emails": emails, "domains": domains}, &want)
			bad, valid := 0, 0
			for i, e := range emails {
				if want.Valid[i] {
					valid++
				}
				if got := EmailValid(e, rel.EmailValidatorUnicodeDomains); got != want.Valid[i] {
					if bad++; bad <= 10 {
						t.Errorf("%+q: Go %v, Django %v", e, got, want.Valid[i])
					}
				}
			}
			if !rel.EmailValidatorUnicodeDomains {
				for i, d := range domains {
					got, ok := idna2003(d)
					if w := want.IDNA[i]; ok != (w != nil) || ok && got != *w {
						if bad++; bad <= 20 {
							t.Errorf("idna %+q: Go %q %v, Python %v", d, got, ok, w)
						}
					}
				}
			}
			t.Logf("%d addresses, %d valid in Django, %d differences", len(emails), valid, bad)
			if valid < len(emails)/5 || valid > len(emails)*4/5 {
				t.Errorf("a poor corpus: %d of %d valid", valid, len(emails))
			}
		})
	}
}
