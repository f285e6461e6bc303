package djangosession

import (
	"fmt"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the one place that knows Django's JSON rules. Django's
// JSONSerializer is json.dumps(obj, separators=(",", ":")) encoded as
// latin-1, read back with json.loads(data.decode("latin-1")). So:
//   - output is ASCII only: every character outside ' '..'~' is \uXXXX with
//     lowercase hex (surrogate pairs above U+FFFF), DEL included; \" \\ \n
//     \r \t \b \f use their short forms; '/', '<', '>', '&' stay literal;
//   - on input, every byte of session data is one latin-1 character: raw
//     UTF-8 that some other writer left in session data reads as Django
//     reads it (garbled). JSON that is not session data (Map.UnmarshalJSON,
//     ParseJSON: a CLI argument, a test) is read as UTF-8, as RFC 8259 says;
//   - Python's json also reads NaN, Infinity and -Infinity, refuses integers
//     of more than 4300 digits (int_max_str_digits) and gives up on deep
//     nesting (RecursionError): about 1,000 levels on Python 3.11, about
//     65,000 on Python 3.14 (Django 6.1 here), whose recursion check
//     measures the C stack. maxDepth is above both, for reading and
//     writing alike, so nothing Django reads or writes is refused here.

const (
	maxDepth     = 1 << 17
	maxIntDigits = 4300
)

const hexDigits = "0123456789abcdef"

func appendJSON(dst []byte, v any, depth int) ([]byte, error) {
	if depth > maxDepth {
		return dst, fmt.Errorf("%w: nested deeper than %d", ErrUnsupportedValue, maxDepth)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if x {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case string:
		return appendJSONString(dst, x), nil
	case Number:
		if !validNumber(string(x)) {
			return dst, fmt.Errorf("%w: %q is not a JSON number", ErrUnsupportedValue, string(x))
		}
		return append(dst, x...), nil
	case *Map:
		if x == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		for i, it := range x.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, it.Key)
			dst = append(dst, ':')
			var err error
			if dst, err = appendJSON(dst, it.Value, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendJSON(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case []byte, time.Time:
		return dst, fmt.Errorf("%w: %T cannot be written as JSON", ErrUnsupportedValue, v)
	}
	n, err := normalize(v, depth)
	if err != nil {
		return dst, err
	}
	return appendJSON(dst, n, depth)
}

// appendJSONString writes s as Python's json.dumps(ensure_ascii=True) does.
// A Go string that is not valid UTF-8 writes U+FFFD for each bad byte,
// except WTF-8 encoded lone surrogates (which the decoder produces for
// Python's lone surrogates), written back as the \udXXX they came from.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = appendU(dst, rune(c))
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if sur, ok := wtf8Surrogate(s[i:]); ok {
				dst = appendU(dst, sur)
				i += 3
				start = i
				continue
			}
		}
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(dst, r1)
			dst = appendU(dst, r2)
		} else {
			dst = appendU(dst, r)
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

func appendU(dst []byte, r rune) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&0xf], hexDigits[r>>8&0xf], hexDigits[r>>4&0xf], hexDigits[r&0xf])
}

// wtf8Surrogate decodes a 3-byte WTF-8 surrogate (ED A0..BF 80..BF).
func wtf8Surrogate(s string) (rune, bool) {
	if len(s) < 3 || s[0] != 0xED || s[1] < 0xA0 || s[1] > 0xBF || s[2] < 0x80 || s[2] > 0xBF {
		return 0, false
	}
	return rune(0xD000) | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f), true
}

func appendWTF8Surrogate(dst []byte, r rune) []byte {
	return append(dst, 0xED, byte(0x80|(r>>6)&0x3f), byte(0x80|r&0x3f))
}

// validNumber reports whether s is a number Python's json module reads:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?, NaN, Infinity, -Infinity.
func validNumber(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	n, ok := scanNumber(s, 0)
	return ok && n == len(s)
}

// scanNumber returns the end of the number starting at s[i].
func scanNumber(s string, i int) (int, bool) {
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return i, false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return i, false
	}
	if i+1 < len(s) && s[i] == '.' && s[i+1] >= '0' && s[i+1] <= '9' {
		i += 2
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && s[j] >= '0' && s[j] <= '9' {
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i, true
}

// parseJSON reads b as Django's JSONSerializer does (see the file comment).
// Strings without escapes or non-ASCII bytes share one copy of the input.
func parseJSON(b []byte, limit int) (any, error) { return parseJSONAs(b, limit, true) }

// parseJSONAs reads b as session data (latin1) or as UTF-8 JSON text.
func parseJSONAs(b []byte, limit int, latin1 bool) (any, error) {
	if len(b) > limit {
		return nil, fmt.Errorf("%w: %d bytes of JSON, limit %d", ErrTooLarge, len(b), limit)
	}
	p := jsonParser{s: string(b), latin1: latin1}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, p.errorf("extra data")
	}
	return v, nil
}

