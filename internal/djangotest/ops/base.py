"""Basic harness ops: ping, migrate, sql, settings, ops."""

import sys

import django
from django.conf import settings as dj_settings
from django.core.management import call_command
from django.db import connections

import harness_ops
from harness_ops import jsonable, op


@op("ping")
def ping(args):
    """The running Django's version, e.g. "5.2.18"."""
    return django.get_version()


@op("ops")
def list_ops(args):
    """The registered op names and the ops files that failed to import."""
    return {"ops": sorted(harness_ops.OPS), "load_errors": harness_ops.LOAD_ERRORS}


@op("migrate")
def migrate(args):
    """Runs `manage.py migrate` (quietly) on the configured database.

    args: {"database": alias (default "default"), "app": label, "target": migration name}.
    """
    pos = []
    if args.get("app"):
        pos.append(args["app"])
        if args.get("target"):
            pos.append(args["target"])
    call_command("migrate", *pos, verbosity=0, interactive=False,
                 database=args.get("database") or "default", stdout=sys.stderr)
    return None


@op("sql")
def sql(args):
    """Runs one SQL statement through Django's connection: {"sql", "params"}.

    Placeholders are %s on every backend (Django's convention). Without
    "params" the SQL is sent as is (a literal % needs no escaping); with
    params, a literal % must be written %%. Returns the rows as lists of
    jsonable() values ([] for statements that return none).
    """
    conn = connections[args.get("database") or "default"]
    params = args.get("params")
    with conn.cursor() as cur:
        if params is None:
            cur.execute(args["sql"])
        else:
            cur.execute(args["sql"], params)
        if cur.description is None:
            return []
        return [jsonable(list(row)) for row in cur.fetchall()]


_DEFAULT_SETTINGS = [
    "SECRET_KEY", "SECRET_KEY_FALLBACKS", "DEFAULT_HASHING_ALGORITHM",
    "USE_TZ", "TIME_ZONE", "PASSWORD_HASHERS",
    "SESSION_ENGINE", "SESSION_SERIALIZER", "SESSION_COOKIE_NAME", "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST", "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_FILE_PATH",
    "SESSION_CACHE_ALIAS", "CACHES", "DATABASES",
]


@op("settings")
def settings(args):
    """Effective settings: {"names": [...]} or a default set; absent names are left out."""
    out = {}
    for name in args.get("names") or _DEFAULT_SETTINGS:
        if hasattr(dj_settings, name):
            v = getattr(dj_settings, name)
            if name == "DATABASES":
                v = {alias: {k: d.get(k) for k in ("ENGINE", "NAME", "HOST", "PORT", "USER")}
                     for alias, d in v.items()}
            out[name] = jsonable(v)
    return out


@op("sleep")
def sleep(args):
    """Sleeps {"seconds"}: for testing the harness's call timeout."""
    import time

    time.sleep(float(args.get("seconds", 0)))
    return None


@op("exit")
def exit_process(args):
    """Ends the process at once with {"code"}: for testing crash handling."""
    import os

    os._exit(int(args.get("code", 3)))


@op("redis_compat_check")
def redis_compat_check(args):
    """Stores the same values through Django's RedisCache (4.0+) and through
    redis_cache_compat.RedisCache (the harness's stand-in for 3.2), under two
    prefixes {"prefix_real", "prefix_compat"} at {"location"}, and returns per
    value the raw Redis bytes (hex), TTL and read-back of each, so a Go test
    can check that the stand-in stores exactly what real Django stores."""
    import pickle

    from django.core.cache.backends.redis import RedisCache as Real

    import redis_cache_compat

    values = [7, -3, 2 ** 70, True, "x", b"b", {"a": [1, 2.5, None]}, 1.5]
    out = []
    caches = {
        "real": Real(args["location"], {"KEY_PREFIX": args["prefix_real"]}),
        "compat": redis_cache_compat.RedisCache(args["location"], {"KEY_PREFIX": args["prefix_compat"]}),
    }
    for i, v in enumerate(values):
        row = {}
        for name, c in caches.items():
            key = "k%d" % i
            c.set(key, v, 100 if i % 2 else None)
            added = c.add(key, "other")
            rk = c.make_key(key)
            cl = c._cache.get_client(None, write=True)
            row[name] = {
                "redis_key_suffix": rk.split(":", 1)[1],
                "hex": cl.get(rk).hex(),
                "ttl_set": cl.ttl(rk) > 0,
                "readback_equal": c.get(key) == v and type(c.get(key)) is type(v),
                "add_existing": added,
            }
        row["pickle_protocol"] = pickle.HIGHEST_PROTOCOL
        out.append(row)
    return out
