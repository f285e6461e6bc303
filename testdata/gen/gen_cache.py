"""Pickle vectors: what real Python/Django pickle for sessions, for Go tests.

Writes <outdir>/cache.json:

  "pickles": values pickled with pickle.dumps(v, pickle.HIGHEST_PROTOCOL)
      (what RedisSerializer and PickleSerializer write), each with the value
      in a tagged form the Go test compares against ("value"), and "exact":
      true when Go's Pickle must give the very same bytes (values without
      shared sub-objects, whose memo use does not depend on CPython object
      identity);
  "old_protocols": the same kind of values at protocols 2, 3 and 4;
  "refused": pickles that the safe reader must refuse (other globals,
      sets, classes...), with a word the error must contain;
  "legacy_sessions" (3.2 and 4.2 only): session data encoded by
      SessionStore.encode with SESSION_SERIALIZER = PickleSerializer at
      time.time() = 1700000000, with SECRET_KEY "test-secret-key".

Tagged values: ["none"], ["bool", b], ["int", "digits"], ["float", repr],
["str", s], ["strhex", hex of the WTF-8 bytes] (lone surrogates), ["bytes", base64], ["list", [...]], ["dict", [[k, v], ...]],
["datetime", isoformat, utcoffset seconds or null].
"""

import base64
import datetime
import math
import pickle
from unittest import mock

import django

import gen

NOW = 1700000000
UTC = datetime.timezone.utc


def tag(v):
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        if math.isnan(v):
            return ["float", "NaN"]
        if math.isinf(v):
            return ["float", "Infinity" if v > 0 else "-Infinity"]
        return ["float", repr(v)]
    if isinstance(v, str):
        if _has_surrogate(v):
            return ["strhex", v.encode("utf-8", "surrogatepass").hex()]
        return ["str", v]
    if isinstance(v, bytes):
        return ["bytes", base64.b64encode(v).decode("ascii")]
    if isinstance(v, (list, tuple)):
        return ["list", [tag(x) for x in v]]
    if isinstance(v, dict):
        return ["dict", [[k, tag(x)] for k, x in v.items()]]
    if isinstance(v, datetime.datetime):
        off = v.utcoffset()
        return ["datetime", v.replace(tzinfo=None).isoformat(), None if off is None else int(off.total_seconds())]
    raise TypeError(type(v))


def _has_surrogate(s):
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def session_values(release):
    """Session dicts as Django sites keep them in a cache."""
    vals = [
        ("empty", {}, True),
        ("auth", {"_auth_user_id": "1",
                  "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                  "_auth_user_hash": "7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2"}, True),
        ("unicode", {"\u00e4": "\u00e4\u00f6\u00fc \u00df", "emoji": "\U0001F600\U0001F389",
                     "cjk": "\u6f22\u5b57", "ctl": "a\nb\t\u0000\u007f\u2028", "lone": "a\ud800b"}, True),
        ("ints", {"b1": 0, "b255": 255, "b256": 256, "b65535": 65535, "b65536": 65536, "neg1": -1,
                  "i31": 2 ** 31 - 1, "i31n": -2 ** 31, "l31": 2 ** 31, "l31n": -2 ** 31 - 1,
                  "i63": 2 ** 63 - 1, "i63n": -2 ** 63, "u64": 2 ** 64, "big": 2 ** 70 + 12345,
                  "bign": -(2 ** 200), "edge": -(2 ** 63) - 1, "m128": -128, "m129": -129,
                  "huge": 7 ** 1000}, True),
        ("floats", {"f1": 1.0, "f2": 0.1, "f3": 1e16, "f4": 1.5e-7, "f5": -0.0, "f6": 123456789012345678.0,
                    "f7": 1e300, "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")}, True),
        ("nested", {"cart": {"items": [{"sku": "a1", "qty": 2}, {"sku": "b1", "qty": 1}], "total": 12.5},
                    "flags": [True, False, None], "empty": {}, "el": [], "deep": [[[[{"x": [1, [2, [3]]]}]]]],
                    "tuple": (1, 2, 3), "tuple4": (1, 2, 3, 4), "t0": (), "t1": ("one",), "t2": ("u", "v")},
         False),  # tuples come back as lists, and CPython shares the repeated keys
        ("nested_lists", {"cart": {"items": [{"sku": "a1", "qty": 2}], "total": 12.5}, "flags": [True, False, None],
                          "empty": {}, "el": [], "deep": [[[[{"x": [1, [2, [3]]]}]]]]}, True),
        ("bytes", {"b": b"\x00\xffabc", "e": b"", "big": bytes(range(256)) * 2}, True),
        ("naive_dt", {"_session_expiry": datetime.datetime(2030, 1, 2, 3, 4, 5, 678901), "x": 1}, True),
        ("utc_dt", {"_session_expiry": datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)}, True),
        ("offset_dt", {"at": datetime.datetime(2030, 6, 1, 12, 0, tzinfo=datetime.timezone(
            datetime.timedelta(hours=-5, minutes=-30)))}, True),
        ("two_dts", {"a": datetime.datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC),
                     "b": datetime.datetime(2002, 2, 3, 4, 5, 6, tzinfo=UTC)}, False),
        ("shared", {"s": ["same"] * 3, "x": "x", "y": "x"}, False),
    ]
    from django.utils import timezone
    # The aware datetime Django itself makes: pytz.utc on 3.2, datetime.timezone.utc later.
    aware = datetime.datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=getattr(timezone, "utc", UTC))
    vals.append(("django_utc", {"_session_expiry": aware, "_auth_user_id": "7"}, release != "3.2"))
    return vals


