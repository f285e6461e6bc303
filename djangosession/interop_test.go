package djangosession_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

func TestMain(m *testing.M) { os.Exit(djangotest.RunMain(m)) }

// interopCases are sessions whose every value must survive both directions
// exactly: unicode of every plane, nested values, integers beyond 2^53,
// floats whose text matters (1.0), nulls.
var interopCases = []string{
	`{}`,
	`{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"aa"}`,
	`{"\u00e4":"\u00e4\u00f6\u00fc \u00df","emoji":"\ud83d\ude00\ud83c\udf89","cjk":"\u6f22\u5b57","ctl":"a\nb\t\u0000\u007f\u2028\"\\/<>&"}`,
	`{"big":1180591620717411303424,"neg":-18446744073709551616,"f1":1.0,"f2":0.1,"f3":1e+16,"f4":1.5e-07,"z":0,"nz":-0.0}`,
	`{"cart":{"items":[{"sku":"a","qty":2},{"sku":"b","qty":1}],"total":12.5},"flags":[true,false,null],"e":{},"l":[]}`,
	`{"z":1,"a":2,"m":3,"b":{"y":1,"c":2}}`,
	`{"blob":"` + strings.Repeat("django ", 800) + `"}`,
}

func mustMap(t testing.TB, js string) *djangosession.Map {
	t.Helper()
	var m djangosession.Map
	if err := m.UnmarshalJSON([]byte(js)); err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return &m
}

// djangoData unmarshals {"data": {...}} from the harness into a Map.
type djangoData struct {
	Data json.RawMessage `json:"data"`
}

func settingsFor(release, secret string, fallbacks ...string) djangobridge.Settings {
	s := djangobridge.Defaults()
	s.DjangoVersion = djangobridge.MustParseVersion(release)
	s.SecretKey = secret
	s.SecretKeyFallbacks = fallbacks
	return s
}

func newCodec(t testing.TB, s djangobridge.Settings) *djangosession.Codec {
	t.Helper()
	c, err := djangosession.NewCodec(&s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip checks js both ways against d: Django encodes → Go decodes, and
// Go encodes → Django decodes, comparing Django's JSON text exactly.
func roundTrip(t *testing.T, d *djangotest.Django, c *djangosession.Codec, js string) {
	t.Helper()
	m := mustMap(t, js)
	var enc struct{ Value string }
	d.Do(t, "session_encode", map[string]any{"data": json.RawMessage(js)}, &enc)
	got, err := c.Decode(enc.Value)
	if err != nil {
		t.Fatalf("Go cannot read Django's %s: %v", truncateS(js), err)
	}
	if g := jsonOf(t, got); g != js {
		t.Errorf("Django wrote %s\nGo read      %s", truncateS(js), truncateS(g))
	}
	goEnc, err := c.Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	var dec djangoData
	d.Do(t, "session_decode", map[string]any{"value": goEnc}, &dec)
	back := mustMap(t, string(dec.Data))
	if g := jsonOf(t, back); g != js {
		t.Errorf("Go wrote  %s\nDjango read %s", truncateS(js), truncateS(g))
	}
}

func truncateS(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// TestInteropDjango: session data written by Go is read by real Django,
// and the reverse, exactly, on every release.
func TestInteropDjango(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "interop-key"})
			c := newCodec(t, settingsFor(rel, "interop-key"))
			for _, js := range interopCases {
				roundTrip(t, d, c, js)
			}
			rnd := rand.New(rand.NewSource(int64(len(rel))))
			for i := 0; i < 60; i++ {
				roundTrip(t, d, c, randomSessionJSON(rnd))
			}
		})
	}
}

