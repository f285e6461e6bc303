package passwords

import (
	"unicode"
	"unicode/utf8"
)

// This file holds the few Python str operations the validators depend on,
// with CPython's semantics rather than Go's where the two differ. Strings
// are handled as code points ([]rune), as Python's str is; invalid UTF-8 in
// a Go string counts as one U+FFFD per bad byte (Django only ever sees
// decoded text).
//
// Unicode data comes from Go's unicode package (Unicode 15.0). CPython 3.11
// uses Unicode 14.0 and 3.14 uses 16.0: the answers differ only for code
// points assigned in between.

// pyRunes is list(s).
func pyRunes(s string) []rune {
	out := make([]rune, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		out = append(out, r)
	}
	return out
}

// pyIsSpace is str.isspace for one code point: Go's unicode.IsSpace plus
// the ASCII information separators U+001C–U+001F, which CPython counts as
// white space (bidirectional class B or S).
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

// pyStrip is str.strip() with no argument.
func pyStrip(rs []rune) []rune {
	i, j := 0, len(rs)
	for i < j && pyIsSpace(rs[i]) {
		i++
	}
	for j > i && pyIsSpace(rs[j-1]) {
		j--
	}
	return rs[i:j]
}

// digitNotDecimal lists the code points with Numeric_Type=Digit that are
// not decimal digits (Nd): superscripts, circled and parenthesized digits
// and the like. str.isdigit accepts them, unicode.IsDigit does not. The
// ranges are those of CPython 3.11's unicodedata (Unicode 14.0), checked by
// TestUnicodeAgreesWithPython.
var digitNotDecimal = [][2]rune{
	{0xb2, 0xb3}, {0xb9, 0xb9}, {0x1369, 0x1371}, {0x19da, 0x19da}, {0x2070, 0x2070},
	{0x2074, 0x2079}, {0x2080, 0x2089}, {0x2460, 0x2468}, {0x2474, 0x247c}, {0x2488, 0x2490},
	{0x24ea, 0x24ea}, {0x24f5, 0x24fd}, {0x24ff, 0x24ff}, {0x2776, 0x277e}, {0x2780, 0x2788},
	{0x278a, 0x2792}, {0x10a40, 0x10a43}, {0x10e60, 0x10e68}, {0x11052, 0x1105a}, {0x1f100, 0x1f10a},
}

// pyIsDigitRune is str.isdigit for one code point.
func pyIsDigitRune(r rune) bool {
	if unicode.Is(unicode.Nd, r) {
		return true
	}
	for _, rg := range digitNotDecimal {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// pyIsDigit is str.isdigit: non-empty and every code point a digit.
func pyIsDigit(rs []rune) bool {
	if len(rs) == 0 {
		return false
	}
	for _, r := range rs {
		if !pyIsDigitRune(r) {
			return false
		}
	}
	return true
}

// pyIsWord is the \w of Python's re module on str patterns: str.isalnum()
// (every letter category, every number category) or "_". Combining marks
// are not word characters.
func pyIsWord(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r)
}

// pySplitNonWord is re.split(r"\W+", s): the runs of word characters
// between runs of non-word characters, with "" at either end when s starts
// or ends with a non-word character (and [""] for "").
func pySplitNonWord(rs []rune) [][]rune {
	var out [][]rune
	start := 0
	i := 0
	for i < len(rs) {
		if pyIsWord(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && !pyIsWord(rs[j]) {
			j++
		}
		out = append(out, rs[start:i])
		start, i = j, j
	}
	return append(out, rs[start:])
}

// pyLower is str.lower(): the full lower-case mapping (U+0130 becomes
// "i̇", two code points) and the Final_Sigma rule for U+03A3, as CPython's
// lower_ucs4 and handle_capital_sigma do; every other code point takes its
// simple mapping.
func pyLower(rs []rune) []rune {
	out := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch {
		case r == 0x130:
			out = append(out, 'i', 0x307)
		case r == 0x3a3:
			out = append(out, capitalSigma(rs, i))
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			out = append(out, r)
		default:
			out = append(out, unicode.ToLower(r))
		}
	}
	return out
}

// capitalSigma is CPython's handle_capital_sigma: U+03C2 (final sigma)
// when rs[i] follows a cased letter (skipping case-ignorable ones) and no
// cased letter follows it (likewise), else U+03C3.
func capitalSigma(rs []rune, i int) rune {
	j := i - 1
	for j >= 0 && isCaseIgnorable(rs[j]) {
		j--
	}
	final := j >= 0 && isCased(rs[j])
	if final && i+1 < len(rs) {
		j = i + 1
		for j < len(rs) && isCaseIgnorable(rs[j]) {
			j++
		}
		final = j == len(rs) || !isCased(rs[j])
	}
	if final {
		return 0x3c2
	}
	return 0x3c3
}

// isCased is Unicode's Cased property: Lowercase, Uppercase or Lt.
func isCased(r rune) bool {
	return unicode.In(r, unicode.Lu, unicode.Ll, unicode.Lt, unicode.Other_Lowercase, unicode.Other_Uppercase)
}

// midLetter lists the code points whose Word_Break property is MidLetter,
// MidNumLet or Single_Quote: with Mn, Me, Cf, Lm and Sk they make up
// Case_Ignorable.
var midLetter = []rune{
	0x27, 0x2e, 0x3a, 0xb7, 0x387, 0x55f, 0x5f4, 0x2018, 0x2019, 0x2024, 0x2027,
	0xfe13, 0xfe52, 0xfe55, 0xff07, 0xff0e, 0xff1a,
}

// isCaseIgnorable is Unicode's Case_Ignorable property.
func isCaseIgnorable(r rune) bool {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Lm, unicode.Sk) {
		return true
	}
	for _, m := range midLetter {
		if r == m {
			return true
		}
	}
	return false
}
