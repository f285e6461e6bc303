package djangosession_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

func hostileCodec(t testing.TB) (*djangosession.Codec, *djangosession.Signer) {
	s := djangobridge.Defaults()
	s.SecretKey = "hostile"
	s.SessionDataLimit = 1 << 20 // the limit under test (the default is 64 MiB)
	c, err := djangosession.NewCodec(&s)
	if err != nil {
		t.Fatal(err)
	}
	sg, _ := djangosession.NewSigner(&s, djangobridge.SessionKeySalt)
	return c, sg
}

// signPayload signs an arbitrary payload as Django would, so the test
// reaches the decoder behind the signature.
func signPayload(sg *djangosession.Signer, payload []byte, compress bool) string {
	if compress {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write(payload)
		w.Close()
		payload = b.Bytes()
	}
	v := base64.RawURLEncoding.EncodeToString(payload)
	if compress {
		v = "." + v
	}
	return sg.SignTimestamp(v, time.Now())
}

func TestHostileSessionData(t *testing.T) {
	c, sg := hostileCodec(t)
	good, _ := c.Encode(djangosession.NewMap(djangosession.Item{Key: "a", Value: "b"}))
	bomb := signPayload(sg, append(append([]byte(`{"a":"`), bytes.Repeat([]byte("0"), 50<<20)...), `"}`...), true)
	cases := []struct {
		name string
		data string
		want error
	}{
		{"empty", "", djangosession.ErrBadSignature},
		{"no separator", "abc", djangosession.ErrBadSignature},
		{"tampered payload", "x" + good[1:], djangosession.ErrBadSignature},
		{"tampered signature", good[:len(good)-2] + "AA", djangosession.ErrBadSignature},
		{"truncated", good[:len(good)/2], djangosession.ErrBadSignature},
		{"signature of another key", strings.Replace(good, good[strings.LastIndexByte(good, ':'):], ":0gBguih2OrpFxX-_yZtfKcUuflrmSR2-mjr1wB7u820", 1), djangosession.ErrBadSignature},
		{"zip bomb (50 MiB of zeros)", bomb, djangosession.ErrTooLarge},
		{"bad base64", sg.SignTimestamp("!!!", time.Now()), djangosession.ErrMalformed},
		{"bad zlib", sg.SignTimestamp(".AAAA", time.Now()), djangosession.ErrMalformed},
		{"invalid JSON", signPayload(sg, []byte(`{"a":`), false), djangosession.ErrMalformed},
		{"not an object", signPayload(sg, []byte(`[1,2]`), false), djangosession.ErrMalformed},
		{"deep nesting", signPayload(sg, bytes.Repeat([]byte("["), 200000), true), djangosession.ErrMalformed},
		{"huge integer", signPayload(sg, []byte(`{"a":`+strings.Repeat("9", 5000)+`}`), true), djangosession.ErrMalformed},
		{"huge input", strings.Repeat("a", 5<<20), djangosession.ErrTooLarge},
		{"bad timestamp", sg.Sign("eyJhIjoxfQ:!!"), djangosession.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			m, err := c.Decode(tc.data)
			if !errors.Is(err, tc.want) || m != nil {
				t.Fatalf("Decode: %v, want %v", err, tc.want)
			}
			if !djangosession.IsDataError(err) {
				t.Fatalf("%v is not a data error", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

func TestJSONReadsAsPythonDoes(t *testing.T) {
	for in, want := range map[string]string{
		`{"a":1,"b":2,"a":3}`:            `{"a":3,"b":2}`, // dict keeps the first position, last value
		` { "a" : [ 1 , 2 ] } `:          `{"a":[1,2]}`,
		`{"x":NaN,"y":-Infinity}`:        `{"x":NaN,"y":-Infinity}`,
		`{"s":"\u00e4\ud83d\ude00"}`:     `{"s":"\u00e4\ud83d\ude00"}`,
		`{"lone":"\ud800x"}`:             `{"lone":"\ud800x"}`, // Python keeps lone surrogates
		"{\"raw\":\"\xc3\xa4\"}":         `{"raw":"\u00e4"}`,   // UnmarshalJSON reads UTF-8 text
		`{"n":1E5,"m":-0,"f":1.50}`:      `{"n":1E5,"m":-0,"f":1.50}`,
		`{"esc":"\/\b\f\n\r\t\"\\"}`:     `{"esc":"/\b\f\n\r\t\"\\"}`,
		`{"del":"` + "\x7f" + `"}`:       `{"del":"\u007f"}`,
		`{"k":{"n":[{},[],"",0,false]}}`: `{"k":{"n":[{},[],"",0,false]}}`,
		`{"many":` + strings.Repeat(`[`, 900) + strings.Repeat(`]`, 900) + `}`: `{"many":` + strings.Repeat(`[`, 900) + strings.Repeat(`]`, 900) + `}`,
	} {
		var m djangosession.Map
		if err := m.UnmarshalJSON([]byte(in)); err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := jsonOf(t, &m); got != want {
			t.Errorf("%q → %s, want %s", in, got, want)
		}
	}
	for _, bad := range []string{`{"a":01}`, `{"a":1,}`, `{'a':1}`, `{"a":"x` + "\n" + `"}`, `{"a":1} x`, `{"a":.5}`, `{"a":-}`, `{"a":tru}`, `{"a":"\x"}`, `{"a":"\u12"}`, "\ufeff{}"} {
		var m djangosession.Map
		if err := m.UnmarshalJSON([]byte(bad)); !errors.Is(err, djangosession.ErrMalformed) {
			t.Errorf("%q: %v, want ErrMalformed", bad, err)
		}
	}
}

// TestSessionDataIsLatin1: Django decodes session JSON as latin-1, so raw
// UTF-8 bytes in session data (written by something other than Django)
// read as Django reads them.
func TestSessionDataIsLatin1(t *testing.T) {
	c, sg := hostileCodec(t)
	m, err := c.Decode(signPayload(sg, []byte("{\"raw\":\"\xc3\xa4\"}"), false))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, m); got != `{"raw":"\u00c3\u00a4"}` {
		t.Fatalf("got %s, want Django's reading", got)
	}
}

func TestWriteJSONAsDjangoDoes(t *testing.T) {
	m := djangosession.NewMap(
		djangosession.Item{Key: "z", Value: "<tag> & \"q\" / é 😀 \u2028 \x00 \x1f \x7f"},
		djangosession.Item{Key: "a", Value: []any{djangosession.Number("1.0"), true, nil}},
	)
	want := `{"z":"<tag> & \"q\" / \u00e9 \ud83d\ude00 \u2028 \u0000 \u001f \u007f","a":[1.0,true,null]}`
	if got := jsonOf(t, m); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	for f, want := range map[float64]string{1: "1.0", 1e16: "1e+16", 1e-5: "1e-05", 0.1: "0.1", 1e15: "1000000000000000.0", 123456789012345678: "1.2345678901234568e+17", -2.5e-300: "-2.5e-300"} {
		if got := djangosession.PyFloatRepr(f); got != want {
			t.Errorf("PyFloatRepr(%v) = %s, want %s", f, got, want)
		}
	}
}
