package djangosession_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
)

// sessionVectors is testdata/django/<release>/sessions.json, written by
// testdata/gen/gen_sessions.py under real Django.
type sessionVectors struct {
	Meta struct {
		SecretKey    string `json:"secret_key"`
		OldSecretKey string `json:"old_secret_key"`
		Now          int64  `json:"now"`
	} `json:"meta"`
	Cases []sessionCase `json:"cases"`
}

type sessionCase struct {
	Name               string `json:"name"`
	JSON               string `json:"json"`
	Encoded            string `json:"encoded"`
	Cookie             string `json:"cookie"`
	OldKeyEncoded      string `json:"old_key_encoded"`
	Legacy             string `json:"legacy"`
	SHA1SettingEncoded string `json:"sha1_setting_encoded"`
	SHA1Dumps          string `json:"sha1_dumps"`
}

func (c sessionCase) isCompressible() bool { return len(c.Encoded) > 0 && c.Encoded[0] == '.' }

func loadSessionVectors(t *testing.T, release string) sessionVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "django", release, "sessions.json"))
	if err != nil {
		t.Fatalf("vectors of Django %s: %v (regenerate with testdata/gen/run)", release, err)
	}
	var v sessionVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func codecFor(t *testing.T, release, secret string, fallbacks []string, now int64, mut func(*djangobridge.Settings)) *djangosession.Codec {
	t.Helper()
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey = secret
	s.SecretKeyFallbacks = fallbacks
	if mut != nil {
		mut(&s)
	}
	c, err := djangosession.NewCodec(&s)
	if err != nil {
		t.Fatal(err)
	}
	djangosession.SetNow(c, func() time.Time { return time.Unix(now, 0) })
	return c
}

func jsonOf(t *testing.T, m *djangosession.Map) string {
	t.Helper()
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDjangoVectors: every way each release writes session data decodes in
// Go to exactly the dict Django encoded, and Go's JSON of it is byte for
// byte what Django's JSONSerializer writes.
func TestDjangoVectors(t *testing.T) {
	for _, rel := range []string{"3.2", "4.2", "5.2", "6.1"} {
		t.Run(rel, func(t *testing.T) {
			v := loadSessionVectors(t, rel)
			now := v.Meta.Now
			is3 := rel == "3.2"
			cur := codecFor(t, rel, v.Meta.SecretKey, nil, now, nil)
			withFallback := codecFor(t, rel, v.Meta.SecretKey, []string{v.Meta.OldSecretKey}, now, nil)
			sha1Site := codecFor(t, rel, v.Meta.SecretKey, nil, now, func(s *djangobridge.Settings) { s.DefaultHashingAlgorithm = "sha1" })
			for _, c := range v.Cases {
				t.Run(c.Name, func(t *testing.T) {
					var want djangosession.Map
					if err := want.UnmarshalJSON([]byte(c.JSON)); err != nil {
						t.Fatal(err)
					}
					if got := jsonOf(t, &want); got != c.JSON {
						t.Errorf("Go writes\n%s\nDjango wrote\n%s", got, c.JSON)
					}
					check := func(what string, m *djangosession.Map, err error) {
						t.Helper()
						if err != nil {
							t.Errorf("%s: %v", what, err)
							return
						}
						if got := jsonOf(t, m); got != c.JSON {
							t.Errorf("%s decodes to\n%s\nwant\n%s", what, got, c.JSON)
						}
					}
					m, err := cur.Decode(c.Encoded)
					check("encoded", m, err)
					m, err = cur.DecodeCookie(c.Cookie)
					check("cookie", m, err)

					// Rotated keys: SECRET_KEY_FALLBACKS exist from 4.1 on.
					m, err = withFallback.Decode(c.OldKeyEncoded)
					if is3 {
						if !errors.Is(err, djangosession.ErrBadSignature) {
							t.Errorf("3.2 has no SECRET_KEY_FALLBACKS: old-key data decoded (%v)", err)
						}
					} else {
						check("old key via fallback", m, err)
					}
					if _, err := cur.Decode(c.OldKeyEncoded); !errors.Is(err, djangosession.ErrBadSignature) {
						t.Errorf("old-key data without fallback: err %v, want ErrBadSignature", err)
					}

					if is3 {
						m, err = cur.Decode(c.Legacy)
						check("legacy (pre-3.1) format", m, err)
						m, err = cur.Decode(c.SHA1SettingEncoded)
						check("DEFAULT_HASHING_ALGORITHM=sha1 data", m, err)
						m, err = cur.Decode(c.SHA1Dumps)
						check("SHA-1 signed dumps", m, err)
						// A sha1 site writes the legacy format, as Django 3.2 does.
						enc, err := sha1Site.Encode(&want)
						if err != nil {
							t.Fatal(err)
						}
						if enc != c.SHA1SettingEncoded {
							t.Errorf("sha1 site wrote %q, Django %q", enc, c.SHA1SettingEncoded)
						}
					}

					// Go's own encoding reads back the same.
					enc, err := cur.Encode(&want)
					if err != nil {
						t.Fatal(err)
					}
					m, err = cur.Decode(enc)
					check("Go-encoded", m, err)
					if !c.isCompressible() && enc != c.Encoded {
						// Uncompressed payloads are byte-identical to Django's.
						t.Errorf("Go encoded %q, Django %q", enc, c.Encoded)
					}
				})
			}
		})
	}
}

// TestLegacyRefusedAfter40: 4.0 removed the pre-3.1 format and SHA-1
// signatures.
func TestLegacyRefusedAfter40(t *testing.T) {
	v32 := loadSessionVectors(t, "3.2")
	for _, rel := range []string{"4.2", "5.2"} {
		c := codecFor(t, rel, v32.Meta.SecretKey, nil, v32.Meta.Now, nil)
		for _, tc := range v32.Cases {
			if _, err := c.Decode(tc.Legacy); err == nil {
				t.Errorf("%s read the legacy format of %s", rel, tc.Name)
			}
			if _, err := c.Decode(tc.SHA1Dumps); !errors.Is(err, djangosession.ErrBadSignature) {
				t.Errorf("%s read a SHA-1 signature of %s: %v", rel, tc.Name, err)
			}
		}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
