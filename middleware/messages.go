package middleware

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/djangobridge/djangobridge/internal/djcookie"
	"github.com/djangobridge/djangobridge/messages"
)

// ErrNoMessages: Messages was called but Options.Messages is nil, as
// Django's add_message raises MessageFailure without MessageMiddleware. A
// programming error: the error handler answers 500.
var ErrNoMessages = errors.New("middleware: no MessageMiddleware: set Options.Messages to the messages.Framework " +
	"made with messages.New(settings, messages.Options{Storage: ...}) to use flash messages")

// Messages returns the request's flash messages (request._messages, what
// MessageMiddleware.process_request makes): Add, Success, Info... queue a
// message for the next page, Messages shows (and consumes) the pending
// ones. It is opened on first call, without I/O (the session storage reads
// the session when the messages are first read); Finish stores what is
// left before the session is saved: the "messages" cookie on the
// response, "_messages" in the session, or both (FallbackStorage). The
// same *messages.Request is returned for the whole request. A handler
// must not call its Update or Write: the flow does.
//
// Messages added after the answer started (net/http: after the first
// WriteHeader, Write or Flush) are not stored, as they could no longer
// set the cookie (each such Add logs a Warn line saying so); likewise messages first read (Messages()) after it are
// not marked shown, and show again on the next page. In Django the whole
// response exists before MessageMiddleware runs; here, read and add them
// before writing: gather the template's data, then WriteHeader. Errors:
// ErrNoMessages without Options.Messages.
func (s *State) Messages() (*messages.Request, error) {
	f := s.m.opts.Messages
	if f == nil {
		return nil, ErrNoMessages
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.msgs == nil {
		s.msgs = f.Open(s.req.MessagesCookie, s.sessionLocked())
	}
	return s.msgs, nil
}

// finishMessages is MessageMiddleware.process_response: storage.update.
// A session that cannot be written (its load failed) is a store error,
// answered as the others unless the answer is already a server error.
// Messages no storage could keep are dropped, as Django drops them when
// DEBUG is off, with a Warn log line.
func (s *State) finishMessages(ctx context.Context, status int, res *Result) error {
	s.mu.Lock()
	r := s.msgs
	s.mu.Unlock()
	if r == nil {
		return nil
	}
	c, unstored, err := r.Update(ctx)
	if err != nil {
		if status >= 500 {
			s.m.log.ErrorContext(ctx, "djangobridge middleware: storing flash messages", "error", err)
			return nil
		}
		return fmt.Errorf("%w: store flash messages: %w", ErrStore, err)
	}
	if len(unstored) > 0 {
		s.m.log.WarnContext(ctx, "djangobridge middleware: not all flash messages could be stored (Django raises this under DEBUG)",
			"dropped", len(unstored))
	}
	if c != nil {
		res.SetCookie = append(res.SetCookie, s.m.renderMessagesCookie(c))
	}
	return nil
}

// renderMessagesCookie is the Set-Cookie text of CookieStorage._update_cookie
// for the cookie the messages framework decided: set_cookie(name, value,
// domain, secure, httponly, samesite) with Path=/ and no age, or
// delete_cookie(name, domain=, samesite=) for a deletion (MaxAge < 0).
func (m *Middleware) renderMessagesCookie(c *http.Cookie) string {
	return djcookie.FromHTTP(c, m.sameSiteText(c.SameSite))
}

// sameSiteText is the SameSite attribute as the settings spell it (Django
// writes SESSION_COOKIE_SAMESITE verbatim).
func (m *Middleware) sameSiteText(mode http.SameSite) string {
	var text string
	switch mode {
	case http.SameSiteLaxMode:
		text = "Lax"
	case http.SameSiteStrictMode:
		text = "Strict"
	case http.SameSiteNoneMode:
		text = "None"
	default:
		return ""
	}
	if s := m.settings.SessionCookieSameSite; strings.EqualFold(s, text) {
		return s
	}
	return text
}

// Messages returns the flash messages of a request that went through the
// middleware (State.Messages): m.Success("Saved.") shows on the next page,
// Django's or Go's; m.Messages() shows and consumes the pending ones. The
// flow stores what is left when the answer starts, so call both before
// the first WriteHeader or Write (see State.Messages). ErrNoState (logged)
// without the middleware,
// ErrNoMessages without Options.Messages; Fail answers both 500.
func Messages(r *http.Request) (*messages.Request, error) {
	st := stateFor(r, "Messages")
	if st == nil {
		return nil, ErrNoState
	}
	return st.Messages()
}

// MessagesFromContext is Messages for code that has the request's context
// rather than the request.
func MessagesFromContext(ctx context.Context) (*messages.Request, error) {
	st := StateFromContext(ctx)
	if st == nil {
		logNoState(ctx, "MessagesFromContext", "")
		return nil, ErrNoState
	}
	return st.Messages()
}
