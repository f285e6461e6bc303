package middleware

import (
	"context"
	"strings"
	"testing"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/internal/djcookie"
)

func fuzzMiddleware(t testing.TB, version string) *Middleware {
	s := djangobridge.Defaults()
	s.SecretKey = "k"
	s.DjangoVersion = djangobridge.MustParseVersion(version)
	s.CSRFTrustedOrigins = []string{"https://*.example.com", "http://good.org"}
	if version == "3.2" {
		s.CSRFTrustedOrigins = []string{".example.com"}
	}
	mgr, err := djangosession.NewManager(&s, djangosession.NewMemoryStore())
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(Options{Sessions: mgr, SessionsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Hostile cookies and headers never panic the CSRF check or the response
// half; a request carrying a freshly masked token of its own cookie's
// secret is always accepted (same origin, not HTTPS).
func FuzzCSRF(f *testing.F) {
	secret := "abcdefghijklmnopqrstuvwxyzABCDEF"
	f.Add("POST", secret, MaskCSRFSecret(secret), "", "http://testserver", "", false)
	f.Add("PUT", MaskCSRFSecret(secret), secret, "form", "", "https://testserver/", true)
	f.Add("POST", "", "", "", "null", "https://[::1", true)
	f.Add("DELETE", strings.Repeat("\xff", 64), strings.Repeat("é", 32), "", "http://x:99999", "//evil", true)
	f.Add("POST", secret, secret, secret, "https://a.example.com", "https://b.example.com:443/x", true)
	ms := map[string]*Middleware{"3.2": fuzzMiddleware(f, "3.2"), "5.2": fuzzMiddleware(f, "5.2")}
	f.Fuzz(func(t *testing.T, method, cookie, header, form, origin, referer string, secure bool) {
		for _, m := range ms {
			req := &Request{Method: method, Host: "testserver", Secure: secure,
				CSRFCookie: cookie, HasCSRFCookie: cookie != "",
				CSRFHeader: header, HasCSRFHeader: header != "",
				Origin: origin, HasOrigin: origin != "", Referer: referer, HasReferer: referer != "",
				FormToken: func() string { return form }}
			st := m.Begin(context.Background(), req)
			_ = st.CheckCSRF()
			if _, err := st.CSRFToken(); err != nil {
				t.Fatal(err)
			}
			if _, err := st.Finish(context.Background(), 200); err != nil {
				t.Fatal(err)
			}
			// A valid secret with its own masked token passes.
			if len(cookie) == CSRFSecretLength && validCSRFChars(cookie) {
				ok := &Request{Method: "POST", Host: "testserver", CSRFCookie: cookie, HasCSRFCookie: true,
					CSRFHeader: MaskCSRFSecret(cookie), HasCSRFHeader: true}
				if err := m.Begin(context.Background(), ok).CheckCSRF(); err != nil {
					t.Fatalf("own token refused: %v", err)
				}
			}
		}
	})
}

// Masking round-trips for every secret, and unmasking never panics.
func FuzzMask(f *testing.F) {
	f.Add("abcdefghijklmnopqrstuvwxyzABCDEF")
	f.Add(strings.Repeat("9", 64))
	f.Add("\x00")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = UnmaskCSRFToken(s)
		if len(s) == CSRFSecretLength && validCSRFChars(s) {
			tok := MaskCSRFSecret(s)
			if got, ok := UnmaskCSRFToken(tok); !ok || got != s {
				t.Fatalf("mask/unmask %q → %q → %q", s, tok, got)
			}
		}
	})
}

// Cookie header lines and URLs never panic their parsers.
func FuzzScanCookiesAndURLs(f *testing.F) {
	f.Add(`sessionid=abc; csrftoken="x"; sessionid=def`)
	f.Add(`;;=;sessionid`)
	f.Add("https://[::1]:8000/x?y#z")
	f.Fuzz(func(t *testing.T, line string) {
		var r Request
		scanCookies(line, "sessionid", "csrftoken", &r)
		if r.HasSessionCookie && !strings.Contains(line, r.SessionCookie) {
			t.Fatalf("session cookie %q not from %q", r.SessionCookie, line)
		}
		u, _ := urlSplit(line)
		_ = isSameDomain(u.netloc, line)
		_ = pyQuote(line, "/")
		var b strings.Builder
		djcookie.WriteValue(&b, line)
	})
}

// Django's parse_cookie keeps the last of repeated names, trims spaces
// and removes surrounding quotes.
func TestScanCookies(t *testing.T) {
	var r Request
	scanCookies(` sessionid = first ; csrftoken="tok"; other=1; sessionid=second`, "sessionid", "csrftoken", &r)
	if r.SessionCookie != "second" || r.CSRFCookie != "tok" || !r.HasSessionCookie || !r.HasCSRFCookie {
		t.Fatalf("%+v", r)
	}
}

// urlSplit agrees with Python's urlsplit on scheme and netloc.
func TestURLSplit(t *testing.T) {
	for _, c := range []struct{ in, scheme, netloc string }{
		{"https://example.com/x", "https", "example.com"},
		{"HTTPS://Example.COM:443?q", "https", "Example.COM:443"},
		{"  https://a.b#f", "https", "a.b"},
		{"example.com", "", ""},
		{"//example.com/x", "", "example.com"},
		{"1http://x", "", ""},
		{"ht\ttp://x/", "http", "x"},
		{"null", "", ""},
	} {
		u, ok := urlSplit(c.in)
		if !ok || u.scheme != c.scheme || u.netloc != c.netloc {
			t.Errorf("urlSplit(%q) = %+v %v, want %q %q", c.in, u, ok, c.scheme, c.netloc)
		}
	}
	if _, ok := urlSplit("https://[::1/x"); ok {
		t.Error("unbalanced bracket accepted")
	}
}
