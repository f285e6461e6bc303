package accountmail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangotest"
)

// received is one message the sink got: the envelope and the DATA bytes.
type received struct {
	MailFrom string   `json:"mailfrom"`
	RcptTos  []string `json:"rcpttos"`
	Data     []byte   `json:"data"`
}

// sink is testdata/smtpsink.py: Python's stdlib smtpd server on a free
// port of 127.0.0.1, run by a Django launcher's Python (3.11 for 3.2-5.2).
type sink struct {
	addr string
	msgs chan received
}

// startSink starts the sink, stopped at cleanup. It needs
// DJANGOBRIDGE_TEST_DJANGO (the launchers); when no launcher's Python has
// smtpd (removed in Python 3.12) the test skips, or fails under CI.
func startSink(t *testing.T) *sink {
	t.Helper()
	dir := djangotest.DjangoDir(t)
	script, _ := filepath.Abs(filepath.Join("testdata", "smtpsink.py"))
	var why []string
	for _, rel := range djangotest.Releases {
		py := djangotest.Launcher(dir, rel)
		cmd := exec.Command(py, script)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			why = append(why, fmt.Sprintf("%s: %v", py, err))
			continue
		}
		lines := bufio.NewScanner(stdout)
		lines.Buffer(make([]byte, 1<<20), 64<<20)
		ready := make(chan int, 1)
		msgs := make(chan received, 16)
		go func() {
			defer close(msgs)
			first := true
			for lines.Scan() {
				if first {
					first = false
					var p struct{ Port int }
					if json.Unmarshal(lines.Bytes(), &p) == nil {
						ready <- p.Port
					}
					continue
				}
				var r received
				if err := json.Unmarshal(lines.Bytes(), &r); err == nil {
					msgs <- r
				}
			}
			close(ready)
		}()
		select {
		case port, ok := <-ready:
			if ok && port > 0 {
				t.Cleanup(func() {
					stdin.Close() // the sink exits when its stdin closes
					done := make(chan struct{})
					go func() { _ = cmd.Wait(); close(done) }()
					select {
					case <-done:
					case <-time.After(5 * time.Second):
						_ = cmd.Process.Kill()
						<-done
					}
				})
				return &sink{addr: fmt.Sprintf("127.0.0.1:%d", port), msgs: msgs}
			}
		case <-time.After(30 * time.Second):
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		why = append(why, fmt.Sprintf("%s: %s", py, strings.TrimSpace(lastLine(stderr.String()))))
	}
	djangotest.Unavailable(t, "no SMTP server: Python's smtpd (Python <= 3.11) would not start under any launcher of "+
		djangotest.EnvDjango+" ("+strings.Join(why, "; ")+")")
	return nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func (s *sink) next(t *testing.T) received {
	t.Helper()
	select {
	case r, ok := <-s.msgs:
		if !ok {
			t.Fatal("the SMTP sink exited")
		}
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no message reached the SMTP sink within 30 s")
	}
	return received{}
}

// parsed is a received message as a reader sees it: headers decoded, body
// decoded by its Content-Transfer-Encoding, line ends "\n".
type parsed struct {
	names   []string // header names, lower case, sorted
	subject string
	from    []*mail.Address
	to      []*mail.Address
	ctype   string
	params  map[string]string
	mimeVer string
	cte     string
	date    time.Time
	msgID   string
	body    string
}

func parse(t *testing.T, raw []byte) parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("unreadable message: %v\n%s", err, raw)
	}
	var p parsed
	for k := range m.Header {
		p.names = append(p.names, strings.ToLower(k))
	}
	slices.Sort(p.names)
	dec := new(mime.WordDecoder)
	if p.subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Errorf("Subject %q: %v", m.Header.Get("Subject"), err)
	}
	if p.from, err = m.Header.AddressList("From"); err != nil {
		t.Errorf("From: %v", err)
	}
	if p.to, err = m.Header.AddressList("To"); err != nil {
		t.Errorf("To: %v", err)
	}
	if p.ctype, p.params, err = mime.ParseMediaType(m.Header.Get("Content-Type")); err != nil {
		t.Errorf("Content-Type: %v", err)
	}
	p.mimeVer, p.cte, p.msgID = m.Header.Get("MIME-Version"), strings.ToLower(m.Header.Get("Content-Transfer-Encoding")), m.Header.Get("Message-ID")
	if p.date, err = m.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	var r io.Reader = m.Body
	switch p.cte {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Errorf("body (%s): %v", p.cte, err)
	}
	p.body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return p
}

