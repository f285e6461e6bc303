"""Middleware ops: what Django's SessionMiddleware and CsrfViewMiddleware do
to one request, run through Django's own code with RequestFactory.

The Go middleware tests compare their Set-Cookie and Vary headers with these
(attribute by attribute), and check CSRF tokens both ways: tokens minted by
Django's get_token must pass the Go check, and tokens minted by Go must pass
CsrfViewMiddleware.process_view.

Common args:
  settings: {NAME: value} applied with override_settings for the call;
  method, path, host, port, secure, headers {Name: value}, cookies {name: value},
  form {field: value} (POST only): the request RequestFactory builds;
  session: {key: value} the request's session holds (CSRF_USE_SESSIONS).
"""

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse, HttpResponseForbidden
from django.middleware import csrf as dj_csrf
from django.test import RequestFactory, override_settings

from harness_ops import jsonable, op


def _view(request):
    return HttpResponse("ok")


class _ReasonCsrf(dj_csrf.CsrfViewMiddleware):
    """CsrfViewMiddleware that keeps the rejection reason instead of
    rendering the failure view."""

    reason = None

    def _reject(self, request, reason):
        self.reason = reason
        return HttpResponseForbidden(reason)


def _request(args):
    rf = RequestFactory()
    extra = {}
    for k, v in (args.get("headers") or {}).items():
        extra["HTTP_" + k.upper().replace("-", "_")] = v
    if args.get("host"):
        extra["HTTP_HOST"] = args["host"]
    if args.get("port"):
        extra["SERVER_PORT"] = str(args["port"])
    secure = bool(args.get("secure"))
    method = (args.get("method") or "GET").upper()
    path = args.get("path") or "/"
    if method == "POST":
        req = rf.post(path, data=args.get("form") or {}, secure=secure, **extra)
    else:
        req = rf.generic(method, path, secure=secure, **extra)
    req.COOKIES = dict(args.get("cookies") or {})
    if "session" in args:
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store.update(args["session"] or {})
        req.session = store
    return req


def _cookies(resp):
    return [m.OutputString() for m in resp.cookies.values()]


@op("csrf_check")
def csrf_check(args):
    """CsrfViewMiddleware.process_request + process_view on the request:
    {"ok": accepted, "reason": the rejection reason or null}."""
    with override_settings(**(args.get("settings") or {})):
        req = _request(args)
        mw = _ReasonCsrf(lambda r: HttpResponse())
        mw.process_request(req)
        resp = mw.process_view(req, _view, (), {})
        return {"ok": resp is None, "reason": mw.reason}


@op("csrf_token")
def csrf_token(args):
    """A GET through CsrfViewMiddleware whose view calls get_token (unless
    get_token is false), after rotate_token when rotate is true:
    {"token", "set_cookie": [...], "vary", "session": the session's data}."""
    with override_settings(**(args.get("settings") or {})):
        req = _request(args)
        mw = dj_csrf.CsrfViewMiddleware(lambda r: HttpResponse())
        mw.process_request(req)
        mw.process_view(req, _view, (), {})
        if args.get("rotate"):
            dj_csrf.rotate_token(req)
        token = None
        if args.get("get_token", True):
            token = dj_csrf.get_token(req)
        resp = mw.process_response(req, HttpResponse())
        out = {"token": token, "set_cookie": _cookies(resp), "vary": resp.get("Vary")}
        if hasattr(req, "session"):
            out["session"] = jsonable(dict(req.session.items()))
        return out


@op("csrf_unmask")
def csrf_unmask(args):
    """Django's own _unmask_cipher_token of a 64-character token."""
    return dj_csrf._unmask_cipher_token(args["token"])


@op("session_response")
def session_response(args):
    """One request through SessionMiddleware: the cookie (or none) comes in,
    the actions run in order, the response has args["status"] (200):
    {"set_cookie": [...], "vary", "key"}.

    actions: ["set", key, value] | ["delete", key] | ["flush"] | ["access"]
    | ["set_expiry", seconds] | ["cycle_key"] | ["clear"].
    """
    with override_settings(**(args.get("settings") or {})):
        req = RequestFactory().get("/")
        if args.get("cookie") is not None:
            req.COOKIES = {settings.SESSION_COOKIE_NAME: args["cookie"]}
        mw = SessionMiddleware(lambda r: HttpResponse())
        mw.process_request(req)
        s = req.session
        for a in args.get("actions") or []:
            if a[0] == "set":
                s[a[1]] = a[2]
            elif a[0] == "delete":
                s.pop(a[1], None)
            elif a[0] == "flush":
                s.flush()
            elif a[0] == "access":
                s.get("x")
            elif a[0] == "set_expiry":
                s.set_expiry(a[1])
            elif a[0] == "cycle_key":
                s.cycle_key()
            elif a[0] == "clear":
                s.clear()
            else:
                raise ValueError("unknown action %r" % (a[0],))
        resp = HttpResponse(status=args.get("status") or 200)
        resp = mw.process_response(req, resp)
        return {"set_cookie": _cookies(resp), "vary": resp.get("Vary"), "key": s.session_key}


@op("login_redirect")
def login_redirect(args):
    """The Location of @login_required's redirect for an anonymous request
    to args["path"] (path and query), with LOGIN_URL args["login_url"]."""
    from django.contrib.auth.decorators import login_required
    from django.contrib.auth.models import AnonymousUser

    path, _, query = args["path"].partition("?")
    with override_settings(LOGIN_URL=args.get("login_url") or "/accounts/login/"):
        req = RequestFactory().get(path, QUERY_STRING=query)
        req.user = AnonymousUser()
        resp = login_required(_view)(req)
        return resp["Location"]
