"""The Python half of internal/djangotest: one real Django, driven by Go tests.

Run as `/usr/bin/python3 djangohelper.py` with one Django release on
PYTHONPATH. Protocol, one JSON document per line:

  1. configuration: the JSON config from $DJANGOTEST_CONFIG if set, else the
     first line of stdin (keys as in djangotest.Config's JSON tags);
  2. the helper answers {"id": 0, "result": {"version": "5.2.18", ...}} once
     Django is set up, or {"id": 0, "error": {...}} if setup failed;
  3. then each request {"id": n, "op": "name", "args": {...}} gets exactly one
     answer, {"id": n, "result": ...} or
     {"id": n, "error": {"type": "BadSignature", "message": "...", ...}};
  4. at end of input (the Go test binary exited or closed the pipe) it exits.

stdout carries protocol lines only: file descriptor 1 is pointed at stderr
before Django is imported, so stray prints, warnings and logging go to stderr.
"""

import json
import os
import sys
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

# The protocol channel is a private copy of the original stdout; fd 1 (and
# sys.stdout) become stderr so that nothing else can write a protocol line.
_proto = os.fdopen(os.dup(1), "w", encoding="utf-8", newline="\n")
os.dup2(2, 1)
sys.stdout = sys.stderr


def send(msg):
    _proto.write(json.dumps(msg, ensure_ascii=True, allow_nan=False))
    _proto.write("\n")
    _proto.flush()


def error_dict(exc):
    return {
        "type": type(exc).__name__,
        "module": type(exc).__module__,
        "message": str(exc),
        "traceback": traceback.format_exc(),
    }


def database_settings(url):
    """Turns a Django-style database URL into a DATABASES entry.

    sqlite:///abs/path.db and sqlite:////abs/path.db are the file /abs/path.db;
    "" and sqlite://:memory: are an in-memory database. postgres://, postgresql://
    and mysql:// take user:password@host:port/name; query parameters become
    OPTIONS (for MySQL, charset defaults to utf8mb4).
    """
    if not url or url in ("sqlite://:memory:", "sqlite:///:memory:"):
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
    u = urllib.parse.urlsplit(url)
    options = dict(urllib.parse.parse_qsl(u.query))
    if u.scheme == "sqlite":
        path = url[len("sqlite://"):].split("?", 1)[0]
        path = "/" + path.lstrip("/")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": options}
    engines = {
        "postgres": "django.db.backends.postgresql",
        "postgresql": "django.db.backends.postgresql",
        "pgsql": "django.db.backends.postgresql",
        "mysql": "django.db.backends.mysql",
    }
    if u.scheme not in engines:
        raise ValueError("djangotest: unsupported database URL scheme %r" % u.scheme)
    if engines[u.scheme].endswith("mysql"):
        options.setdefault("charset", "utf8mb4")
    return {
        "ENGINE": engines[u.scheme],
        "NAME": urllib.parse.unquote(u.path.lstrip("/")),
        "USER": urllib.parse.unquote(u.username or ""),
        "PASSWORD": urllib.parse.unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "OPTIONS": options,
    }