// TestInteropKeyRotation: a session written under a key that has moved to
// SECRET_KEY_FALLBACKS still reads (4.1+), and Go writes with the current
// key only; Django 3.2 has no fallbacks, so Go configured as 3.2 refuses.
func TestInteropKeyRotation(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			djangotest.DjangoDir(t)
			oldDj := djangotest.Start(t, rel, djangotest.Config{SecretKey: "old-key"})
			newDj := djangotest.Start(t, rel, djangotest.Config{SecretKey: "new-key"})
			rotated := djangotest.Start(t, rel, djangotest.Config{SecretKey: "new-key", SecretKeyFallbacks: []string{"old-key"}})
			c := newCodec(t, settingsFor(rel, "new-key", "old-key"))
			js := interopCases[2]
			var enc struct{ Value string }
			oldDj.Do(t, "session_encode", map[string]any{"data": json.RawMessage(js)}, &enc)
			m, err := c.Decode(enc.Value)
			if rel == "3.2" {
				if !errors.Is(err, djangosession.ErrBadSignature) {
					t.Fatalf("3.2 accepted a fallback key: %v", err)
				}
				// and Django 3.2 agrees
				var dec djangoData
				rotated.Do(t, "session_decode", map[string]any{"value": enc.Value}, &dec)
				if string(dec.Data) != "{}" {
					t.Fatalf("Django 3.2 read a fallback-key session: %s", dec.Data)
				}
				return
			}
			if err != nil {
				t.Fatalf("fallback key refused: %v", err)
			}
			if g := jsonOf(t, m); g != js {
				t.Fatalf("read %s", g)
			}
			goEnc, err := c.Encode(m)
			if err != nil {
				t.Fatal(err)
			}
			var dec djangoData
			newDj.Do(t, "session_decode", map[string]any{"value": goEnc}, &dec)
			if g := jsonOf(t, mustMap(t, string(dec.Data))); g != js {
				t.Fatalf("Go did not write with the current key: Django (new key, no fallback) read %s", g)
			}
		})
	}
}

// TestInteropSHA1Site: a Django 3.2 site with DEFAULT_HASHING_ALGORITHM =
// 'sha1' writes the legacy format; Go reads and writes it.
func TestInteropSHA1Site(t *testing.T) {
	djangotest.DjangoDir(t)
	d := djangotest.Start(t, "3.2", djangotest.Config{SecretKey: "sha1-key", DefaultHashingAlgorithm: "sha1"})
	s := settingsFor("3.2", "sha1-key")
	s.DefaultHashingAlgorithm = "sha1"
	c := newCodec(t, s)
	for _, js := range interopCases {
		roundTrip(t, d, c, js)
	}
	// and a sha256 3.2 site still reads what the sha1 site wrote
	plain := djangotest.Start(t, "3.2", djangotest.Config{SecretKey: "sha1-key"})
	enc, _ := c.Encode(mustMap(t, interopCases[1]))
	var dec djangoData
	plain.Do(t, "session_decode", map[string]any{"value": enc}, &dec)
	if g := jsonOf(t, mustMap(t, string(dec.Data))); g != interopCases[1] {
		t.Fatalf("Django 3.2 (sha256) read %s", g)
	}
}

// TestInteropSignedCookies: the signed_cookies engine's cookie value, both
// ways, through Django's own SessionStore.
func TestInteropSignedCookies(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "cookie-key", SessionEngine: "signed_cookies"})
			s := settingsFor(rel, "cookie-key")
			st, err := djangosession.NewSignedCookieStore(&s)
			if err != nil {
				t.Fatal(err)
			}
			mgr, err := djangosession.NewManager(&s, st)
			if err != nil {
				t.Fatal(err)
			}
			for _, js := range interopCases[:6] {
				var saved struct{ Key string }
				d.Do(t, "session_save", map[string]any{"data": json.RawMessage(js)}, &saved)
				sess := mgr.Open(t.Context(), saved.Key)
				if g := jsonOf(t, sess.Data()); g != js {
					t.Errorf("Go read Django's cookie as %s, want %s", g, js)
				}
				goSess := mgr.Open(t.Context(), "")
				for _, it := range mustMap(t, js).Items() {
					if err := goSess.Set(it.Key, it.Value); err != nil {
						t.Fatal(err)
					}
				}
				if err := goSess.Save(t.Context()); err != nil {
					t.Fatal(err)
				}
				var loaded struct {
					Exists bool
					Data   json.RawMessage
				}
				d.Do(t, "session_load", map[string]any{"key": goSess.Key()}, &loaded)
				if g := jsonOf(t, mustMap(t, string(loaded.Data))); g != js {
					t.Errorf("Django read Go's cookie as %s, want %s", g, js)
				}
			}
		})
	}
}

