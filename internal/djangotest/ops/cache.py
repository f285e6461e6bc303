"""Cache ops: raw access to what Django's cache (RedisCache) keeps, and pickle.

Values that JSON cannot carry (bytes, datetimes, tuples, big floats...) travel
in the tagged form of testdata/gen/gen_cache.py: ["none"], ["bool", b],
["int", "digits"], ["float", repr], ["str", s], ["strhex", hex of WTF-8],
["bytes", base64], ["list", [...]], ["tuple", [...]] (Python tuple, read back as
"list"), ["dict", [[k, v], ...]], ["datetime", isoformat of the naive wall
clock, utcoffset seconds or null] (an aware one uses datetime.timezone).
"""

import base64
import datetime
import math
import pickle

from django.core.cache import caches

from harness_ops import op


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
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
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
    raise TypeError("cannot tag %s" % type(v).__name__)


def untag(t):
    kind = t[0]
    if kind == "none":
        return None
    if kind == "bool":
        return bool(t[1])
    if kind == "int":
        return int(t[1])
    if kind == "float":
        return float(t[1])
    if kind == "str":
        return t[1]
    if kind == "strhex":
        return bytes.fromhex(t[1]).decode("utf-8", "surrogatepass")
    if kind == "bytes":
        return base64.b64decode(t[1])
    if kind == "list":
        return [untag(x) for x in t[1]]
    if kind == "tuple":
        return tuple(untag(x) for x in t[1])
    if kind == "dict":
        return {k: untag(v) for k, v in t[1]}
    if kind == "datetime":
        d = datetime.datetime.fromisoformat(t[1])
        if t[2] is not None:
            d = d.replace(tzinfo=datetime.timezone(datetime.timedelta(seconds=t[2])))
        return d
    raise ValueError("unknown tag %r" % (kind,))


def _cache(args):
    return caches[args.get("alias") or "default"]


def _client(cache, write=True):
    # RedisCache (4.0+) and the 3.2 stand-in both expose the redis-py client this way.
    return cache._cache.get_client(None, write=write)


@op("cache_make_key")
def cache_make_key(args):
    """cache.make_key(key): the Redis key Django uses for a cache key."""
    return {"redis_key": _cache(args).make_key(args["key"])}


@op("cache_raw_get")
def cache_raw_get(args):
    """GET and TTL of the Redis key Django uses for args["key"] (a cache key
    such as "django.contrib.sessions.cache" + session key).

    Returns {"redis_key", "hex" (None when missing), "ttl" (Redis TTL: -2
    missing, -1 no expiry)}.
    """
    c = _cache(args)
    rk = c.make_key(args["key"])
    cl = _client(c)
    v = cl.get(rk)
    return {"redis_key": rk, "hex": None if v is None else bytes(v).hex(), "ttl": cl.ttl(rk)}


@op("cache_raw_set")
def cache_raw_set(args):
    """SET the Redis key of args["key"] to bytes.fromhex(args["hex"]) with EX args["ttl"]."""
    c = _cache(args)
    _client(c).set(c.make_key(args["key"]), bytes.fromhex(args["hex"]), ex=args.get("ttl") or None)
    return None


@op("cache_get")
def cache_get(args):
    """cache.get(key) through Django's backend, tagged; {"missing": true} when None."""
    v = _cache(args).get(args["key"])
    if v is None:
        return {"missing": True}
    return {"value": tag(v)}


@op("cache_set")
def cache_set(args):
    """cache.set(key, untag(value), timeout) through Django's backend."""
    _cache(args).set(args["key"], untag(args["value"]), args.get("timeout"))
    return None


@op("pickle_dumps")
def pickle_dumps(args):
    """pickle.dumps(untag(value), protocol) (default HIGHEST_PROTOCOL) as hex."""
    proto = args.get("protocol")
    return {"hex": pickle.dumps(untag(args["value"]), pickle.HIGHEST_PROTOCOL if proto is None else proto).hex()}


@op("pickle_loads")
def pickle_loads(args):
    """pickle.loads(bytes.fromhex(hex)), tagged."""
    return {"value": tag(pickle.loads(bytes.fromhex(args["hex"])))}


@op("session_raw_file")
def session_raw_file(args):
    """The file engine's file for a session key: its path and content (None when missing)."""
    from importlib import import_module

    from django.conf import settings
    s = import_module(settings.SESSION_ENGINE).SessionStore()
    path = s._key_to_file(args["key"])
    try:
        with open(path, encoding="ascii") as f:
            content = f.read()
    except FileNotFoundError:
        content = None
    return {"path": path, "content": content}
