"""Ops for the faults of issue 12: expiry arithmetic at the edges and
oversized signed_cookies sessions, through Django's own SessionMiddleware
and SessionStore.

  faults_session_response {settings?, cookie?, actions: [...]}
      One request through SessionMiddleware (with override_settings). Actions:
      ["set", k, v] | ["set_expiry", int|null] | ["set_expiry_at", iso]
      (datetime.fromisoformat: naive or aware) | ["set_expiry_delta", seconds]
      (a timedelta). Returns {"set_cookie": [...], "key", "stored_expiry":
      the _session_expiry value, "expiry_age", "expiry_date" (isoformat),
      "browser_close", "row_expire_date" (db engines: the stored
      expire_date, isoformat), "error": the exception a save raised}.
"""

import datetime

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from harness_ops import jsonable, op


@op("faults_session_response")
def session_response(args):
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
            elif a[0] == "set_expiry":
                s.set_expiry(a[1])
            elif a[0] == "set_expiry_at":
                s.set_expiry(datetime.datetime.fromisoformat(a[1]))
            elif a[0] == "set_expiry_delta":
                s.set_expiry(datetime.timedelta(seconds=a[1]))
            else:
                raise ValueError("unknown action %r" % (a[0],))
        out = {
            "stored_expiry": jsonable(s.get("_session_expiry")),
            "expiry_age": s.get_expiry_age(),
            "expiry_date": s.get_expiry_date().isoformat(),
            "browser_close": s.get_expire_at_browser_close(),
            "error": None,
            "row_expire_date": None,
        }
        try:
            resp = mw.process_response(req, HttpResponse())
        except Exception as e:  # noqa: BLE001 - the answer is the exception
            out["error"] = type(e).__name__ + ": " + str(e)
            return out
        out["set_cookie"] = [m.OutputString() for m in resp.cookies.values()]
        out["key"] = s.session_key
        if s.session_key and settings.SESSION_ENGINE.endswith(("db", "cached_db")):
            from django.contrib.sessions.models import Session

            row = Session.objects.filter(pk=s.session_key).first()
            if row is not None:
                out["row_expire_date"] = row.expire_date.isoformat()
        return out


@op("faults_pk_to_python")
def pk_to_python(args):
    """{"field": "AutoField" | "BigAutoField" | "UUIDField" | "CharField",
    "values": [...]} -> for each value, str(Field().to_python(value)) or
    null when it raises (ValidationError)."""
    from django.core.exceptions import ValidationError
    from django.db import models

    field = getattr(models, args["field"])(**({"max_length": 150} if args["field"] == "CharField" else {}))
    out = []
    for v in args["values"]:
        try:
            r = field.to_python(v)
            out.append(None if r is None else str(r))
        except (ValidationError, OverflowError, ValueError, TypeError):
            out.append(None)
    return out