class Refused:
    def __reduce__(self):
        import os
        return (os.system, ("echo pwned",))


def refused():
    import zoneinfo
    cases = [
        ("os_system", pickle.dumps(Refused(), 5), "not allowed"),
        ("os_system_p2", pickle.dumps(Refused(), 2), "not allowed"),
        ("set", pickle.dumps({"s": {1, 2}}, 5), "EMPTY_SET"),
        ("frozenset", pickle.dumps({"s": frozenset([1])}, 5), "FROZENSET"),
        ("int_key", pickle.dumps({1: 2}, 5), "key"),
        ("zoneinfo", pickle.dumps({"d": datetime.datetime(2030, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))}, 5),
         "not allowed"),
        ("date", pickle.dumps({"d": datetime.date(2030, 1, 1)}, 5), "not allowed"),
        ("bytearray", pickle.dumps({"b": bytearray(b"x")}, 5), "BYTEARRAY8"),
        ("exception", pickle.dumps(ValueError("x"), 5), "not allowed"),
        ("protocol0", pickle.dumps({"a": 1}, 0), "not supported"),
        ("recursive", pickle.dumps(_recursive(), 5), "recursive"),
    ]
    return [{"name": n, "hex": b.hex(), "error": e} for n, b, e in cases]


def _recursive():
    a = []
    a.append(a)
    return {"a": a}


def generate(release, outdir):
    out = {"python": "%d.%d" % __import__("sys").version_info[:2], "highest_protocol": pickle.HIGHEST_PROTOCOL,
           "pickles": [], "old_protocols": [], "refused": refused(), "legacy_sessions": []}
    for name, v, exact in session_values(release):
        out["pickles"].append({"name": name, "hex": pickle.dumps(v, pickle.HIGHEST_PROTOCOL).hex(),
                               "value": tag(v), "exact": exact})
        for proto in (2, 3, 4):
            if proto == 2 and any(isinstance(x, bytes) or isinstance(x, datetime.datetime) for x in _walk(v)):
                continue  # protocol 2 writes bytes through _codecs.encode, which is not read
            out["old_protocols"].append({"name": "%s_p%d" % (name, proto), "hex": pickle.dumps(v, proto).hex(),
                                         "value": tag(v)})
    if django.VERSION < (5, 0):
        from django.contrib.sessions.backends.db import SessionStore
        from django.test.utils import override_settings
        with override_settings(SESSION_SERIALIZER="django.contrib.sessions.serializers.PickleSerializer"), \
                mock.patch("time.time", return_value=NOW):
            for name, v, _ in session_values(release):
                out["legacy_sessions"].append({"name": name, "encoded": SessionStore().encode(v), "value": tag(v)})
    gen.write_json(outdir, "cache.json", out)


def _walk(v):
    yield v
    if isinstance(v, dict):
        for x in v.values():
            yield from _walk(x)
    elif isinstance(v, (list, tuple)):
        for x in v:
            yield from _walk(x)