type jsonParser struct {
	s      string
	i      int
	latin1 bool
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: invalid JSON at byte %d: %s", ErrMalformed, p.i, fmt.Sprintf(format, args...))
}

func (p *jsonParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(word string) bool {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, p.errorf("nested deeper than %d", maxDepth)
	}
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; c {
	case '{':
		return p.object(depth)
	case '[':
		return p.array(depth)
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return s, nil
	case 't':
		if p.literal("true") {
			return true, nil
		}
	case 'f':
		if p.literal("false") {
			return false, nil
		}
	case 'n':
		if p.literal("null") {
			return nil, nil
		}
	case 'N':
		if p.literal("NaN") {
			return Number("NaN"), nil
		}
	case 'I':
		if p.literal("Infinity") {
			return Number("Infinity"), nil
		}
	default:
		if c == '-' && p.literal("-Infinity") {
			return Number("-Infinity"), nil
		}
		if c == '-' || (c >= '0' && c <= '9') {
			start := p.i
			end, ok := scanNumber(p.s, p.i)
			if !ok {
				p.i = end
				return nil, p.errorf("bad number")
			}
			p.i = end
			n := p.s[start:end]
			if isIntText(n) && len(n)-boolToInt(n[0] == '-') > maxIntDigits {
				return nil, p.errorf("integer of more than %d digits", maxIntDigits)
			}
			return Number(n), nil
		}
	}
	return nil, p.errorf("unexpected character %q", p.s[p.i])
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isIntText(n string) bool {
	for i := 0; i < len(n); i++ {
		if n[i] == '.' || n[i] == 'e' || n[i] == 'E' {
			return false
		}
	}
	return true
}

func (p *jsonParser) object(depth int) (any, error) {
	p.i++ // {
	m := &Map{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errorf("expected a key in double quotes")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.i++
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if m.items == nil {
			m.items = make([]Item, 0, 4)
		}
		m.Set(k, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated object")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m, nil
		default:
			return nil, p.errorf("expected ',' or '}'")
		}
	}
}

func (p *jsonParser) array(depth int) (any, error) {
	p.i++ // [
	a := []any{}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		p.skipSpace()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.errorf("unterminated array")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a, nil
		default:
			return nil, p.errorf("expected ',' or ']'")
		}
	}
}

// str reads a string at p.i (an opening quote).
func (p *jsonParser) str() (string, error) {
	p.i++
	start := p.i
	// Fast path: plain ASCII with no escapes shares the input.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		p.i++
	}
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.s[start:p.i]...)
	for {
		if p.i >= len(p.s) {
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c >= 0x80 && p.latin1:
			// one latin-1 character
			buf = utf8.AppendRune(buf, rune(c))
			p.i++
		case c >= 0x80:
			r, size := utf8.DecodeRuneInString(p.s[p.i:])
			if r == utf8.RuneError && size == 1 {
				return "", p.errorf("invalid UTF-8")
			}
			buf = append(buf, p.s[p.i:p.i+size]...)
			p.i += size
		case c != '\\':
			buf = append(buf, c)
			p.i++
		default:
			p.i++
			if p.i >= len(p.s) {
				return "", p.errorf("unterminated escape")
			}
			e := p.s[p.i]
			p.i++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", p.errorf("bad \\u escape")
				}
				if utf16.IsSurrogate(r) {
					if r < 0xDC00 && p.i+6 <= len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
						save := p.i
						p.i += 2
						r2, ok := p.hex4()
						if ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
							buf = utf8.AppendRune(buf, utf16.DecodeRune(r, r2))
							continue
						}
						p.i = save
					}
					// A lone surrogate, as Python keeps it: stored as WTF-8.
					buf = appendWTF8Surrogate(buf, r)
					continue
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.errorf("bad escape \\%c", e)
			}
		}
	}
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	var r rune
	for k := 0; k < 4; k++ {
		c := p.s[p.i+k]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}

// ParseJSON reads one JSON value (UTF-8 text) with Python's json rules, into
// the value types described in value.go. It refuses more than limit bytes.
func ParseJSON(b []byte, limit int) (any, error) { return parseJSONAs(b, limit, false) }

// AppendJSON appends v written as Django writes session JSON.
func AppendJSON(dst []byte, v any) ([]byte, error) { return appendJSON(dst, v, 0) }
