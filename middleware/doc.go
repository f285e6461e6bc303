// Package middleware is Django's SessionMiddleware, AuthenticationMiddleware
// and CsrfViewMiddleware for Go: the request flow written once, with
// net/http on top and thin adapters for other frameworks.
//
// # net/http
//
//	mw, err := middleware.New(middleware.Options{Sessions: mgr, Auth: auth})
//	http.ListenAndServe(addr, mw.Handler(mux))
//
// In a handler: Session(r) is request.session, User(r) is request.user
// (loaded once, on first use; SessionFromContext and UserFromContext take
// the request's context instead), Login(r, u) and Logout(r) are
// django.contrib.auth's (Login rotates the CSRF secret), CSRFToken(r) is
// get_token, Fail(w, r, err) answers through the error handler. LoginRequired,
// LoginRequiredAPI, PermissionRequired and StaffOnly are the decorators.
// Unsafe methods (anything but GET, HEAD, OPTIONS, TRACE) must pass the
// CSRF check first (Options.CSRFExempt and DisableCSRFCheck turn it off).
//
// Nothing touches a store until a handler reads the session or the user:
// a request that does neither costs no I/O. One that reads the user costs
// one session read and one user read.
//
// Django saves the session after the view returns; a net/http handler
// streams, so the session is saved and its cookie set when the handler
// starts its answer (first WriteHeader, Write or Flush) or returns,
// whichever comes first. Changes made after the first byte are saved when
// the handler returns but cannot set or delete the cookie any more.
//
// Errors never pass silently: when the session or user store fails during
// a request (a database that went away), the response is replaced by
// Options.ErrorHandler's (default: 503 with a short text, logged with
// log/slog), even if the handler ignored the error; a session deleted by a
// concurrent request gives 400 (Django's SessionInterrupted); a failed CSRF
// check 403. Nothing panics. A replaced answer starts from an empty
// header set (what the handler, or middleware before this one, had set is
// dropped) and later Writes of the handler return ErrResponseReplaced.
//
// # The core, for adapters (echo, fiber, ...)
//
// An adapter translates its request into a Request, runs the handler with
// the State in reach, then applies the Result:
//
//	st := mw.Begin(ctx, &middleware.Request{
//		Method: method, Host: host, Port: serverPort, Secure: isHTTPS,
//		SessionCookie: v, HasSessionCookie: sent,   // the SESSION_COOKIE_NAME cookie
//		CSRFCookie: v, HasCSRFCookie: sent,         // the CSRF_COOKIE_NAME cookie
//		Origin: v, HasOrigin: sent, Referer: v, HasReferer: sent,
//		CSRFHeader: v, HasCSRFHeader: sent,         // Settings.CSRFHeaderName
//		FormToken: func() string { return form value "csrfmiddlewaretoken" },
//	})
//	// keep st for the handler: ContextWithState(ctx, st) / your framework's store
//	if unsafe method && !exempt {
//		if err := st.CheckCSRF(); err != nil { answer StatusFor(err) (403 for a *CSRFError); then Finish as below }
//	}
//	run the handler; the handler uses st.Session(), st.User(ctx), st.Login(ctx, u),
//	st.Logout(ctx), st.CSRFToken()
//	// before the first byte of the answer, with its status:
//	res, err := st.Finish(context.WithoutCancel(ctx), status)
//	if err != nil { discard the handler's answer; answer StatusFor(err) (503 store, 400 vanished session), log err }
//	for _, c := range res.SetCookie { add header "Set-Cookie: " + c }   // Django's exact text
//	if res.VaryCookie { add "Cookie" to Vary unless present }            // AddVaryCookie for an http.Header
//
// Begin does no I/O and keeps the Request's strings: copy them first if
// your framework reuses its buffers (fasthttp). Finish must be called
// once. State methods are safe for concurrent use within the request.
//
// # CSRF
//
// The check is Django's for Settings.DjangoVersion (see csrf.go): the
// csrftoken cookie (32-character secret, or the 64-character masked form
// Django ≤ 3.2 wrote), the X-CSRFToken header or csrfmiddlewaretoken form
// field, masked or not, compared in constant time; on 4.0+ the Origin
// header, and the Referer of HTTPS requests, against the request's host and
// CSRF_TRUSTED_ORIGINS; CSRF_USE_SESSIONS keeps the secret in the session
// under "_csrftoken"; Login rotates it. The Host header is trusted as
// request.get_host(): run behind a server or proxy that enforces your
// ALLOWED_HOSTS.
package middleware
