package djangosession

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
)

// cacheVectors is testdata/django/<release>/cache.json, written by
// testdata/gen/gen_cache.py with real Python and Django.
type cacheVectors struct {
	Python          string          `json:"python"`
	HighestProtocol int             `json:"highest_protocol"`
	Pickles         []pickleVector  `json:"pickles"`
	OldProtocols    []pickleVector  `json:"old_protocols"`
	Refused         []refusedVector `json:"refused"`
	LegacySessions  []struct {
		Name    string          `json:"name"`
		Encoded string          `json:"encoded"`
		Value   json.RawMessage `json:"value"`
	} `json:"legacy_sessions"`
}

type pickleVector struct {
	Name  string          `json:"name"`
	Hex   string          `json:"hex"`
	Value json.RawMessage `json:"value"`
	Exact bool            `json:"exact"`
}

type refusedVector struct {
	Name  string `json:"name"`
	Hex   string `json:"hex"`
	Error string `json:"error"`
}

var releases = []string{"3.2", "4.2", "5.2", "6.1"}

func loadCacheVectors(t testing.TB, release string) cacheVectors {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "django", release, "cache.json"))
	if err != nil {
		t.Fatalf("vectors: %v (regenerate with testdata/gen/run gen_cache)", err)
	}
	var v cacheVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pyTag returns v in the tagged form gen_cache.py writes, so that a value
// decoded in Go can be compared with what Python pickled.
func pyTag(v any) any {
	switch x := v.(type) {
	case nil:
		return []any{"none"}
	case bool:
		return []any{"bool", x}
	case Number:
		if x.IsInt() {
			return []any{"int", string(x)}
		}
		return []any{"float", string(x)}
	case string:
		if !strings.ContainsRune(x, utf8RuneError) && validWTF8([]byte(x)) && !hasWTF8Surrogate(x) {
			return []any{"str", x}
		}
		return []any{"strhex", hex.EncodeToString([]byte(x))}
	case []byte:
		return []any{"bytes", base64.StdEncoding.EncodeToString(x)}
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = pyTag(e)
		}
		return []any{"list", l}
	case *Map:
		l := make([]any, 0, x.Len())
		for _, it := range x.Items() {
			l = append(l, []any{it.Key, pyTag(it.Value)})
		}
		return []any{"dict", l}
	case time.Time:
		if IsNaive(x) {
			return []any{"datetime", formatISO(x, false), nil}
		}
		_, off := x.Zone()
		return []any{"datetime", formatISO(x, false), float64(off)}
	}
	return []any{"unexpected", fmt.Sprintf("%T", v)}
}

const utf8RuneError = '\uFFFD'

func hasWTF8Surrogate(s string) bool {
	for i := 0; i+2 < len(s); i++ {
		if _, ok := wtf8Surrogate(s[i:]); ok {
			return true
		}
	}
	return false
}

// fromTag builds the Go value of a tagged value.
func fromTag(t testing.TB, raw any) any {
	t.Helper()
	a := raw.([]any)
	switch a[0] {
	case "none":
		return nil
	case "bool":
		return a[1].(bool)
	case "int", "float":
		return Number(a[1].(string))
	case "str":
		return a[1].(string)
	case "strhex":
		b, _ := hex.DecodeString(a[1].(string))
		return string(b)
	case "bytes":
		b, _ := base64.StdEncoding.DecodeString(a[1].(string))
		return b
	case "list":
		var l []any
		for _, e := range a[1].([]any) {
			l = append(l, fromTag(t, e))
		}
		if l == nil {
			l = []any{}
		}
		return l
	case "dict":
		m := &Map{}
		for _, kv := range a[1].([]any) {
			p := kv.([]any)
			m.Set(p[0].(string), fromTag(t, p[1]))
		}
		return m
	case "datetime":
		tm, err := time.Parse("2006-01-02T15:04:05.999999", a[1].(string))
		if err != nil {
			t.Fatal(err)
		}
		if a[2] == nil {
			return NaiveDatetime(tm)
		}
		off := int(a[2].(float64))
		if off == 0 {
			return time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.UTC)
		}
		return time.Date(tm.Year(), tm.Month(), tm.Day(), tm.Hour(), tm.Minute(), tm.Second(), tm.Nanosecond(), time.FixedZone("", off))
	}
	t.Fatalf("unknown tag %v", a[0])
	return nil
}

