package djangosession_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// benchSession is a typical logged-in session: what django.contrib.auth's
// login writes, plus a CSRF secret (CSRF_USE_SESSIONS). Compressed, as
// Django writes it.
const benchSession = `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2","_csrftoken":"Zq3Xbw0kz7m6Yd8vU2nH4rT1pL9sQ5aC"}`

// cartSession adds application state: a cart of nested objects.
const cartSession = `{"_auth_user_id":"42","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2","_csrftoken":"Zq3Xbw0kz7m6Yd8vU2nH4rT1pL9sQ5aC","cart":{"items":[{"sku":"A-100","qty":2},{"sku":"B-7","qty":1}]},"django_language":"en"}`

func benchCodec(b *testing.B) (*djangosession.Codec, *djangosession.Map, string) {
	return benchCodecOf(b, benchSession)
}

func benchCodecOf(b *testing.B, session string) (*djangosession.Codec, *djangosession.Map, string) {
	s := djangobridge.Defaults()
	s.SecretKey = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	c, err := djangosession.NewCodec(&s)
	if err != nil {
		b.Fatal(err)
	}
	m := mustMap(b, session)
	enc, err := c.Encode(m)
	if err != nil {
		b.Fatal(err)
	}
	if enc[0] != '.' {
		b.Fatal("bench session should compress")
	}
	return c, m, enc
}

// BenchmarkVerify: the signature check alone (Signer.Unsign).
func BenchmarkVerify(b *testing.B) {
	s := djangobridge.Defaults()
	s.SecretKey = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
	_, _, enc := benchCodec(b)
	sg, _ := djangosession.NewSigner(&s, djangobridge.SessionKeySalt)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sg.Unsign(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode: verify, base64, inflate, parse.
func BenchmarkDecode(b *testing.B) {
	c, _, enc := benchCodec(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeCart: a larger session with nested application state.
func BenchmarkDecodeCart(b *testing.B) {
	c, _, enc := benchCodecOf(b, cartSession)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncode: JSON, deflate, base64, sign.
func BenchmarkEncode(b *testing.B) {
	c, m, _ := benchCodec(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(m); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	djangoOnce sync.Once
	djangoNS   map[string]float64
	djangoErr  error
)

// BenchmarkDjango runs Django's own decode and encode of the same session
// in a Python subprocess (timeit, best of 5) and reports them as metrics,
// so one `go test -bench .` run gives both sides. Needs
// DJANGOBRIDGE_TEST_DJANGO; the release is DJANGOBRIDGE_BENCH_RELEASE
// (default 5.2).
func BenchmarkDjango(b *testing.B) {
	dir := os.Getenv("DJANGOBRIDGE_TEST_DJANGO")
	if dir == "" {
		b.Skip("set DJANGOBRIDGE_TEST_DJANGO to time Django itself")
	}
	rel := os.Getenv("DJANGOBRIDGE_BENCH_RELEASE")
	if rel == "" {
		rel = "5.2"
	}
	_, _, enc := benchCodec(b)
	script := `
import json, sys, timeit
from django.conf import settings
settings.configure(SECRET_KEY=sys.argv[1], INSTALLED_APPS=["django.contrib.sessions"])
import django; django.setup()
from django.contrib.sessions.backends.db import SessionStore
s = SessionStore()
data = json.loads(sys.argv[2]); enc = sys.argv[3]
assert s.decode(enc) == data
for name, fn in (("decode", lambda: s.decode(enc)), ("encode", lambda: s.encode(data))):
    n = 20000
    best = min(timeit.repeat(fn, number=n, repeat=5)) / n
    print(name, best * 1e9)
`
	// One timing run whatever b.N is: the figures are Python's own.
	djangoOnce.Do(func() {
		cmd := exec.Command(djangotest.Launcher(dir, rel), "-c", script, "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz", benchSession, enc)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if djangoErr = cmd.Run(); djangoErr != nil {
			djangoErr = fmt.Errorf("%v: %s", djangoErr, errb.String())
			return
		}
		djangoNS = map[string]float64{}
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			f := strings.Fields(line)
			ns, _ := strconv.ParseFloat(f[1], 64)
			djangoNS[f[0]] = ns
		}
	})
	if djangoErr != nil {
		b.Fatal(djangoErr)
	}
	for b.Loop() {
	}
	for name, ns := range djangoNS {
		b.ReportMetric(ns, fmt.Sprintf("django-%s-ns/op", name))
	}
}