def build_settings(cfg, version):
    """The settings.configure() keywords for the config, on Django version (a tuple)."""
    s = {
        "DEBUG": False,
        "SECRET_KEY": cfg.get("secret_key") or "test-secret-key",
        "INSTALLED_APPS": [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
        ],
        "MIDDLEWARE": [
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        "ROOT_URLCONF": "harness_urls",
        "ALLOWED_HOSTS": ["*"],
        "DATABASES": dict(
            {"default": database_settings(cfg.get("database_url") or "")},
            **{alias: database_settings(url) for alias, url in (cfg.get("databases") or {}).items()},
        ),
        "DEFAULT_AUTO_FIELD": "django.db.models.AutoField",
        "USE_TZ": bool(cfg.get("use_tz")),
        "TIME_ZONE": cfg.get("time_zone") or "UTC",
    }
    if version[:2] >= (4, 1):
        s["SECRET_KEY_FALLBACKS"] = list(cfg.get("secret_key_fallbacks") or [])
    if version[:2] < (4, 0) and cfg.get("default_hashing_algorithm"):
        s["DEFAULT_HASHING_ALGORITHM"] = cfg["default_hashing_algorithm"]

    engine = cfg.get("session_engine") or ""
    if engine:
        if "." not in engine:
            engine = "django.contrib.sessions.backends." + engine
        s["SESSION_ENGINE"] = engine
    serializer = cfg.get("session_serializer") or ""
    if serializer:
        serializer = {
            "json": "django.contrib.sessions.serializers.JSONSerializer",
            "pickle": "django.contrib.sessions.serializers.PickleSerializer",
        }.get(serializer, serializer)
        s["SESSION_SERIALIZER"] = serializer
    if cfg.get("session_file_path"):
        s["SESSION_FILE_PATH"] = cfg["session_file_path"]

    cache_url = cfg.get("cache_url") or ""
    if cache_url:
        servers = [x.strip() for x in cache_url.split(",") if x.strip()]
        if version[:2] >= (4, 0):
            backend = "django.core.cache.backends.redis.RedisCache"
        else:
            # Django 3.2 has no Redis backend; redis_cache_compat.RedisCache
            # stores exactly as 4.x's RedisCache does (see that module), so
            # 3.2's cache and cached_db sessions can be tested against Redis.
            backend = "redis_cache_compat.RedisCache"
        s["CACHES"] = {
            "default": {
                "BACKEND": backend,
                "LOCATION": servers if len(servers) > 1 else servers[0],
                "KEY_PREFIX": cfg.get("cache_key_prefix") or "",
            }
        }
    elif cfg.get("cache_key_prefix"):
        s["CACHES"] = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "KEY_PREFIX": cfg["cache_key_prefix"],
            }
        }

    if cfg.get("password_hashers"):
        s["PASSWORD_HASHERS"] = list(cfg["password_hashers"])
    for k, v in (cfg.get("extra") or {}).items():
        s[k] = v
    return s


def setup(cfg):
    import django
    from django.conf import settings

    settings.configure(**build_settings(cfg, django.VERSION))
    # A settings module makes Django set the process's local time zone to
    # TIME_ZONE (django.conf.Settings.__init__: os.environ["TZ"], tzset());
    # settings.configure() does not. Do the same, so that with USE_TZ=False
    # timezone.now() is local time in TIME_ZONE, as in a real deployment.
    import time

    if hasattr(time, "tzset") and settings.TIME_ZONE:
        os.environ["TZ"] = settings.TIME_ZONE
        time.tzset()
    django.setup()

    import harness_ops

    harness_ops.CONFIG = cfg
    harness_ops.RELEASE = "%d.%d" % django.VERSION[:2]
    if settings.DATABASES["default"]["NAME"] == ":memory:":
        # A private in-memory database starts empty: give it Django's tables.
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)
    harness_ops.load_ops()
    return {
        "version": django.get_version(),
        "release": harness_ops.RELEASE,
        "ops": sorted(harness_ops.OPS),
        "load_errors": harness_ops.LOAD_ERRORS,
    }


def serve():
    import harness_ops

    while True:
        line = sys.stdin.buffer.readline()
        if not line:
            return
        line = line.strip()
        if not line:
            continue
        rid = None
        try:
            req = json.loads(line)
            rid = req.get("id")
            name = req.get("op")
            fn = harness_ops.OPS.get(name)
            if fn is None:
                msg = "unknown op %r" % (name,)
                if harness_ops.LOAD_ERRORS:
                    msg += "; ops files that failed to load: " + "; ".join(
                        "%s: %s" % (f, e.strip().splitlines()[-1])
                        for f, e in sorted(harness_ops.LOAD_ERRORS.items()))
                raise LookupError(msg)
            result = fn(req.get("args") or {})
            out = json.dumps({"id": rid, "result": result}, ensure_ascii=True, allow_nan=False)
        except BaseException as exc:  # noqa: B902 - every failure is reported, not fatal
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            send({"id": rid, "error": error_dict(exc)})
            continue
        _proto.write(out)
        _proto.write("\n")
        _proto.flush()


def main():
    sys.path.insert(0, HERE)
    # Test-only stand-ins for modules Debian does not package (shims/*.py);
    # last on the path, so that the real module wins when installed.
    sys.path.append(os.path.join(HERE, "shims"))
    raw = os.environ.get("DJANGOTEST_CONFIG")
    if raw is None:
        raw = sys.stdin.buffer.readline().decode("utf-8")
    try:
        info = setup(json.loads(raw or "{}"))
    except Exception as exc:
        send({"id": 0, "error": error_dict(exc)})
        return 1
    send({"id": 0, "result": info})
    serve()
    return 0


if __name__ == "__main__":
    sys.exit(main())
