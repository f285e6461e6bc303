package middleware

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"

	"github.com/djangobridge/djangobridge/djangosession"
	"github.com/djangobridge/djangobridge/djangouser"
	"github.com/djangobridge/djangobridge/messages"
)

type stateKey struct{}

// ContextWithState returns ctx carrying st, for adapters that keep the
// core's State in a context.Context.
func ContextWithState(ctx context.Context, st *State) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

// StateFromContext returns the State the middleware put in ctx, or nil.
func StateFromContext(ctx context.Context) *State {
	st, _ := ctx.Value(stateKey{}).(*State)
	return st
}

// Handler wraps next with the request flow: the session and user become
// available to next through Session(r), User(r) and the others; unsafe
// methods must pass the CSRF check first; the session is saved and its
// cookie set when next starts its answer (its first WriteHeader or Write)
// or returns, whichever comes first.
//
// Django saves the session after the view returns. A net/http handler
// streams, and headers cannot change after the first byte, so the save
// happens as the answer starts: changes a handler makes to the session
// after its first Write are still saved when it returns, but they cannot
// set or delete the cookie any more (a session that gets its first key
// after that point is saved without the browser learning its key).
//
// Works with http.ServeMux, chi, gorilla/mux and anything built on net/http.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	a := &netHTTP{m: m, next: next}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.Serve(w, r, a) })
}

// An HTTPAdapter is what a framework built on net/http (echo, gin) gives
// Serve for one request: the rest of its chain and its own error handling.
type HTTPAdapter interface {
	// Next runs the rest of the chain with the flow's writer (which saves
	// the session as the answer starts) and r carrying the State.
	Next(w http.ResponseWriter, r *http.Request)
	// Fail answers a flow error (see IsFlowError), already logged by
	// LogFailure, on w.
	Fail(w http.ResponseWriter, r *http.Request, err error)
	// Exempt reports whether the view is csrf_exempt; asked only for an
	// unsafe method.
	Exempt(r *http.Request) bool
}

// netHTTP is Handler's adapter: Options' handlers, else the core's Answer.
type netHTTP struct {
	m    *Middleware
	next http.Handler
}

func (a *netHTTP) Next(w http.ResponseWriter, r *http.Request) { a.next.ServeHTTP(w, r) }

func (a *netHTTP) Exempt(r *http.Request) bool {
	return a.m.opts.CSRFExempt != nil && a.m.opts.CSRFExempt(r)
}

func (a *netHTTP) Fail(w http.ResponseWriter, r *http.Request, err error) {
	switch o := &a.m.opts; {
	case errors.Is(err, ErrCSRF) && o.CSRFFailureHandler != nil:
		o.CSRFFailureHandler(w, r, err)
	case !errors.Is(err, ErrCSRF) && o.ErrorHandler != nil:
		o.ErrorHandler(w, r, err)
	default:
		a.m.Answer(err).WriteTo(w)
	}
}

// Serve is Handler's flow for one request, for adapters of frameworks
// built on net/http: a's Next gets the writer that saves the session as
// the answer starts and r carrying the State (StateFromContext); the
// flow's failures go to a's Fail.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, a HTTPAdapter) {
	st := m.begin(r)
	rw := &st.rw
	rw.ResponseWriter, rw.st, rw.a = w, st, a
	r = r.WithContext(st.ctx)
	rw.r = r
	if st.req.ReadForm != nil {
		// Parse the form into the request the handler gets, so that
		// it still sees the body's fields after the CSRF check read it.
		st.req.ReadForm = func() (string, error) { return m.readForm(r) }
	}
	if IsSafeMethod(r.Method) || !a.Exempt(r) {
		if err := st.Gate(nil); err != nil {
			rw.fail(rw, err)
			rw.finish()
			removeUploads(r)
			return
		}
	}
	a.Next(rw, r)
	rw.finish()
	removeUploads(r)
}

// removeUploads deletes the temporary files of a multipart form the CSRF
// check parsed into r: net/http removes only those of the request it
// made, and r is the middleware's copy.
func removeUploads(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

// begin reads what the core needs from r.
func (m *Middleware) begin(r *http.Request) *State {
	s := m.settings
	req := Request{Method: r.Method, Host: r.Host, Secure: m.isSecure(r)}
	for _, line := range r.Header["Cookie"] {
		scanCookies(line, s.SessionCookieName, s.CSRFCookieName, &req)
	}
	if !IsSafeMethod(r.Method) {
		h := r.Header
		if v := h.Values("Origin"); len(v) > 0 {
			req.Origin, req.HasOrigin = v[0], true
		}
		if v := h.Values("Referer"); len(v) > 0 {
			req.Referer, req.HasReferer = v[0], true
		}
		if v := h.Values(s.CSRFHeaderName); len(v) > 0 {
			req.CSRFHeader, req.HasCSRFHeader = v[0], true
		}
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			if _, p, err := net.SplitHostPort(a.String()); err == nil {
				req.Port = p
			}
		}
		req.ReadForm = func() (string, error) { return m.readForm(r) }
	}
	return m.Begin(r.Context(), &req)
}

