"""Settings of the demo Django project, read from the environment.

The names are Django's, and the Go demo (examples/sidebyside) reads the same
variables, so both sides agree when started from the same shell:

  SECRET_KEY            unset: the demo key (insecure, the Go demo's default too)
  SECRET_KEY_FALLBACKS  comma-separated (Django 4.1+)
  DATABASE_URL          sqlite:////abs/path.db, postgres://user:pw@host:port/db,
                        mysql://user:pw@host:port/db; unset: the demo SQLite
                        file $TMPDIR/djangobridge-demo/db.sqlite3 (the Go demo's
                        default, which it creates with Django's schema)
  CONN_MAX_AGE          seconds a database connection is kept (default 0);
                        set it under gunicorn so connections persist
  SESSION_ENGINE        db (default), cache, cached_db, file, signed_cookies,
                        or Django's dotted path
  CACHE_URL             redis://host:port/db[,redis://...] for cache/cached_db
                        (Django's RedisCache, 4.0+)
  CACHE_KEY_PREFIX      the cache's KEY_PREFIX (default "")
  DJANGO_CACHES         CACHES itself, as JSON (any backend Django has; the Go
                        demo accepts Redis, memcached and the DatabaseCache);
                        replaces CACHE_URL
  SESSION_CACHE_ALIAS   the CACHES entry of cache/cached_db (default "default")
  SESSION_FILE_PATH     for the file engine
  SESSION_COOKIE_NAME   default sessionid
  USE_TZ                true/false (default true)
  TIME_ZONE             default UTC
  DEBUG                 true/false (default false)
  ALLOWED_HOSTS         comma-separated, added to 127.0.0.1, localhost, [::1]
  DJANGO_MESSAGE_STORAGE  MESSAGE_STORAGE: Django's dotted path, or fallback
                        (the default, as Django's), cookie, session
"""

import json
import os
import tempfile
import urllib.parse

import django
from django.core.exceptions import ImproperlyConfigured

# DEMO_SECRET_KEY is shared with the Go demo (examples/sidebyside): never use it
# for anything but a demo on your own machine.
DEMO_SECRET_KEY = "djangobridge-demo-insecure-secret-key-do-not-use-in-production"


def env_bool(name, default):
    v = os.environ.get(name, "").strip().lower()
    if not v:
        return default
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured("%s=%r: want true or false" % (name, v))


def env_list(name):
    return [x.strip() for x in os.environ.get(name, "").split(",") if x.strip()]


def default_database_url():
    # The canonical form, sqlite:////abs/path (dj-database-url's absolute
    # path), percent-escaped as the Go demo prints it (dburl.SQLiteURL).
    path = os.path.join(tempfile.gettempdir(), "djangobridge-demo", "db.sqlite3")
    return "sqlite:///" + urllib.parse.quote(path)


def database_settings(url):
    """A DATABASES entry for a Django-style database URL.

    sqlite:////abs/path.db (or sqlite:///abs/path.db) is the file /abs/path.db,
    percent-escapes decoded;
    postgres://, postgresql:// and mysql:// take user:password@host:port/name,
    and their query parameters become OPTIONS (MySQL's charset defaults to
    utf8mb4).
    """
    u = urllib.parse.urlsplit(url)
    options = dict(urllib.parse.parse_qsl(u.query))
    if u.scheme == "sqlite":
        path = url[len("sqlite://"):].split("?", 1)[0]
        path = "/" + urllib.parse.unquote(path).lstrip("/")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path, "OPTIONS": options}
    engines = {
        "postgres": "django.db.backends.postgresql",
        "postgresql": "django.db.backends.postgresql",
        "pgsql": "django.db.backends.postgresql",
        "mysql": "django.db.backends.mysql",
    }
    if u.scheme not in engines:
        raise ImproperlyConfigured("DATABASE_URL: unsupported scheme %r" % u.scheme)
    if u.scheme == "mysql":
        options.setdefault("charset", "utf8mb4")
    return {
        "ENGINE": engines[u.scheme],
        "NAME": urllib.parse.unquote(u.path.lstrip("/")),
        "USER": urllib.parse.unquote(u.username or ""),
        "PASSWORD": urllib.parse.unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": int(os.environ.get("CONN_MAX_AGE") or 0),
    }


SECRET_KEY = os.environ.get("SECRET_KEY") or DEMO_SECRET_KEY
if django.VERSION[:2] >= (4, 1):
    SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"] + env_list("ALLOWED_HOSTS")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "demo",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "demo.urls"
WSGI_APPLICATION = "demo.wsgi.application"
# Templates for django-registration's activation pages and Django's password
# reset confirmation (demo/templates), the pages the Go apps' emails link to,
# and the flash messages list of /messages/ (demo/message_list.html).
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                                 "django.contrib.messages.context_processors.messages"]}}]
ACCOUNT_ACTIVATION_DAYS = int(os.environ.get("ACCOUNT_ACTIVATION_DAYS") or 7)
# PasswordResetView's email (registration/password_reset_email.html, with the
# /reset/<uidb64>/<token>/ link) is written to standard output, as the Go
# demo's console sender writes its emails.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

DATABASE_URL = os.environ.get("DATABASE_URL") or default_database_url()
DATABASES = {"default": database_settings(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

USE_TZ = env_bool("USE_TZ", True)
TIME_ZONE = os.environ.get("TIME_ZONE") or "UTC"
USE_I18N = False

SESSION_COOKIE_NAME = os.environ.get("SESSION_COOKIE_NAME") or "sessionid"
_engine = os.environ.get("SESSION_ENGINE") or "db"
SESSION_ENGINE = _engine if "." in _engine else "django.contrib.sessions.backends." + _engine
if os.environ.get("SESSION_FILE_PATH"):
    SESSION_FILE_PATH = os.environ["SESSION_FILE_PATH"]

if os.environ.get("DJANGO_CACHES"):
    CACHES = json.loads(os.environ["DJANGO_CACHES"])
    SESSION_CACHE_ALIAS = os.environ.get("SESSION_CACHE_ALIAS") or "default"
_cache_servers = [] if os.environ.get("DJANGO_CACHES") else env_list("CACHE_URL")
if _cache_servers:
    if django.VERSION[:2] < (4, 0):
        raise ImproperlyConfigured("CACHE_URL: Django's RedisCache needs Django 4.0 or newer")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_servers if len(_cache_servers) > 1 else _cache_servers[0],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        }
    }

# Flash messages (django.contrib.messages): the Go apps read the same variable.
_MESSAGE_STORAGES = {
    "fallback": "django.contrib.messages.storage.fallback.FallbackStorage",
    "cookie": "django.contrib.messages.storage.cookie.CookieStorage",
    "session": "django.contrib.messages.storage.session.SessionStorage",
}
_message_storage = os.environ.get("DJANGO_MESSAGE_STORAGE") or "fallback"
if _message_storage in _MESSAGE_STORAGES:
    _message_storage = _MESSAGE_STORAGES[_message_storage]
if _message_storage not in _MESSAGE_STORAGES.values():
    raise ImproperlyConfigured("DJANGO_MESSAGE_STORAGE=%r: want one of %s (or fallback, cookie, session)"
                               % (_message_storage, ", ".join(_MESSAGE_STORAGES.values())))
MESSAGE_STORAGE = _message_storage

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
