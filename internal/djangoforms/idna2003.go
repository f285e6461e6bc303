package djangoforms

//go:generate go run ./internal/idnagen -python $DJANGOBRIDGE_TEST_DJANGO/4.2/python -o idna2003_table.go

import (
	"sort"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// runeRange is an inclusive range of code points.
type runeRange [2]rune

func inRanges(rs []runeRange, c rune) bool {
	i := sort.Search(len(rs), func(i int) bool { return rs[i][1] >= c })
	return i < len(rs) && rs[i][0] <= c
}

// idnaDots are the label separators of Python's encodings.idna.
const idnaDots = ".\u3002\uff0e\uff61"

// idna2003 is Python's domain.encode("idna").decode("ascii")
// (encodings.idna: IDNA 2003, nameprep over Unicode 3.2, UseSTD3ASCIIRules
// off), which Django 3.2–5.1's EmailValidator applies to a domain its
// regex refused; ok is false where Python raises UnicodeError.
func idna2003(d string) (string, bool) {
	if d == "" {
		return "", true
	}
	if isASCII(d) {
		labels := strings.Split(d, ".")
		for _, l := range labels[:len(labels)-1] {
			if len(l) == 0 || len(l) >= 64 {
				return "", false
			}
		}
		return d, len(labels[len(labels)-1]) < 64
	}
	labels := splitDots(d)
	trailing := ""
	if n := len(labels); n > 0 && labels[n-1] == "" {
		trailing, labels = ".", labels[:n-1]
	}
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		a, ok := toASCII(l)
		if !ok {
			return "", false
		}
		out = append(out, a)
	}
	return strings.Join(out, ".") + trailing, true
}

// splitDots is dots.split(input): the labels between any of idnaDots.
func splitDots(d string) []string {
	var labels []string
	start := 0
	for i, r := range d {
		if strings.ContainsRune(idnaDots, r) {
			labels = append(labels, d[start:i])
			start = i + utf8.RuneLen(r)
		}
	}
	return append(labels, d[start:])
}

// toASCII is encodings.idna.ToASCII.
func toASCII(l string) (string, bool) {
	if isASCII(l) {
		return l, len(l) > 0 && len(l) < 64
	}
	l, ok := nameprep(l)
	if !ok {
		return "", false
	}
	if isASCII(l) {
		return l, len(l) > 0 && len(l) < 64
	}
	if strings.HasPrefix(l, "xn--") {
		return "", false
	}
	a := "xn--" + punycode(l)
	return a, len(a) < 64
}

// nameprep is encodings.idna.nameprep (RFC 3491): map (B.1 to nothing,
// B.2), NFKC under Unicode 3.2, prohibit (C.1.2, C.2.2, C.3–C.9), bidi.
func nameprep(l string) (string, bool) {
	var b strings.Builder
	for _, c := range l {
		if inRanges(stringprepB1, c) {
			continue
		}
		if m, ok := stringprepB2[c]; ok {
			b.WriteString(m)
			continue
		}
		b.WriteRune(c)
	}
	l = nfkc32String(b.String())
	randAL, first, last, hasL := false, false, false, false
	n := utf8.RuneCountInString(l)
	i := 0
	for _, c := range l {
		if inRanges(stringprepProhibited, c) {
			return "", false
		}
		r := inRanges(stringprepRandAL, c)
		randAL = randAL || r
		if i == 0 {
			first = r
		}
		if i == n-1 {
			last = r
		}
		hasL = hasL || inRanges(stringprepL, c)
		i++
	}
	if randAL && (hasL || !first || !last) {
		return "", false
	}
	return l, true
}

// nfkc32String is unicodedata.ucd_3_2_0.normalize("NFKC", s): Go's NFKC on
// each run of code points assigned in Unicode 3.2, with the single code
// points whose 3.2 form differs taken from nfkc32. A code point unassigned
// in 3.2 is a starter without decomposition there, so it splits the runs
// and is kept as it is.
func nfkc32String(s string) string {
	var out, run strings.Builder
	flush := func() {
		out.WriteString(norm.NFKC.String(run.String()))
		run.Reset()
	}
	for _, c := range s {
		if !inRanges(unicode32Assigned, c) {
			flush()
			out.WriteRune(c)
			continue
		}
		if m, ok := nfkc32[c]; ok {
			flush()
			out.WriteString(m)
			continue
		}
		run.WriteRune(c)
	}
	flush()
	return out.String()
}

// punycode is RFC 3492's encoding (Python's "punycode" codec) of s, which
// holds a non-ASCII code point.
func punycode(s string) string {
	const (
		base, tmin, tmax, skew, damp = 36, 1, 26, 38, 700
		initialBias, initialN        = 72, 128
	)
	runes := []rune(s)
	var out []byte
	for _, r := range runes {
		if r < 0x80 {
			out = append(out, byte(r))
		}
	}
	b := len(out)
	h := b
	if b > 0 {
		out = append(out, '-')
	}
	adapt := func(delta, numPoints int, first bool) int {
		if first {
			delta /= damp
		} else {
			delta /= 2
		}
		delta += delta / numPoints
		k := 0
		for delta > ((base-tmin)*tmax)/2 {
			delta /= base - tmin
			k += base
		}
		return k + (base-tmin+1)*delta/(delta+skew)
	}
	digit := func(d int) byte {
		if d < 26 {
			return byte('a' + d)
		}
		return byte('0' + d - 26)
	}
	n, delta, bias := rune(initialN), 0, initialBias
	for h < len(runes) {
		m := rune(0x7fffffff)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r == n {
				q := delta
				for k := base; ; k += base {
					t := k - bias
					if t < tmin {
						t = tmin
					} else if t > tmax {
						t = tmax
					}
					if q < t {
						break
					}
					out = append(out, digit(t+(q-t)%(base-t)))
					q = (q - t) / (base - t)
				}
				out = append(out, digit(q))
				bias = adapt(delta, h+1, h == b)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return string(out)
}

// Punycode is django.utils.encoding.punycode(domain):
// domain.encode("idna").decode("ascii"); false where Python raises
// UnicodeError.
func Punycode(domain string) (string, bool) { return idna2003(domain) }
