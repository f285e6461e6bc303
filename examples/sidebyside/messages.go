package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	_ "embed"

	"github.com/djangobridge/djangobridge"
	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/messages"
)

// The demo's flash messages (Django's messages framework, package
// messages), the same routes as examples/django_app/demo/views.py:
//
//	POST /api/messages  level=debug|info|success|warning|error|<number>,
//	                    message=..., extra_tags=... (optional): adds a
//	                    message (messages.add_message) and answers
//	                    {"pending": N}, len(storage) afterwards;
//	GET  /api/messages  the pending messages, consumed, as
//	                    [{"level": 25, "message": "...", "tags": "...",
//	                    "extra_tags": "..."}] (extra_tags null when the
//	                    storage kept none, as before Django 4.1 for "");
//	GET  /messages/     messagesPage, the same page as Django's: the
//	                    pending messages (consumed) rendered as
//	                    demo/templates/demo/message_list.html renders them,
//	                    and a form that adds one through POST /api/messages.
//
// The storage is MESSAGE_STORAGE, read from DJANGO_MESSAGE_STORAGE as the
// Django app reads it (messageStorage).

// messagesPage is the /messages/ page, shared with examples/django_app:
// {{APP}} is the serving app, {{STORAGE}} MESSAGE_STORAGE, {{MESSAGES}} the
// list items.
//
//go:embed messages.html
var messagesPage string

// storagePaths are the MESSAGE_STORAGE values Django knows, by storage.
var storagePaths = map[messages.Storage]string{
	messages.FallbackStorage: "django.contrib.messages.storage.fallback.FallbackStorage",
	messages.CookieStorage:   "django.contrib.messages.storage.cookie.CookieStorage",
	messages.SessionStorage:  "django.contrib.messages.storage.session.SessionStorage",
}

// messageStorage reads DJANGO_MESSAGE_STORAGE as examples/django_app's
// settings.py does: Django's dotted path, or the short names fallback,
// cookie and session; unset is Django's default, FallbackStorage.
func messageStorage(v string) (messages.Storage, error) {
	if v == "" {
		return messages.FallbackStorage, nil
	}
	for st, p := range storagePaths {
		short := strings.TrimPrefix(p, "django.contrib.messages.storage.")
		short = short[:strings.IndexByte(short, '.')]
		if v == p || v == short {
			return st, nil
		}
	}
	return 0, fmt.Errorf("DJANGO_MESSAGE_STORAGE=%q: set it to Django's MESSAGE_STORAGE, one of %s, %s, %s (or fallback, cookie, session)",
		v, storagePaths[messages.FallbackStorage], storagePaths[messages.CookieStorage], storagePaths[messages.SessionStorage])
}

// flash is the demo's messages framework, shared by the three apps.
type flash struct {
	f       *messages.Framework
	storage messages.Storage // MESSAGE_STORAGE
}

// openFlash is messages.New with the demo's settings and storage.
func openFlash(s *djangobridge.Settings, storage messages.Storage) (*flash, error) {
	f, err := messages.New(s, messages.Options{Storage: storage})
	if err != nil {
		return nil, err
	}
	return &flash{f: f, storage: storage}, nil
}

// messageLevels are the level names the endpoint takes, as the Django
// view's.
var messageLevels = map[string]messages.Level{
	"debug": messages.Debug, "info": messages.Info, "success": messages.Success,
	"warning": messages.Warning, "error": messages.Error,
}

// parseLevel takes a level name or 1 to 9 ASCII digits, the rule the Django
// view applies.
func parseLevel(s string) (messages.Level, bool) {
	if l, ok := messageLevels[s]; ok {
		return l, true
	}
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, _ := strconv.Atoi(s)
	return messages.Level(n), true
}

// messageStore is request._messages: the middleware's (Options.Messages,
// the demo's MessageMiddleware), which stores what is left when the
// request ends — the "messages" cookie set or deleted, _messages saved
// with the session.
func (a *app) messageStore(r *request) (*messages.Request, error) {
	return r.state.Messages()
}

// addMessage is POST /api/messages.
func (a *app) addMessage(r *request) response {
	level, ok := parseLevel(r.form("level"))
	if !ok {
		return errorResponse(http.StatusBadRequest, "level must be debug, info, success, warning, error or a number")
	}
	text := r.form("message")
	if text == "" {
		return errorResponse(http.StatusBadRequest, "message is required")
	}
	m, err := a.messageStore(r)
	if err != nil {
		return a.fail(err)
	}
	m.Add(level, text, r.form("extra_tags"))
	return jsonResponse(http.StatusOK, []byte(`{"pending": `+strconv.Itoa(m.Len())+`}`))
}

// getMessages is GET /api/messages.
func (a *app) getMessages(r *request) response {
	m, err := a.messageStore(r)
	if err != nil {
		return a.fail(err)
	}
	b := []byte{'['}
	for i, msg := range m.Messages() {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, `{"level": `...)
		b = strconv.AppendInt(b, int64(msg.Level), 10)
		b = append(b, `, "message": `...)
		b, _ = djangosession.AppendJSON(b, msg.Message) // ensure_ascii, as json.dumps
		b = append(b, `, "tags": `...)
		b, _ = djangosession.AppendJSON(b, a.flash.f.Tags(msg))
		b = append(b, `, "extra_tags": `...)
		if msg.NoExtraTags {
			b = append(b, "null"...)
		} else {
			b, _ = djangosession.AppendJSON(b, msg.ExtraTags)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	return jsonResponse(http.StatusOK, b)
}

// djangoEscape is django.utils.html.escape (html.escape with quote=True),
// what a template's autoescaping applies.
var djangoEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#x27;")

// showMessages is GET /messages/: the page with the pending messages,
// each rendered byte for byte as demo/message_list.html renders it:
//
//	<li class="{{ message.tags }}" data-level="{{ message.level }}">{{ message }}</li>
//
// (no class attribute when tags is empty; a message Django marked safe is
// not escaped), one a line.
func (a *app) showMessages(r *request) response {
	if _, err := r.state.CSRFToken(); err != nil { // ensure_csrf_cookie: the form posts
		return a.fail(err)
	}
	m, err := a.messageStore(r)
	if err != nil {
		return a.fail(err)
	}
	var items []string
	for _, msg := range m.Messages() {
		var b strings.Builder
		b.WriteString("<li")
		if tags := a.flash.f.Tags(msg); tags != "" {
			b.WriteString(` class="` + djangoEscape.Replace(tags) + `"`)
		}
		b.WriteString(` data-level="` + strconv.Itoa(int(msg.Level)) + `">`)
		if msg.Safe {
			b.WriteString(msg.Message)
		} else {
			b.WriteString(djangoEscape.Replace(msg.Message))
		}
		b.WriteString("</li>")
		items = append(items, b.String())
	}
	body := strings.NewReplacer(
		"{{APP}}", djangoEscape.Replace(a.name+" (djangobridge)"),
		"{{STORAGE}}", storagePaths[a.flash.storage],
		"{{MESSAGES}}", strings.Join(items, "\n"),
	).Replace(messagesPage)
	return response{status: http.StatusOK, contentType: "text/html; charset=utf-8", body: []byte(body)}
}
