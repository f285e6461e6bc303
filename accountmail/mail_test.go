package accountmail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"
)

// TestConsoleLayout: headers as Django's console backend prints them, a
// blank line, the body, a line of 79 dashes; a subject with a line break is
// refused (Django's BadHeaderError).
func TestConsoleLayout(t *testing.T) {
	var out bytes.Buffer
	c := &Console{W: &out}
	m := &Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Héllo", Body: "body ü\n"}
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"Content-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: 8bit\n",
		"Subject: =?utf-8?q?H=C3=A9llo?=\nFrom: webmaster@localhost\nTo: a@example.com\nDate: ", "\n\nbody ü\n\n" + strings.Repeat("-", 79) + "\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	m.Subject = "a\nBcc: x@evil"
	if _, err := m.Bytes(time.Now(), "<x>"); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("header injection: %v", err)
	}
	tmpl, err := NewTemplate("Hi\n{{.}}\n", "Body {{.}}")
	if err != nil {
		t.Fatal(err)
	}
	if sub, body, err := tmpl.Render("x"); err != nil || sub != "Hix" || body != "Body x" {
		t.Errorf("render %q %q %v", sub, body, err)
	}
}

// FuzzQPBodyEncode: whatever the body, the quoted-printable that
// qpBodyEncode writes (Python's quoprimime.body_encode) decodes back to it,
// line ends as "\n", and no line is longer than maxlinelen.
func FuzzQPBodyEncode(f *testing.F) {
	for _, s := range []string{"", "a", "a=b", " \t", "x \n", strings.Repeat("é", 100), strings.Repeat("ab ", 30) + "\n\n",
		"line\r\nother\rthird\n", strings.Repeat("x", 74) + "=" + strings.Repeat("y", 10), strings.Repeat("x", 75) + " "} {
		f.Add([]byte(s), 76)
	}
	f.Fuzz(func(t *testing.T, body []byte, maxlinelen int) {
		if maxlinelen < 4 || maxlinelen > 1000 {
			return
		}
		enc := qpBodyEncode(body, maxlinelen)
		for _, line := range strings.Split(enc, "\n") {
			if len(line) > maxlinelen {
				t.Fatalf("line of %d > %d: %q", len(line), maxlinelen, line)
			}
		}
		dec, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(enc)))
		if err != nil {
			t.Fatalf("%q → %q: %v", body, enc, err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(string(body), "\r\n", "\n"), "\r", "\n")
		if got := strings.ReplaceAll(string(dec), "\r\n", "\n"); got != want {
			t.Fatalf("%q → %q → %q", body, enc, got)
		}
	})
}

// An internationalized domain goes out in its IDNA form, as Django's
// sanitize_address (and 6.x's prep_address) punycode it, in the header and
// the envelope; a domain without one is ErrAddress.
func TestAddressPunycode(t *testing.T) {
	h, env, err := address("Jörg <jörg@bücher.de>")
	if err != nil || env != "jörg@xn--bcher-kva.de" || !strings.HasSuffix(h, " <jörg@xn--bcher-kva.de>") {
		t.Errorf("got %q %q %v", h, env, err)
	}
	if _, _, err := address("a@b\u00adü..de"); !errors.Is(err, ErrAddress) {
		t.Errorf("a domain IDNA refuses: %v", err)
	}
}
