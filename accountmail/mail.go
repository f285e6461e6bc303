// Package accountmail sends the emails of the account workflows
// (registration's activation email, password reset links) through a small
// Sender interface: Console writes each message to an io.Writer as Django's
// console email backend does, SMTP hands it to a mail server. Subjects and
// bodies come from text/template templates the caller may replace.
package accountmail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/smtp"
	"strings"
	"sync"
	"text/template"
	"time"
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

// Bytes renders m as Django's EmailMessage.message().as_bytes() lays it
// out: the MIME headers, Subject, From, To, Date and Message-ID, a blank
// line, the body.
func (m *Message) Bytes(now time.Time, messageID string) ([]byte, error) {
	for _, h := range append([]string{m.Subject, m.From}, m.To...) {
		if strings.ContainsAny(h, "\r\n") {
			return nil, ErrHeaderInjection
		}
	}
	var b bytes.Buffer
	cte := "7bit"
	for i := 0; i < len(m.Body); i++ {
		if m.Body[i] >= 0x80 {
			cte = "8bit"
			break
		}
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=\"utf-8\"\nMIME-Version: 1.0\nContent-Transfer-Encoding: %s\n", cte)
	fmt.Fprintf(&b, "Subject: %s\nFrom: %s\nTo: %s\n", mime.QEncoding.Encode("utf-8", m.Subject), m.From, strings.Join(m.To, ", "))
	fmt.Fprintf(&b, "Date: %s\nMessage-ID: %s\n\n", now.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0000"), messageID)
	b.WriteString(m.Body)
	return b.Bytes(), nil
}

// Console is Django's console EmailBackend: each message, then a line of
// 79 dashes, written to W (os.Stdout in a demo). Safe for concurrent use.
type Console struct {
	W  io.Writer
	mu sync.Mutex
	n  int
}

// Send implements Sender.
func (c *Console) Send(ctx context.Context, msgs ...*Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.n++
		raw, err := m.Bytes(time.Now(), fmt.Sprintf("<%d.%d@djangobridge>", time.Now().UnixNano(), c.n))
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
// offers it, as net/smtp.SendMail does).
type SMTP struct {
	Addr               string // "host:port"
	Username, Password string
}

// Send implements Sender. net/smtp has no context: ctx is checked between
// messages.
func (s *SMTP) Send(ctx context.Context, msgs ...*Message) error {
	host, _, _ := strings.Cut(s.Addr, ":")
	var auth smtp.Auth
	if s.Username != "" {
		auth = smtp.PlainAuth("", s.Username, s.Password, host)
	}
	for i, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := m.Bytes(time.Now(), fmt.Sprintf("<%d.%d@%s>", time.Now().UnixNano(), i, host))
		if err != nil {
			return err
		}
		raw = bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
		if err := smtp.SendMail(s.Addr, auth, m.From, m.To, raw); err != nil {
			return fmt.Errorf("accountmail: smtp %s: %w", s.Addr, err)
		}
	}
	return nil
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