// formBody is the url-encoded body put back for the handler.
type formBody struct{ bytes.Reader }

func (*formBody) Close() error { return nil }

// readForm is request.POST["csrfmiddlewaretoken"] for net/http, within
// Django's body limits (ReadURLEncoded, CheckMultipart): the form is
// parsed into r (r.PostForm, r.Form, r.MultipartForm; an url-encoded body
// is also put back in r.Body), so the handler reads it as usual.
func (m *Middleware) readForm(r *http.Request) (string, error) {
	if r.PostForm != nil {
		return lastValue(r.PostForm[CSRFFormField]), nil // parsed before the middleware
	}
	switch FormKind(r.Header.Get("Content-Type")) {
	case FormURLEncoded:
		body, err := m.ReadURLEncoded(r.ContentLength, r.Body)
		if err != nil {
			return "", err
		}
		fb := new(formBody)
		fb.Reset(body)
		r.Body = fb
		r.PostForm, _ = url.ParseQuery(string(body)) // as ParseForm: the pairs it could read
		_ = r.ParseForm()                            // r.Form: the body's fields, then the query's
		return lastValue(r.PostForm[CSRFFormField]), nil
	case FormMultipart:
		perr := r.ParseMultipartForm(m.MultipartMaxMemory())
		if err := m.CheckMultipart(r.MultipartForm, perr); err != nil {
			return "", err
		}
		return lastValue(r.PostForm[CSRFFormField]), nil
	}
	return "", nil
}

