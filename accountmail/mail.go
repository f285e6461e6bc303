// Package accountmail sends the emails of the account workflows
// (registration's activation email, password reset links) through a small
// Sender interface: Console writes each message to an io.Writer as Django's
// console email backend does, SMTP hands it to a mail server. Subjects and
// bodies come from text/template templates the caller may replace.
package accountmail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/internal/djangoforms"
)

// Message is one plain-text email.
type Message struct {
	From    string   // DEFAULT_FROM_EMAIL, e.g. "webmaster@localhost"
	To      []string // recipients
	Subject string   // one line (Django joins a rendered subject's lines)
	Body    string
}

// Sender delivers messages. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, msgs ...*Message) error
}

// ErrHeaderInjection is returned for a subject or address with a line break.
var ErrHeaderInjection = errors.New("accountmail: header values can't contain newlines")

// ErrAddress is returned for a From or To that is not an address
// ("a@example.com" or "Name <a@example.com>").
var ErrAddress = errors.New("accountmail: not an email address")

// rfc5322LineLimit is django.core.mail.message.RFC5322_EMAIL_LINE_LENGTH_LIMIT:
// a body with a longer line is sent quoted-printable.
const rfc5322LineLimit = 998

// address parses one From or To value into its header form, as Django's
// sanitize_address writes it (a non-ASCII display name as an RFC 2047
// encoded word, one with specials quoted, an internationalized domain in
// its IDNA "xn--" form), and its bare addr-spec for the SMTP envelope.
func address(v string) (header, envelope string, err error) {
	if strings.ContainsAny(v, "\r\n") {
		return "", "", ErrHeaderInjection
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrAddress, v, err)
	}
	// sanitize_address / prep_address: domain = punycode(domain).
	if i := strings.LastIndexByte(a.Address, '@'); i >= 0 && !isASCII(a.Address[i+1:]) {
		d, ok := djangoforms.Punycode(a.Address[i+1:])
		if !ok {
			return "", "", fmt.Errorf("%w: %q: the domain has no IDNA encoding", ErrAddress, v)
		}
		a.Address = a.Address[:i+1] + d
	}
	switch {
	case a.Name == "":
		return a.Address, a.Address, nil
	case !isASCII(a.Name):
		return mime.QEncoding.Encode("utf-8", a.Name) + " <" + a.Address + ">", a.Address, nil
	case strings.ContainsAny(a.Name, `[]\()<>@,:;".`):
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(a.Name) + `" <` + a.Address + ">", a.Address, nil
	}
	return a.Name + " <" + a.Address + ">", a.Address, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// Bytes renders m as Django 3.2-5.2's EmailMessage.message().as_bytes()
// lays it out: the MIME headers, Subject (RFC 2047 Q-encoded when not
// ASCII), From, To (display names encoded as Django's sanitize_address
// does), Date and Message-ID, a blank line, the body with "\n" line ends.
// The body is 7bit when ASCII, 8bit when not, and quoted-printable when a
// line is longer than 998 bytes, as Django's SafeMIMEText chooses. Errors:
// ErrHeaderInjection, ErrAddress. BytesFor renders for a given release.
func (m *Message) Bytes(now time.Time, messageID string) ([]byte, error) {
	return m.render(false, now, messageID)
}

// BytesFor is Bytes as Django release rel lays the message out: on 6.0+
// (Release.EmailModernPolicy) the body's encoding is email.contentmanager's
// (7bit or 8bit while every line fits 78 bytes, else the shorter of
// quoted-printable and base64), Content-Transfer-Encoding comes before
// MIME-Version and Date ends in +0000.
func (m *Message) BytesFor(rel djangobridge.Release, now time.Time, messageID string) ([]byte, error) {
	return m.render(rel.EmailModernPolicy, now, messageID)
}

func (m *Message) render(modern bool, now time.Time, messageID string) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, ErrHeaderInjection
	}
	from, _, err := address(m.From)
	if err != nil {
		return nil, err
	}
	to := make([]string, len(m.To))
	for i, v := range m.To {
		if to[i], _, err = address(v); err != nil {
			return nil, err
		}
	}
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\r", "\n")
	var cte string
	if modern {
		lines := strings.Split(body, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1] // str.splitlines drops the empty last line
		}
		cte, body = modernBody(lines)
	} else {
		cte = "7bit"
		if !isASCII(body) {
			cte = "8bit"
		}
		for _, line := range strings.Split(body, "\n") {
			if len(line) > rfc5322LineLimit {
				cte, body = "quoted-printable", qpBodyEncode([]byte(body), 76)
				break
			}
		}
	}
	subject := m.Subject
	if !isASCII(subject) {
		subject = mime.QEncoding.Encode("utf-8", subject)
	}
	var b bytes.Buffer
	if modern {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: %s\nMIME-Version: 1.0\n", cte)
	} else {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: %s\n", cte)
	}
	fmt.Fprintf(&b, "Subject: %s\nFrom: %s\nTo: %s\n", subject, from, strings.Join(to, ", "))
	zone := "-0000"
	if modern {
		zone = "+0000"
	}
	fmt.Fprintf(&b, "Date: %s\nMessage-ID: %s\n\n", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 ")+zone, messageID)
	b.WriteString(body)
	return b.Bytes(), nil
}

