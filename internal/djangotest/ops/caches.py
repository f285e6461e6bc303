"""Caches area (issue 14): django-redis, memcached and the backends' facts.

The cache values themselves go through cache.py's cache_get / cache_set
(tagged values, {"alias": name} picks the CACHES entry).
"""

import importlib

from harness_ops import op


@op("django_redis_info")
def django_redis_info(args):
    """django-redis's version and which of its compressors and serializers import here."""
    import django_redis

    comps = {}
    for name, path in [("zlib", "zlib.ZlibCompressor"), ("gzip", "gzip.GzipCompressor"),
                       ("lzma", "lzma.LzmaCompressor"), ("lz4", "lz4.Lz4Compressor"),
                       ("zstd", "zstd.ZStdCompressor")]:
        mod, cls = path.split(".")
        try:
            getattr(importlib.import_module("django_redis.compressors." + mod), cls)
            comps[name] = True
        except Exception as e:  # noqa: BLE001 - report, do not fail
            comps[name] = "%s: %s" % (type(e).__name__, e)
    return {"version": ".".join(map(str, django_redis.VERSION)), "compressors": comps}


@op("cache_has_key")
def cache_has_key(args):
    """cache.has_key(key) on {"alias"}."""
    from django.core.cache import caches

    return {"has": caches[args.get("alias") or "default"].has_key(args["key"])}


@op("cache_delete")
def cache_delete(args):
    """cache.delete(key) on {"alias"}."""
    from django.core.cache import caches

    caches[args.get("alias") or "default"].delete(args["key"])
    return None


@op("createcachetable")
def createcachetable(args):
    """manage.py createcachetable (for the DatabaseCache entries of CACHES)."""
    import sys

    from django.core.management import call_command

    call_command("createcachetable", verbosity=0, stdout=sys.stderr)
    return None


@op("cache_clear")
def cache_clear(args):
    """cache.clear() on {"alias"}."""
    from django.core.cache import caches

    caches[args.get("alias") or "default"].clear()
    return None