// lastValue is request.POST[key] of a MultiValueDict: the last value
// sent under the key ("" when none).
func lastValue(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// scanCookies finds the session, CSRF and messages cookies in one Cookie header
// line without allocating, as Django's parse_cookie reads it: pairs split
// on ";", name and value trimmed, a value's surrounding double quotes
// removed; the last occurrence of a name wins, as in Django's
// request.COOKIES (a dict filled in order).
func scanCookies(line, sessName, csrfName string, req *Request) {
	for len(line) > 0 {
		var part string
		if i := strings.IndexByte(line, ';'); i >= 0 {
			part, line = line[:i], line[i+1:]
		} else {
			part, line = line, ""
		}
		name, val, found := strings.Cut(part, "=")
		if !found {
			continue
		}
		name = trimSpace(name)
		val = trimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		switch name {
		case sessName:
			req.SessionCookie, req.HasSessionCookie = val, true
		case csrfName:
			req.CSRFCookie, req.HasCSRFCookie = val, true
		case messages.CookieName:
			req.MessagesCookie = val
		}
	}
}

// isSecure is request.is_secure(): TLS, or SECURE_PROXY_SSL_HEADER. As in
// Django, a header that is present decides, even empty (META holds "");
// several header lines are one value joined by ",", as WSGI servers pass
// them to Django.
func (m *Middleware) isSecure(r *http.Request) bool {
	if h := m.settings.SecureProxySSLHeader; h[0] != "" {
		if vals, ok := r.Header[textproto.CanonicalMIMEHeaderKey(h[0])]; ok {
			v := strings.Join(vals, ",")
			if !m.rel.ProxySSLHeaderFirstValue {
				// Django < 4.1 compares the whole value.
				return v == h[1]
			}
			// Django 4.1+ takes the first value of a comma-separated header.
			v, _, _ = strings.Cut(v, ",")
			return trimSpace(v) == h[1]
		}
	}
	return r.TLS != nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// fail logs err and answers it on to through the adapter.
func (w *responseWriter) fail(to http.ResponseWriter, err error) {
	w.st.m.LogFailure(w.r.Context(), w.r.URL.Path, err)
	w.a.Fail(to, w.r, err)
}

func reasonOf(err error) string {
	var ce *CSRFError
	if errors.As(err, &ce) {
		return ce.Reason
	}
	var be *BodyError
	if errors.As(err, &be) {
		return be.Message
	}
	return err.Error()
}

// responseWriter runs the response half of the flow just before the
// handler's answer starts.
type responseWriter struct {
	http.ResponseWriter
	st        *State
	r         *http.Request
	a         HTTPAdapter
	committed bool
	replaced  bool // the error handler answered instead
	status    int
	snapshot  []byte // the saved session's data at commit, to save later changes
	modAt     bool   // session modified at commit
}

// commit is called with the handler's status before its first byte.
func (w *responseWriter) commit(status int) {
	w.committed, w.status = true, status
	st := w.st
	ctx := context.WithoutCancel(w.r.Context())
	res, err := st.Finish(ctx, status)
	if err != nil {
		w.replaced = true
		h := w.ResponseWriter.Header()
		for k := range h {
			delete(h, k)
		}
		w.fail(w.ResponseWriter, err)
		return
	}
	h := w.ResponseWriter.Header()
	for _, c := range res.SetCookie {
		h.Add("Set-Cookie", c)
	}
	if res.VaryCookie {
		AddVaryCookie(h)
	}
	st.mu.Lock()
	sess := st.sess
	st.mu.Unlock()
	if sess != nil && sess.Modified() && sess.Loaded() {
		w.modAt = true
		w.snapshot, _ = djangosession.AppendJSON(nil, sess.Data())
	}
}

func (w *responseWriter) WriteHeader(code int) {
	if w.replaced {
		return
	}
	if !w.committed {
		if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
			w.ResponseWriter.WriteHeader(code) // 1xx: the real answer follows
			return
		}
		w.commit(code)
		if w.replaced {
			return
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return 0, ErrResponseReplaced
	}
	return w.ResponseWriter.Write(p)
}

// Flush implements http.Flusher (a no-op when the writer cannot flush).
func (w *responseWriter) Flush() {
	if !w.committed {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker: the session is settled first.
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.committed {
		w.commit(http.StatusSwitchingProtocols)
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish runs when the handler returns.
func (w *responseWriter) finish() {
	if !w.committed {
		w.commit(http.StatusOK)
		return
	}
	if w.replaced || w.status >= 500 {
		return
	}
	// Changes after the first byte: saved, without a cookie.
	st := w.st
	st.mu.Lock()
	sess := st.sess
	st.mu.Unlock()
	if sess == nil || !sess.Modified() || sess.IsEmpty() {
		return
	}
	if w.modAt {
		now, err := djangosession.AppendJSON(nil, sess.Data())
		if err == nil && string(now) == string(w.snapshot) {
			return
		}
	}
	if err := sess.Save(context.WithoutCancel(w.r.Context())); err != nil {
		st.m.log.ErrorContext(w.r.Context(), "djangobridge middleware: saving session changes made after the response started",
			"error", err, "path", w.r.URL.Path)
	}
}

func stateOf(r *http.Request) *State { return StateFromContext(r.Context()) }

// stateFor is stateOf for helper, logging the programming error of a
// request that did not pass through the middleware.
func stateFor(r *http.Request, helper string) *State {
	st := stateOf(r)
	if st == nil {
		logNoState(r.Context(), helper, r.URL.Path)
	}
	return st
}

// SessionFromContext is Session for code that has the request's context
// rather than the request; nil (and an Error log line naming the mistake)
// outside the middleware.
func SessionFromContext(ctx context.Context) *djangosession.Session {
	if st := StateFromContext(ctx); st != nil {
		return st.Session()
	}
	logNoState(ctx, "SessionFromContext", "")
	return nil
}

// UserFromContext is User for code that has the request's context rather
// than the request.
func UserFromContext(ctx context.Context) (*djangouser.User, error) {
	st := StateFromContext(ctx)
	if st == nil {
		logNoState(ctx, "UserFromContext", "")
		return nil, ErrNoState
	}
	return st.User(ctx)
}

// Session returns request.session of a request that went through the
// middleware. No I/O until its data is used. A request that did not pass
// through the middleware is a programming error: nil, and an Error log
// line that names it.
func Session(r *http.Request) *djangosession.Session {
	if st := stateFor(r, "Session"); st != nil {
		return st.Session()
	}
	return nil
}

// User returns request.user (loaded once per request). The error wraps
// ErrStore when the session or user store failed (ErrStoreTimeout too
// past Options.StoreTimeout); it is ErrNoState, logged, when r did not go
// through the middleware (Fail answers it 500).
func User(r *http.Request) (*djangouser.User, error) {
	st := stateFor(r, "User")
	if st == nil {
		return nil, ErrNoState
	}
	return st.User(r.Context())
}

// Login logs u in on this request (django.contrib.auth.login): the
// session gets a new key and the user, and the CSRF secret is rotated.
func Login(r *http.Request, u *djangouser.User) error {
	st := stateFor(r, "Login")
	if st == nil {
		return ErrNoState
	}
	return st.Login(r.Context(), u)
}

// Logout logs the request's user out (django.contrib.auth.logout).
func Logout(r *http.Request) error {
	st := stateFor(r, "Logout")
	if st == nil {
		return ErrNoState
	}
	return st.Logout(r.Context())
}

// CSRFToken returns a masked CSRF token for the request (Django's
// get_token) and makes the response set the CSRF cookie.
func CSRFToken(r *http.Request) (string, error) {
	st := stateFor(r, "CSRFToken")
	if st == nil {
		return "", ErrNoState
	}
	return st.CSRFToken()
}

// RotateCSRFToken gives the request a new CSRF secret (rotate_token).
func RotateCSRFToken(r *http.Request) error {
	st := stateFor(r, "RotateCSRFToken")
	if st == nil {
		return ErrNoState
	}
	st.RotateCSRFToken()
	return nil
}

// Fail answers r through the middleware's error handling (the adapter's,
// Options.ErrorHandler, or the core's Answer: 503 for a store error),
// after logging err. Handlers can pass it the error of User when they do
// not handle it themselves. Outside the middleware it answers 500 (a
// programming error) and logs it.
func Fail(w http.ResponseWriter, r *http.Request, err error) {
	if st := stateOf(r); st != nil {
		st.rw.fail(w, err)
		return
	}
	if !errors.Is(err, ErrNoState) { // else the helper that returned it has logged it
		logNoState(r.Context(), "Fail", r.URL.Path)
		err = fmt.Errorf("%w: %w", ErrNoState, err)
	}
	(*Middleware)(nil).Answer(err).WriteTo(w)
}
