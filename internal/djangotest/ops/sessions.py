"""Session ops: Django's own session encoding, signing and SessionStore.

Every op goes through Django's public code paths (SessionStore of the
configured SESSION_ENGINE, django.core.signing), so a Go test that compares
against these compares against Django itself.
"""

import datetime
from importlib import import_module

from django.conf import settings
from django.core import signing

from harness_ops import jsonable, op, release_at_least


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _expiry_args(s, args):
    if "expiry" in args:
        s.set_expiry(args["expiry"])
    if args.get("expiry_at"):
        s.set_expiry(datetime.datetime.fromisoformat(args["expiry_at"]))


def _describe(s):
    out = {
        "key": s.session_key,
        "data": jsonable(dict(s.items())),
        "expiry_age": s.get_expiry_age(),
        "expire_at_browser_close": s.get_expire_at_browser_close(),
    }
    d = s.get_expiry_date()
    out["expiry_date"] = d.isoformat()
    return out


@op("session_encode")
def session_encode(args):
    """SessionStore().encode(data): the session_data Django would write."""
    return {"value": _store_class()().encode(args["data"])}


@op("session_legacy_encode")
def session_legacy_encode(args):
    """Django 3.x's pre-3.1 format, SessionStore()._legacy_encode(data)."""
    return {"value": _store_class()()._legacy_encode(args["data"])}


@op("session_decode")
def session_decode(args):
    """SessionStore().decode(value): {} for anything Django refuses."""
    return {"data": jsonable(_store_class()().decode(args["value"]))}


@op("session_save")
def session_save(args):
    """Saves a session through the configured engine.

    args: {"key": existing key or None, "data": dict, "expiry": int,
    "expiry_at": ISO text, "flush_first": bool}. Returns _describe().
    """
    s = _store_class()(args.get("key"))
    if args.get("key"):
        s.load()
    for k, v in args.get("data", {}).items():
        s[k] = v
    for k in args.get("delete", []):
        s.pop(k, None)
    _expiry_args(s, args)
    s.save()
    return _describe(s)


@op("session_load")
def session_load(args):
    """Loads a session key through the configured engine.

    Returns _describe() plus "exists": whether the key survived the load
    (Django drops the key of a missing or expired session).
    """
    s = _store_class()(args["key"])
    s._get_session()  # load now
    out = _describe(s)
    out["exists"] = s.session_key is not None and s.session_key == args["key"]
    return out


@op("session_exists")
def session_exists(args):
    return {"exists": _store_class()().exists(args["key"])}


@op("session_delete")
def session_delete(args):
    _store_class()().delete(args["key"])
    return None


@op("session_cycle_key")
def session_cycle_key(args):
    s = _store_class()(args["key"])
    s.cycle_key()
    return _describe(s)


@op("clear_sessions")
def clear_sessions(args):
    """SessionStore.clear_expired(), what manage.py clearsessions runs."""
    _store_class().clear_expired()
    return None


@op("signing_dumps")
def signing_dumps(args):
    kw = {"salt": args.get("salt", "django.core.signing"), "compress": bool(args.get("compress"))}
    if args.get("key"):
        kw["key"] = args["key"]
    return {"value": signing.dumps(args["obj"], **kw)}


@op("signing_loads")
def signing_loads(args):
    kw = {"salt": args.get("salt", "django.core.signing")}
    if args.get("max_age") is not None:
        kw["max_age"] = args["max_age"]
    if args.get("key"):
        kw["key"] = args["key"]
    return {"obj": jsonable(signing.loads(args["value"], **kw))}


@op("signer_sign")
def signer_sign(args):
    cls = signing.TimestampSigner if args.get("timestamp") else signing.Signer
    return {"value": cls(salt=args.get("salt")).sign(args["value"])}


@op("signer_unsign")
def signer_unsign(args):
    if args.get("timestamp"):
        return {"value": signing.TimestampSigner(salt=args.get("salt")).unsign(
            args["value"], max_age=args.get("max_age"))}
    return {"value": signing.Signer(salt=args.get("salt")).unsign(args["value"])}


@op("session_expiry_math")
def session_expiry_math(args):
    """get_expiry_age / get_expiry_date of a session whose _session_expiry
    is args["expiry"] ({"number": 3600.5} | {"iso": text, as 4.1+ stores
    it} | {"datetime": iso, a datetime object, as 3.2's pickle holds it}),
    at modification=args["now"] (ISO; naive under USE_TZ=False), under
    override_settings(**args["settings"]). Returns {"age": as returned
    (int or float), "max_age": int(age), "date": get_expiry_date().isoformat()}.
    """
    from django.test import override_settings

    e = args["expiry"]
    if "number" in e:
        value = e["number"]
    elif "iso" in e:
        value = e["iso"]
    else:
        value = datetime.datetime.fromisoformat(e["datetime"])
    with override_settings(**(args.get("settings") or {})):
        s = _store_class()()
        s._session_cache = {"_session_expiry": value}
        now = datetime.datetime.fromisoformat(args["now"])
        age = s.get_expiry_age(modification=now)
        return {"age": age, "max_age": int(age), "date": s.get_expiry_date(modification=now).isoformat()}
