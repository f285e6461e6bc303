package passwords

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"unicode"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

func settingsFor(t testing.TB, release string) *djangobridge.Settings {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey = "test-secret-key"
	return &s
}

// TestCorpusAgreesWithDjango: on every release, every password of the
// corpus (≥ 2,000: common, numeric, near the user's attributes, long,
// unicode) gets from Go the same refusals — codes and messages, in order —
// as from Django's validate_password, under several AUTH_PASSWORD_VALIDATORS
// and users; and the help texts are Django's.
func TestCorpusAgreesWithDjango(t *testing.T) {
	corpus := passwordCorpus()
	if len(corpus) < 2000 {
		t.Fatalf("corpus has %d passwords, want ≥ 2000", len(corpus))
	}
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djangotest.Config{})
			s := settingsFor(t, release)
			checked, refused := 0, 0
			for ci, cfg := range corpusConfigs {
				vs, err := New(s, cfg)
				if err != nil {
					t.Fatal(err)
				}
				for ui, user := range corpusUsers {
					var want struct {
						Results   [][][2]string `json:"results"`
						HelpTexts []string      `json:"help_texts"`
					}
					dj.Do(t, "pwval_validate", map[string]any{"validators": djangoConfig(cfg),
						"user": djangoUserAttrs(user), "passwords": corpus}, &want)
					if !slices.Equal(want.HelpTexts, vs.HelpTexts()) {
						t.Errorf("config %d: help texts %q, Django %q", ci, vs.HelpTexts(), want.HelpTexts)
					}
					var u User
					if user != nil {
						u = user
					}
					bad := 0
					for i, pw := range corpus {
						var got [][2]string
						if err := vs.Validate(pw, u); err != nil {
							var es Errors
							if !errors.As(err, &es) {
								t.Fatalf("Validate returned %T", err)
							}
							for _, e := range es {
								got = append(got, [2]string{e.Code, e.Message})
							}
							refused++
						}
						checked++
						if !slices.Equal(got, want.Results[i]) && bad < 10 {
							bad++
							t.Errorf("config %d user %d password %s: Go %q, Django %q", ci, ui, short(pw), got, want.Results[i])
						}
					}
				}
			}
			t.Logf("Django %s: %d verdicts equal (%d passwords × %d configs × %d users), %d refused",
				dj.Version(), checked, len(corpus), len(corpusConfigs), len(corpusUsers), refused)
		})
	}
}

func short(s string) string {
	q := strconv.QuoteToASCII(s)
	if len(q) > 80 {
		return fmt.Sprintf("%s… (%d bytes)", q[:80], len(s))
	}
	return q
}

