package djangosession_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// seedDjangoOutputs adds every encoded value of the committed vectors.
func seedDjangoOutputs(f *testing.F) {
	for _, rel := range []string{"3.2", "4.2", "5.2", "6.1"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "django", rel, "sessions.json"))
		if err != nil {
			f.Fatal(err)
		}
		var v sessionVectors
		if err := jsonUnmarshal(b, &v); err != nil {
			f.Fatal(err)
		}
		for _, c := range v.Cases {
			for _, s := range []string{c.Encoded, c.Cookie, c.OldKeyEncoded, c.Legacy, c.SHA1SettingEncoded, c.SHA1Dumps} {
				if s != "" {
					f.Add(s)
				}
			}
		}
	}
}

// FuzzDecode: no input panics or hangs the session decoders; whatever
// decodes re-encodes and decodes to the same JSON.
func FuzzDecode(f *testing.F) {
	seedDjangoOutputs(f)
	f.Add("")
	f.Add(":")
	f.Add("..:1r31eq:")
	s := djangobridge.Defaults()
	s.SecretKey = "test-secret-key"
	s.SecretKeyFallbacks = []string{"old-secret-key"}
	s.SessionDataLimit = 64 << 10
	s32 := s
	s32.DjangoVersion = djangobridge.Django32
	var codecs []*djangosession.Codec
	for _, st := range []djangobridge.Settings{s, s32} {
		c, err := djangosession.NewCodec(&st)
		if err != nil {
			f.Fatal(err)
		}
		djangosession.SetNow(c, func() time.Time { return time.Unix(1700000000, 0) })
		codecs = append(codecs, c)
	}
	f.Fuzz(func(t *testing.T, data string) {
		for _, c := range codecs {
			for _, decode := range []func(string) (*djangosession.Map, error){c.Decode, c.DecodeCookie} {
				m, err := decode(data)
				if err != nil {
					if !djangosession.IsDataError(err) {
						t.Fatalf("non-data error %v", err)
					}
					continue
				}
				j1, err := m.MarshalJSON()
				if err != nil {
					t.Fatalf("decoded session does not re-encode: %v", err)
				}
				enc, err := c.Encode(m)
				if err != nil {
					t.Fatal(err)
				}
				m2, err := c.Decode(enc)
				if err != nil {
					t.Fatal(err)
				}
				j2, _ := m2.MarshalJSON()
				if !bytes.Equal(j1, j2) {
					t.Fatalf("round trip changed %s to %s", j1, j2)
				}
			}
		}
	})
}

// FuzzJSON: the JSON reader never panics; what it reads, the writer writes
// so that reading it again gives the same text.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5,"x",null,true,{"b":{}}]}`, `{"\ud83d\ude00":"\u00e4"}`, `{"a":1,"a":2}`, `[NaN,-Infinity]`, `"\ud800"`, "\"\xff\"", `1e999`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := djangosession.ParseJSON(b, 1<<16)
		if err != nil {
			return
		}
		out, err := djangosession.AppendJSON(nil, v)
		if err != nil {
			t.Fatalf("%q read but does not write: %v", b, err)
		}
		for _, c := range out {
			if c >= 0x80 {
				t.Fatalf("non-ASCII output %q", out)
			}
		}
		v2, err := djangosession.ParseJSON(out, 1<<17)
		if err != nil {
			t.Fatalf("output %q does not read: %v", out, err)
		}
		out2, _ := djangosession.AppendJSON(nil, v2)
		if !bytes.Equal(out, out2) {
			t.Fatalf("%q → %q → %q", b, out, out2)
		}
	})
}