func decodeTag(t testing.TB, raw json.RawMessage) any {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// sameTag compares a Go value with a tagged Python value.
func sameTag(t testing.TB, got any, want json.RawMessage) bool {
	t.Helper()
	g, _ := json.Marshal(pyTag(got))
	var a, b any
	json.Unmarshal(g, &a)
	json.Unmarshal(want, &b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("value differs\n got: %s\nwant: %s", truncate(string(g), 600), truncate(string(want), 600))
		return false
	}
	return true
}

// Every value real Python pickled at protocol 5 reads back as that value,
// and Pickle of the value gives Python's bytes exactly when the value has no
// shared sub-objects.
func TestUnpicklePythonVectors(t *testing.T) {
	for _, rel := range releases {
		vec := loadCacheVectors(t, rel)
		if vec.HighestProtocol != 5 {
			t.Fatalf("%s: Python's HIGHEST_PROTOCOL is %d", rel, vec.HighestProtocol)
		}
		for _, c := range vec.Pickles {
			t.Run(rel+"/"+c.Name, func(t *testing.T) {
				b := mustHex(t, c.Hex)
				v, err := Unpickle(b, 0)
				if err != nil {
					t.Fatalf("Unpickle: %v", err)
				}
				sameTag(t, v, c.Value)
				want := fromTag(t, decodeTag(t, c.Value))
				out, err := Pickle(want)
				if err != nil {
					t.Fatalf("Pickle: %v", err)
				}
				if c.Exact && !bytes.Equal(out, b) {
					t.Errorf("Pickle differs from Python's pickle.dumps(v, 5)\n got: %x\nwant: %x", out, b)
				}
				back, err := Unpickle(out, 0)
				if err != nil {
					t.Fatalf("Unpickle(Pickle(v)): %v", err)
				}
				sameTag(t, back, c.Value)
			})
		}
		for _, c := range vec.OldProtocols {
			t.Run(rel+"/"+c.Name, func(t *testing.T) {
				v, err := Unpickle(mustHex(t, c.Hex), 0)
				if err != nil {
					t.Fatalf("Unpickle: %v", err)
				}
				sameTag(t, v, c.Value)
			})
		}
	}
}

// Pickles of anything but the supported values are refused with an error
// naming what was refused, and that error is a data error.
func TestUnpickleRefusesOtherGlobalsAndOpcodes(t *testing.T) {
	for _, rel := range releases {
		for _, c := range loadCacheVectors(t, rel).Refused {
			t.Run(rel+"/"+c.Name, func(t *testing.T) {
				v, err := Unpickle(mustHex(t, c.Hex), 0)
				if err == nil {
					t.Fatalf("Unpickle accepted it: %#v", v)
				}
				if !strings.Contains(err.Error(), c.Error) {
					t.Errorf("error %q does not mention %q", err, c.Error)
				}
				if !IsDataError(err) {
					t.Errorf("error %v is not a data error", err)
				}
			})
		}
	}
}

// Sessions that Django 3.2 and 4.2 encoded with SESSION_SERIALIZER =
// PickleSerializer read through Codec when Settings.SessionSerializer is
// "pickle"; the codec cannot write them.
func TestCodecReadsLegacyPickleSessions(t *testing.T) {
	for _, rel := range []string{"3.2", "4.2"} {
		vec := loadCacheVectors(t, rel)
		if len(vec.LegacySessions) == 0 {
			t.Fatalf("%s: no legacy pickle sessions in the vectors", rel)
		}
		s := djangobridge.Defaults()
		s.SecretKey = "test-secret-key"
		s.DjangoVersion = djangobridge.MustParseVersion(rel)
		s.SessionSerializer = "pickle"
		c, err := NewCodec(&s)
		if err != nil {
			t.Fatal(err)
		}
		for _, ls := range vec.LegacySessions {
			m, err := c.Decode(ls.Encoded)
			if err != nil {
				t.Errorf("%s/%s: Decode: %v", rel, ls.Name, err)
				continue
			}
			sameTag(t, m, ls.Value)
		}
		if _, err := c.Encode(&Map{}); !errors.Is(err, ErrUnsupportedValue) {
			t.Errorf("Encode with the pickle serializer: %v, want ErrUnsupportedValue", err)
		}
	}
}

func TestPickleIntegersAsPythonEncodesThem(t *testing.T) {
	// pickle.dumps(n, 5)[2:-1] for each n, from CPython 3.11.
	cases := map[string]string{
		"0":                    "4b00",
		"255":                  "4bff",
		"256":                  "4d0001",
		"65536":                "4a00000100",
		"-1":                   "4affffffff",
		"2147483648":           "8a050000008000",
		"-2147483649":          "8a05ffffff7fff",
		"18446744073709551616": "8a09000000000000000001",
		"-9223372036854775808": "8a080000000000000080",
		"-9223372036854775809": "8a09ffffffffffffff7fff",
		"-128":                 "4a80ffffff",
	}
	for n, want := range cases {
		out, err := Pickle(Number(n))
		if err != nil {
			t.Fatal(err)
		}
		// Small pickles have no frame: PROTO 5, the int, STOP; bigger ones a frame.
		body := out[2 : len(out)-1]
		if body[0] == opFrame {
			body = body[9:]
		}
		if got := hex.EncodeToString(body); got != want {
			t.Errorf("Pickle(%s) = %s, want %s", n, got, want)
		}
		v, err := Unpickle(out, 0)
		if err != nil || v != Number(n) {
			t.Errorf("Unpickle(Pickle(%s)) = %v, %v", n, v, err)
		}
	}
	big1 := new(big.Int).Exp(big.NewInt(7), big.NewInt(3000), nil)
	out, err := Pickle(Number(big1.String()))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := Unpickle(out, 0); err != nil || v != Number(big1.String()) {
		t.Errorf("7**3000 does not round-trip: %v", err)
	}
}

// Hostile pickles fail with an error, quickly and without large
// allocations.
func TestUnpickleHostileInput(t *testing.T) {
	frame := func(body string) []byte {
		b := mustHex(t, body)
		return append([]byte{opProto, 5}, b...)
	}
	cases := map[string][]byte{
		"empty":              {},
		"no stop":            frame("7d94"),
		"truncated unicode":  frame("8c0561"),
		"huge BINUNICODE8":   frame("8dffffffffffffff7f"),
		"huge LONG4":         frame("8bffffff7f00"),
		"negative LONG4":     frame("8bffffffff"),
		"LONG4 over limit":   append(frame("8b01200000"), make([]byte, 0x2001)...),
		"frame past end":     frame("95ffffffffffffffff"),
		"huge memo index":    frame("4e72ffffffff2e"),
		"memo get missing":   frame("68052e"),
		"stack underflow":    frame("2e"),
		"setitems odd":       frame("7d28" + "8c0161" + "752e"),
		"append to dict":     frame("7d4b01612e"),
		"setitem non-dict":   frame("5d8c01614b01732e"),
		"reduce on string":   frame("8c016129522e"),
		"bad datetime state": frame("8c086461746574696d65948c086461746574696d6594939443030102038552942e"),
		"datetime month 13":  frame("8c086461746574696d65948c086461746574696d65949394430a07e80d020304050a5bf5948594522e"),
		"protocol 6":         {opProto, 6, 'N', '.'},
		"invalid utf-8":      frame("8c02c3282e"),
		"global posix":       []byte("cposix\nsystem\n(S'id'\ntR."),
		"global no newline":  []byte("cposix"),
		"mark underflow":     frame("284b01742e"[:0] + "754b012e"),
	}
	for name, b := range cases {
		v, err := Unpickle(b, 1<<20)
		if err == nil {
			t.Errorf("%s: accepted as %#v", name, v)
			continue
		}
		if !IsDataError(err) {
			t.Errorf("%s: %v is not a data error", name, err)
		}
	}
	// Over the limit before reading anything.
	if _, err := Unpickle(make([]byte, 100), 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("over limit: %v", err)
	}
}

// A "billion laughs" pickle, each list holding its predecessor twice, is
// refused by the expansion budget instead of being walked 2^40 times.
func TestUnpickleRefusesExponentialSharing(t *testing.T) {
	var b []byte
	b = append(b, opProto, 5, opEmptyList, opMemoize) // memo 0: []
	for i := 0; i < 40; i++ {
		// [memo i, memo i] memoized as i+1
		b = append(b, opEmptyList, opMark)
		b = append(b, opLongBinGet, byte(i), 0, 0, 0, opLongBinGet, byte(i), 0, 0, 0)
		b = append(b, opAppends, opMemoize)
		// the stack keeps each list; only the last is returned
	}
	b = append(b, opStop)
	start := time.Now()
	_, err := Unpickle(b, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// Sharing within budget is fine: the same list twice.
	ok := []byte{opProto, 5, opEmptyList, opMemoize, opMark, opEmptyList, opMemoize, 'K', 1, 'a', opBinGet, 1, opAppends, opStop}
	v, err := Unpickle(ok, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(pyTag(v)); got != "[list [[list [[int 1]]] [list [[int 1]]]]]" {
		t.Errorf("got %s", got)
	}
}

// Nesting past maxDepth levels is refused on both sides.
func TestPickleDepthLimit(t *testing.T) {
	b := []byte{opProto, 5}
	for i := 0; i < maxDepth+100; i++ {
		b = append(b, opEmptyList)
	}
	for i := 0; i < maxDepth+99; i++ {
		b = append(b, opAppend)
	}
	b = append(b, opStop)
	if _, err := Unpickle(b, 0); err == nil || !IsDataError(err) {
		t.Errorf("deep pickle: %v", err)
	}
	var v any = []any{}
	for i := 0; i < maxDepth+100; i++ {
		v = []any{v}
	}
	if _, err := Pickle(v); !errors.Is(err, ErrUnsupportedValue) {
		t.Errorf("deep value: %v", err)
	}
}

func TestPickleRefusesWhatPythonCannotRead(t *testing.T) {
	for name, v := range map[string]any{
		"invalid utf-8": "a\xffb",
		"year 0":        time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		"channel":       make(chan int),
		"bad number":    Number("1x"),
	} {
		if _, err := Pickle(v); !errors.Is(err, ErrUnsupportedValue) {
			t.Errorf("%s: %v, want ErrUnsupportedValue", name, err)
		}
	}
}

// Go values that Normalize accepts are pickled as their normalized form.
func TestPickleNormalizesGoValues(t *testing.T) {
	out, err := Pickle(map[string]any{"n": 1, "f": 2.5, "s": []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := Unpickle(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(pyTag(v)); got != "[dict [[f [float 2.5]] [n [int 1]] [s [list [[str a]]]]]]" {
		t.Errorf("got %s", got)
	}
}

// Datetimes keep their zone kind: naive, UTC, fixed offset.
func TestPickleDatetimes(t *testing.T) {
	naive := NaiveDatetime(time.Date(2030, 1, 2, 3, 4, 5, 678901000, time.UTC))
	utc := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	ist := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("IST", 5*3600+1800))
	m := NewMap(Item{"naive", naive}, Item{"utc", utc}, Item{"ist", ist}, Item{"utc2", utc})
	out, err := Pickle(m)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Unpickle(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := v.(*Map)
	n, _ := got.Get("naive")
	if !IsNaive(n.(time.Time)) || !n.(time.Time).Equal(naive) {
		t.Errorf("naive: %v", n)
	}
	u, _ := got.Get("utc2")
	if u.(time.Time).Location() != time.UTC || !u.(time.Time).Equal(utc) {
		t.Errorf("utc: %v", u)
	}
	i, _ := got.Get("ist")
	if _, off := i.(time.Time).Zone(); off != 19800 || !i.(time.Time).Equal(ist) {
		t.Errorf("ist: %v", i)
	}
}

func FuzzUnpickle(f *testing.F) {
	for _, rel := range releases {
		vec := loadCacheVectors(f, rel)
		for _, c := range append(vec.Pickles, vec.OldProtocols...) {
			f.Add(mustHex(f, c.Hex))
		}
		for _, c := range vec.Refused {
			f.Add(mustHex(f, c.Hex))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Unpickle(b, 1<<16)
		if err != nil {
			if !IsDataError(err) {
				t.Fatalf("error %v is not a data error", err)
			}
			return
		}
		// What was read can be written, and reads back the same.
		out, err := Pickle(v)
		if err != nil {
			if errors.Is(err, ErrUnsupportedValue) {
				return // e.g. a string Python would not have written
			}
			t.Fatalf("Pickle: %v", err)
		}
		back, err := Unpickle(out, 1<<22)
		if err != nil {
			t.Fatalf("Unpickle(Pickle(v)): %v", err)
		}
		g1, _ := json.Marshal(pyTag(v))
		g2, _ := json.Marshal(pyTag(back))
		if !bytes.Equal(g1, g2) {
			t.Fatalf("round trip differs:\n%s\n%s", g1, g2)
		}
	})
}

func BenchmarkUnpickleSession(b *testing.B) {
	out := benchSessionPickle(b)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unpickle(out, 0); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPickleSession(b *testing.B) {
	m := benchSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Pickle(m); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSession is a typical logged-in session: auth keys, a CSRF secret and
// a few application values.
func benchSession() *Map {
	return NewMap(
		Item{KeyAuthUserID, "42"},
		Item{KeyAuthBackend, djangobridge.DefaultModelBackend},
		Item{KeyAuthHash, "7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2"},
		Item{"_csrftoken", "abcdefghijklmnopqrstuvwxyz012345"},
		Item{"cart", NewMap(Item{"items", []any{Number("1"), Number("2"), Number("3")}}, Item{"total", Number("12.5")})},
		Item{"last_seen", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
	)
}

func benchSessionPickle(b *testing.B) []byte {
	out, err := Pickle(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	return out
}