// TestConfigErrorsAsDjango: a name Django cannot import and a
// max_similarity below 0.1 are refused by both, with Django's words.
func TestConfigErrorsAsDjango(t *testing.T) {
	dj := djangotest.Start(t, "5.2", djangotest.Config{})
	s := settingsFor(t, "5.2")
	for _, c := range []struct {
		cfg  []Config
		want string
	}{
		{[]Config{{Name: "django.contrib.auth.password_validation.NoSuchValidator"}},
			"The module in NAME could not be imported: django.contrib.auth.password_validation.NoSuchValidator. Check your AUTH_PASSWORD_VALIDATORS setting."},
		{[]Config{{Name: NameUserAttributeSimilarity, Options: map[string]any{"max_similarity": 0.05}}},
			"max_similarity must be at least 0.1"},
	} {
		var got *struct{ Type, Message string }
		dj.Do(t, "pwval_config_error", map[string]any{"validators": djangoConfig(c.cfg)}, &got)
		if got == nil || got.Message != c.want {
			t.Errorf("Django said %+v, want %q", got, c.want)
		}
		_, err := New(s, c.cfg)
		if !errors.Is(err, ErrConfig) || !contains(err.Error(), c.want) {
			t.Errorf("Go said %v, want ErrConfig with %q", err, c.want)
		}
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestSequenceMatcherAgreesWithPython: ratio, quick_ratio, real_quick_ratio
// and the matching blocks equal difflib's, bit for bit, on pairs that
// include b of 200+ elements (autojunk's popular elements).
func TestSequenceMatcherAgreesWithPython(t *testing.T) {
	dj := djangotest.Start(t, "5.2", djangotest.Config{})
	corpus := passwordCorpus()
	var pairs [][2]string
	for i := 0; i+1 < len(corpus); i += 7 {
		a, b := corpus[i], corpus[i+1]
		if len(a) > 3000 || len(b) > 3000 {
			continue
		}
		pairs = append(pairs, [2]string{a, b}, [2]string{b, a})
	}
	long := ""
	for i := 0; i < 400; i++ {
		long += string(rune('a' + i%7))
		if i%13 == 0 {
			long += "xyz"
		}
	}
	pairs = append(pairs, [2]string{"xyzabcxyz", long}, [2]string{long[:150] + "q" + long[200:], long},
		[2]string{"", ""}, [2]string{"a", ""}, [2]string{"abcd", "bcda"}, [2]string{"private Thread currentThread;", "private volatile Thread currentThread;"})
	var want []struct {
		Ratio     float64  `json:"ratio"`
		Quick     float64  `json:"quick"`
		RealQuick float64  `json:"real_quick"`
		Blocks    [][3]int `json:"blocks"`
	}
	dj.Do(t, "difflib_ratios", map[string]any{"pairs": pairs, "blocks": true}, &want)
	for i, p := range pairs {
		m := NewSequenceMatcher(Runes(p[0]), Runes(p[1]), true)
		var blocks [][3]int
		for _, b := range m.MatchingBlocks() {
			blocks = append(blocks, [3]int{b.A, b.B, b.Size})
		}
		w := want[i]
		if m.Ratio() != w.Ratio || m.QuickRatio() != w.Quick || m.RealQuickRatio() != w.RealQuick || !slices.Equal(blocks, w.Blocks) {
			t.Errorf("%s vs %s: Go %v %v %v %v, Python %v %v %v %v", short(p[0]), short(p[1]),
				m.Ratio(), m.QuickRatio(), m.RealQuickRatio(), blocks, w.Ratio, w.Quick, w.RealQuick, w.Blocks)
		}
	}
	t.Logf("%d pairs equal", len(pairs))
}

// TestUnicodeAgreesWithPython: over every code point assigned both in the
// release's Python and in Go's tables, str.isspace, str.isdigit, re's \w and
// str.lower (one code point at a time) are what pystr.go computes; and on
// the corpus strings (with their context: final sigma) lower, strip,
// isdigit and re.split(r"\W+") agree.
func TestUnicodeAgreesWithPython(t *testing.T) {
	for _, release := range []string{"5.2", "6.1"} { // Python 3.11 and 3.14
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djangotest.Config{})
			var tab struct {
				Unicode  string           `json:"unicode"`
				Assigned [][2]rune        `json:"assigned"`
				Space    [][2]rune        `json:"space"`
				Digit    [][2]rune        `json:"digit"`
				Word     [][2]rune        `json:"word"`
				Lower    map[string][]int `json:"lower"`
			}
			dj.Do(t, "pystr_tables", nil, &tab)
			in := func(rs [][2]rune, r rune) bool {
				i, found := slices.BinarySearchFunc(rs, r, func(x [2]rune, r rune) int {
					switch {
					case x[1] < r:
						return -1
					case x[0] > r:
						return 1
					}
					return 0
				})
				return found && i >= 0
			}
			goAssigned := func(r rune) bool {
				return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z,
					unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
			}
			n, bad := 0, 0
			for r := rune(0); r <= unicode.MaxRune; r++ {
				if !in(tab.Assigned, r) || !goAssigned(r) {
					continue
				}
				n++
				var low []rune
				if l, ok := tab.Lower[strconv.Itoa(int(r))]; ok {
					for _, x := range l {
						low = append(low, rune(x))
					}
				} else {
					low = []rune{r}
				}
				gl := pyLower([]rune{r})
				if pyIsSpace(r) != in(tab.Space, r) || pyIsDigitRune(r) != in(tab.Digit, r) ||
					pyIsWord(r) != in(tab.Word, r) || !slices.Equal(gl, low) {
					if bad++; bad < 20 {
						t.Errorf("U+%04X: Go space %v digit %v word %v lower %q; Python %v %v %v %q", r,
							pyIsSpace(r), pyIsDigitRune(r), pyIsWord(r), string(gl),
							in(tab.Space, r), in(tab.Digit, r), in(tab.Word, r), string(low))
					}
				}
			}
			t.Logf("Python's Unicode %s, Go's %s: %d code points assigned in both, %d differ", tab.Unicode, unicode.Version, n, bad)

			strs := passwordCorpus()
			var want []struct {
				Lower   string   `json:"lower"`
				Strip   string   `json:"strip"`
				IsDigit bool     `json:"isdigit"`
				Split   []string `json:"split"`
			}
			dj.Do(t, "pystr_apply", map[string]any{"strings": strs}, &want)
			for i, s := range strs {
				rs := pyRunes(s)
				var split []string
				for _, p := range pySplitNonWord(rs) {
					split = append(split, string(p))
				}
				w := want[i]
				if string(pyLower(rs)) != w.Lower || string(pyStrip(rs)) != w.Strip || pyIsDigit(rs) != w.IsDigit || !slices.Equal(split, w.Split) {
					t.Errorf("%s: Go %q %q %v %q, Python %q %q %v %q", short(s), string(pyLower(rs)), string(pyStrip(rs)),
						pyIsDigit(rs), split, w.Lower, w.Strip, w.IsDigit, w.Split)
				}
			}
		})
	}
}