var messageID = regexp.MustCompile(`^<[^<>@\s]+@[^<>@\s]+>$`)

// mailCases are the messages sent both ways: ASCII, a long non-ASCII
// subject (folded into several encoded words), non-ASCII bodies, display
// names to encode and to quote, several recipients, lines starting with a
// dot (dot-stuffing), CRLF line ends in the body, and a line over the
// 998-byte limit (quoted-printable).
var mailCases = []struct {
	name string
	msg  Message
}{
	{"ascii", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Activate your account", Body: "Hello,\n\nhttp://testserver/accounts/activate/abc:1x:def/\n"}},
	{"non-ascii", Message{From: "Wébmaster <webmaster@example.com>", To: []string{"Zoë Ünal <z@example.com>", "b@example.com"},
		Subject: "Réinitialisation du mot de passe sur exämple.com — cliquez le lien ci-dessous, s’il vous plaît",
		Body:    "Bonjour Zoë,\n\nVoici le lien : http://testserver/reset/MQ/abc-123/\n\n— L’équipe 日本語\n"}},
	{"quoted-names", Message{From: `"Site, The" <site@example.com>`, To: []string{`"O'Brien (work)" <ob@example.com>`, `Jo Bloggs <jo@example.com>`},
		Subject: "Plain subject with = and ? and _ signs", Body: ".starts with a dot\n..two dots\n.\nend\n"}},
	{"crlf", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Ünïcode only: ☃", Body: "line one\r\nline two\r\n\r\nlast"}},
	{"long-line", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Long",
		Body: "short\n" + strings.Repeat("ab=cd é ", 200) + "\nend\n"}},
	{"long-ascii-line", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Long ASCII",
		Body: "short\n" + strings.Repeat("abcdefghij", 120) + " \nend\t\n"}},
	{"activation-link", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Activate",
		Body: "Activate: https://www.example.com/accounts/activate/ImEtdmVyeS1sb25nLXVzZXJuYW1lLWZvci10ZXN0aW5nIg:1vQxyz:AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_/\n\nThanks\n"}},
	{"eleven-long-lines", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Many",
		Body: strings.Repeat(strings.Repeat("x", 90)+" =\n", 12)}},
	{"empty-body", Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "Empty", Body: ""}},
}

