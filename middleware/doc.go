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
// get_token, Messages(r) is the request's flash messages (with
// Options.Messages: Django's MessageMiddleware, stored before the session
// is saved), Fail(w, r, err) answers through the error handler. LoginRequired,
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
// check 403; a POST form the CSRF check reads that is over Django's
// DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS or _NUMBER_FILES 400
// (ErrBadRequest, a *BodyError: Django's RequestDataTooBig,
// TooManyFieldsSent, TooManyFilesSent), the handler not run; a helper reached by a request that never passed through the
// middleware (an unwrapped mux) 500, with an Error log line naming the
// mistake and the fix. New refuses a nil Auth unless Options.SessionsOnly
// says so. Nothing panics. A replaced answer starts from an empty
// header set (what the handler, or middleware before this one, had set is
// dropped) and later Writes of the handler return ErrResponseReplaced.
//
// # Other frameworks
//
// Each adapter is a package (its own module where its framework's
// dependencies would otherwise reach everyone): echomw (echo v4), echo5mw
// (echo v5), fibermw (fiber v2), fiber3mw (fiber v3), ginmw (gin). Each has
// its framework's constructor shape and config (echo Skipper, fiber Next,
// gin Skip; CSRFExempt), hands the flow's failures to the framework's own
// error handling (echo's HTTPErrorHandler, fiber's ErrorHandler, gin's
// c.Errors; the core's Answer where the framework has none), puts the
// State, session and user in the framework's context under KeyState,
// KeySession and KeyUser, and offers User, Session, Login, Logout,
// CSRFToken, Messages and the decorators in its idiom. chi and gorilla/mux take
// Handler as they are.
//
// # The core, for adapters
//
// An adapter translates; every rule is here, once:
//
//	st := mw.Begin(ctx, &middleware.Request{
//		Method: method, Host: host, Port: serverPort, Secure: isHTTPS,
//		SessionCookie: v, HasSessionCookie: sent,   // the SESSION_COOKIE_NAME cookie
//		CSRFCookie: v, HasCSRFCookie: sent,         // the CSRF_COOKIE_NAME cookie
//		MessagesCookie: v,                          // the "messages" cookie (Options.Messages)
//		Origin: v, HasOrigin: sent, Referer: v, HasReferer: sent,
//		CSRFHeader: v, HasCSRFHeader: sent,         // Settings.CSRFHeaderName
//		ReadForm: func() (string, error) {      // the POST form's "csrfmiddlewaretoken",
//			// within Django's limits: mw.ReadURLEncoded(contentLength, body) or
//			// mw.CheckURLEncoded(body); mw.CheckMultipart(form, parseErr)
//		},
//		Conn: conn,                                 // only if the server does not end ctx when the client goes away
//	})
//	// give the handler st.Context() (it carries st: StateFromContext)
//	err := st.Gate(exempt)         // safe methods, DisableCSRFCheck, csrf_exempt, CheckCSRF
//	if err == nil { err = run the handler }
//	if IsFlowError(err) { mw.LogFailure(ctx, path, err); answer StatusFor(err) with Reason(err)
//		through the framework's error handler, or write mw.Answer(err) }
//	// before the first byte of the answer, with its status:
//	res, err := st.Finish(context.WithoutCancel(ctx), status)
//	if err != nil { discard the handler's answer; answer err as above }
//	for _, c := range res.SetCookie { add header "Set-Cookie: " + c }   // Django's exact text
//	if res.VaryCookie { add "Cookie" to Vary unless present }            // AddVaryCookie for an http.Header
//
// Frameworks built on net/http call Serve with an HTTPAdapter instead, which
// does all of the above. Decorators ask State.Decide(ctx, GuardLogin |
// GuardLoginAPI | GuardStaff | GuardPerms(...), path, rawQuery) and write
// the Answer it returns when the view may not run.
//
// Each store call (session load and save, request.user, permissions) is
// bounded by Options.StoreTimeout (default 10 s): past it the request is
// answered 503 with a reason naming the bound (a *TimeoutError,
// ErrStoreTimeout). Begin does no I/O and keeps the Request's strings:
// copy them first if your framework reuses its buffers (fasthttp). Finish
// must be called once. State methods are safe for concurrent use within
// the request.
//
// # CSRF
//
// The check is Django's for Settings.DjangoVersion (see csrf.go): the
// csrftoken cookie (32-character secret, or the 64-character masked form
// Django ≤ 3.2 wrote), the X-CSRFToken header or csrfmiddlewaretoken form
// field, masked or not, compared in constant time; on 4.0+ the Origin
// header, and the Referer of HTTPS requests, against the request's host and
// CSRF_TRUSTED_ORIGINS; CSRF_USE_SESSIONS keeps the secret in the session
// under "_csrftoken"; Login rotates it. As CsrfViewMiddleware reads
// request.POST before the header, a POST's url-encoded or multipart form is
// read first (once the Origin, Referer and cookie checks pass), within
// Django's body limits (see body.go: Middleware.ReadURLEncoded,
// CheckMultipart); net/http handlers still find it parsed in r.PostForm.
// The Host header is trusted as
// request.get_host(): run behind a server or proxy that enforces your
// ALLOWED_HOSTS.
package middleware