// envelope returns m's SMTP envelope: the bare From and To addresses.
func (m *Message) envelope() (from string, to []string, err error) {
	if _, from, err = address(m.From); err != nil {
		return "", nil, err
	}
	for _, v := range m.To {
		_, a, err := address(v)
		if err != nil {
			return "", nil, err
		}
		to = append(to, a)
	}
	return from, to, nil
}

// Console is Django's console EmailBackend: each message, then a line of
// 79 dashes, written to W (os.Stdout in a demo). Safe for concurrent use.
type Console struct {
	W io.Writer
	// Settings names the site's Django release, whose EmailMessage layout
	// the messages follow (BytesFor); nil lays them out as 3.2-5.2 do.
	Settings *djangobridge.Settings
	mu       sync.Mutex
	n        int
}

// modernLayout reports whether s's release lays messages out as 6.0+
// (Release.EmailModernPolicy); nil s is false.
func modernLayout(s *djangobridge.Settings) (bool, error) {
	if s == nil {
		return false, nil
	}
	rel, err := s.Release()
	if err != nil {
		return false, fmt.Errorf("accountmail: Settings: %w", err)
	}
	return rel.EmailModernPolicy, nil
}

// Send implements Sender.
func (c *Console) Send(ctx context.Context, msgs ...*Message) error {
	modern, err := modernLayout(c.Settings)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.n++
		raw, err := m.render(modern, time.Now(), fmt.Sprintf("<%d.%d@djangobridge>", time.Now().UnixNano(), c.n))
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(c.W, "%s\n%s\n", raw, strings.Repeat("-", 79)); err != nil {
			return err
		}
	}
	return nil
}

// SMTP sends through a mail server (EMAIL_HOST:EMAIL_PORT, with
// EMAIL_HOST_USER / EMAIL_HOST_PASSWORD when set; STARTTLS when the server
// offers it, as net/smtp.SendMail does), as Django's smtp EmailBackend:
// one connection for the messages of one Send, the envelope sender and
// recipients the bare addresses of From and To, the message as Bytes
// renders it with CRLF line ends.
type SMTP struct {
	Addr               string // "host:port"
	Username, Password string
	// LocalName is the name given in EHLO/HELO; "" = "localhost".
	LocalName string
	// Settings names the site's Django release, whose EmailMessage layout
	// the messages follow (BytesFor); nil lays them out as 3.2-5.2 do.
	Settings *djangobridge.Settings
}

// Send implements Sender. ctx bounds the whole exchange: when it ends
// (deadline or cancellation) the connection is abandoned and the error
// wraps ctx.Err().
// Errors wrap the server's (*textproto.Error with its code), ErrAddress or
// ErrHeaderInjection; the messages before a failing one were sent.
func (s *SMTP) Send(ctx context.Context, msgs ...*Message) (err error) {
	if len(msgs) == 0 {
		return nil
	}
	modern, err := modernLayout(s.Settings)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("accountmail: smtp address %q: want host:port: %w", s.Addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("accountmail: smtp %s: %w", s.Addr, err)
	}
	// When ctx ends (deadline or cancel), the connection's pending and
	// later reads and writes fail at once; wrap then reports ctx's error.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return s.wrap(ctx, err)
	}
	defer c.Close()
	local := s.LocalName
	if local == "" {
		local = "localhost"
	}
	if err := c.Hello(local); err != nil {
		return s.wrap(ctx, err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return s.wrap(ctx, err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return s.wrap(ctx, err)
		}
	}
	for i, m := range msgs {
		raw, err := m.render(modern, time.Now(), fmt.Sprintf("<%d.%d@%s>", time.Now().UnixNano(), i, host))
		if err != nil {
			return err
		}
		from, to, err := m.envelope()
		if err != nil {
			return err
		}
		if err := c.Mail(from); err != nil {
			return s.wrap(ctx, err)
		}
		for _, rcpt := range to {
			if err := c.Rcpt(rcpt); err != nil {
				return s.wrap(ctx, err)
			}
		}
		w, err := c.Data()
		if err != nil {
			return s.wrap(ctx, err)
		}
		if _, err := w.Write(bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))); err != nil {
			return s.wrap(ctx, err)
		}
		if err := w.Close(); err != nil {
			return s.wrap(ctx, err)
		}
	}
	return s.wrap(ctx, c.Quit())
}

// wrap names the server in err, and ctx's error when ctx ended the exchange.
func (s *SMTP) wrap(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ce := ctx.Err(); ce != nil {
		return fmt.Errorf("accountmail: smtp %s: %w (%v)", s.Addr, ce, err)
	}
	return fmt.Errorf("accountmail: smtp %s: %w", s.Addr, err)
}

// Template is a replaceable subject and body, text/template syntax.
type Template struct {
	Subject, Body *template.Template
}

// NewTemplate parses subject and body.
func NewTemplate(subject, body string) (*Template, error) {
	st, err := template.New("subject").Parse(subject)
	if err != nil {
		return nil, err
	}
	bt, err := template.New("body").Parse(body)
	if err != nil {
		return nil, err
	}
	return &Template{st, bt}, nil
}

// Render fills the template: the subject's lines joined into one, as
// django-registration and PasswordResetForm do.
func (t *Template) Render(data any) (subject, body string, err error) {
	var sb, bb strings.Builder
	if err := t.Subject.Execute(&sb, data); err != nil {
		return "", "", err
	}
	if err := t.Body.Execute(&bb, data); err != nil {
		return "", "", err
	}
	return strings.Join(strings.Split(strings.ReplaceAll(sb.String(), "\r\n", "\n"), "\n"), ""), bb.String(), nil
}