// TestSMTPAgainstDjango: accountmail's SMTP sender delivers to a real SMTP
// server (Python's smtpd) what Django's smtp EmailBackend delivers to it
// for the same EmailMessage, on every release: the same envelope (bare
// addresses), the same header names, the same decoded Subject, From and To
// (display names included), Content-Type, MIME-Version and
// Content-Transfer-Encoding, a Date and a Message-ID of the right form,
// and the same decoded body. The raw bytes, which also differ in
// line folding and encoded-word choice, are logged when they differ.
func TestSMTPAgainstDjango(t *testing.T) {
	sk := startSink(t)
	host, port, _ := net.SplitHostPort(sk.addr)
	for _, release := range djangotest.Releases {
		t.Run(release, func(t *testing.T) {
			dj := djangotest.Start(t, release, djangotest.Config{})
			settings := djangobridge.Defaults()
			settings.DjangoVersion = djangobridge.MustParseVersion(release)
			snd := &SMTP{Addr: sk.addr, Settings: &settings}
			for _, c := range mailCases {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				m := c.msg
				if err := snd.Send(ctx, &m); err != nil {
					cancel()
					t.Fatalf("%s: Go: %v", c.name, err)
				}
				cancel()
				gr := sk.next(t)
				var n int
				dj.Do(t, "mail_smtp_send", map[string]any{"host": host, "port": port, "subject": m.Subject, "body": m.Body,
					"from": m.From, "to": m.To}, &n)
				dr := sk.next(t)
				if gr.MailFrom != dr.MailFrom || !slices.Equal(gr.RcptTos, dr.RcptTos) {
					t.Errorf("%s: envelope Go %s → %q, Django %s → %q", c.name, gr.MailFrom, gr.RcptTos, dr.MailFrom, dr.RcptTos)
				}
				g, d := parse(t, gr.Data), parse(t, dr.Data)
				check := func(what string, gv, dv any) {
					t.Helper()
					if fmt.Sprint(gv) != fmt.Sprint(dv) {
						t.Errorf("%s: %s: Go %q, Django %q", c.name, what, gv, dv)
					}
				}
				check("header names", g.names, d.names)
				check("Subject", g.subject, d.subject)
				check("Subject as sent", g.subject, m.Subject)
				check("From", g.from, d.from)
				check("To", g.to, d.to)
				check("Content-Type", g.ctype, d.ctype)
				check("charset", g.params, d.params)
				check("MIME-Version", g.mimeVer, d.mimeVer)
				check("Content-Transfer-Encoding", g.cte, d.cte)
				check("body", g.body, d.body)
				if g.cte != "8bit" && g.cte != "7bit" {
					// quoted-printable and base64 are emulated byte for byte.
					_, gb, _ := strings.Cut(string(gr.Data), "\r\n\r\n")
					_, db, _ := strings.Cut(string(dr.Data), "\r\n\r\n")
					check("encoded body", gb, db)
				}
				if time.Since(g.date).Abs() > time.Minute || !messageID.MatchString(g.msgID) {
					t.Errorf("%s: Go's Date %v, Message-ID %q", c.name, g.date, g.msgID)
				}
				if !bytes.Equal(gr.Data, dr.Data) {
					t.Logf("%s: raw bytes differ (Date, Message-ID, folding):\n--- Go\n%s\n--- Django %s\n%s", c.name, gr.Data, dj.Version(), dr.Data)
				}
			}
		})
	}
}

// TestSMTPErrors: a refused connection and a cancelled context come back
// as errors naming the server; a bad address is ErrAddress before any
// connection is made use of.
func TestSMTPErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m := &Message{From: "webmaster@localhost", To: []string{"a@example.com"}, Subject: "x", Body: "y"}
	if err := (&SMTP{Addr: addr}).Send(context.Background(), m); err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("refused: %v", err)
	}
	if err := (&SMTP{Addr: "no-port"}).Send(context.Background(), m); err == nil {
		t.Error("address without a port accepted")
	}

	// A server that greets and then says nothing: the context ends it.
	l, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		tc := textproto.NewConn(c)
		_ = tc.PrintfLine("220 hello")
		_, _ = io.Copy(io.Discard, c)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := (&SMTP{Addr: l.Addr().String()}).Send(ctx, m); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent server: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the context did not end the exchange: %v", time.Since(start))
	}

	for _, bad := range []*Message{
		{From: "not an address", To: []string{"a@example.com"}},
		{From: "webmaster@localhost", To: []string{"a@example.com", "b@"}},
		{From: "webmaster@localhost", To: []string{"a@example.com\r\nBcc: x@evil"}},
	} {
		if _, err := bad.Bytes(time.Now(), "<x@y>"); !errors.Is(err, ErrAddress) && !errors.Is(err, ErrHeaderInjection) {
			t.Errorf("%q → %q: %v", bad.From, bad.To, err)
		}
	}
}