// TestInteropSigning: django.core.signing both ways: Signer, TimestampSigner
// and dumps/loads with and without compression.
func TestInteropSigning(t *testing.T) {
	for _, rel := range djangotest.Releases {
		t.Run(rel, func(t *testing.T) {
			djangotest.DjangoDir(t)
			d := djangotest.Start(t, rel, djangotest.Config{SecretKey: "signing-key"})
			s := settingsFor(rel, "signing-key")
			signer, _ := djangosession.NewSigner(&s, djangosession.SaltSigner)
			var out struct{ Value string }
			d.Do(t, "signer_sign", map[string]any{"value": "hello:wörld"}, &out)
			if out.Value != signer.Sign("hello:wörld") {
				t.Errorf("Signer.sign: Django %q, Go %q", out.Value, signer.Sign("hello:wörld"))
			}
			ts, _ := djangosession.NewSigner(&s, djangosession.SaltTimestampSigner)
			d.Do(t, "signer_sign", map[string]any{"value": "v", "timestamp": true}, &out)
			if v, _, err := ts.UnsignTimestamp(out.Value, time.Minute, time.Now()); err != nil || v != "v" {
				t.Errorf("TimestampSigner: %q %v", v, err)
			}
			d.Do(t, "signer_unsign", map[string]any{"value": ts.SignTimestamp("w", time.Now()), "timestamp": true, "max_age": 60}, &out)
			if out.Value != "w" {
				t.Errorf("Django unsigned Go's timestamp signature as %q", out.Value)
			}
			dumps, _ := djangosession.NewSigner(&s, djangosession.SaltDumps)
			for _, js := range interopCases {
				for _, compress := range []bool{false, true} {
					goVal, err := dumps.Dumps(mustMap(t, js), compress, time.Now())
					if err != nil {
						t.Fatal(err)
					}
					var obj struct{ Obj json.RawMessage }
					d.Do(t, "signing_loads", map[string]any{"value": goVal}, &obj)
					if g := jsonOf(t, mustMap(t, string(obj.Obj))); g != js {
						t.Errorf("signing.loads of Go's dumps: %s", truncateS(g))
					}
					d.Do(t, "signing_dumps", map[string]any{"obj": json.RawMessage(js), "compress": compress}, &out)
					v, err := dumps.Loads(out.Value, djangosession.NoMaxAge, time.Now(), 1<<20)
					if err != nil {
						t.Fatal(err)
					}
					if g := jsonOf(t, v.(*djangosession.Map)); g != js {
						t.Errorf("Go loads of Django's dumps: %s", truncateS(g))
					}
				}
			}
		})
	}
}

// randomSessionJSON builds a random session as Django's JSON: nested maps
// and lists, strings from every Unicode plane, big and small numbers.
func randomSessionJSON(r *rand.Rand) string {
	m := &djangosession.Map{}
	n := r.Intn(8)
	for i := 0; i < n; i++ {
		m.Set(randomString(r), randomValue(r, 0))
	}
	b, err := m.MarshalJSON()
	if err != nil {
		panic(err)
	}
	return string(b)
}

func randomString(r *rand.Rand) string {
	ranges := [][2]rune{{0x20, 0x7e}, {0, 0x1f}, {0x80, 0x7ff}, {0x800, 0xd7ff}, {0xe000, 0xfffd}, {0x10000, 0x10ffff}}
	var b strings.Builder
	for i, n := 0, r.Intn(12); i < n; i++ {
		rg := ranges[r.Intn(len(ranges))]
		b.WriteRune(rg[0] + rune(r.Int63n(int64(rg[1]-rg[0]+1))))
	}
	return b.String()
}

func randomValue(r *rand.Rand, depth int) any {
	k := r.Intn(9)
	if depth > 3 && k >= 7 {
		k = 0
	}
	switch k {
	case 0:
		return randomString(r)
	case 1:
		return djangosession.Number(fmt.Sprint(r.Int63() - r.Int63()))
	case 2:
		v, _ := djangosession.Normalize(r.NormFloat64() * []float64{1, 1e-9, 1e20, 1e300}[r.Intn(4)])
		return v
	case 3:
		return djangosession.Number(fmt.Sprintf("%d%018d", r.Int63(), r.Int63()%1e18))
	case 4:
		return r.Intn(2) == 0
	case 5:
		return nil
	case 6:
		return djangosession.Number("1.0")
	case 7:
		l := make([]any, r.Intn(4))
		for i := range l {
			l[i] = randomValue(r, depth+1)
		}
		return l
	default:
		m := &djangosession.Map{}
		for i, n := 0, r.Intn(4); i < n; i++ {
			m.Set(randomString(r), randomValue(r, depth+1))
		}
		return m
	}
}
