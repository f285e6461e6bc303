"""Runs every testdata/gen/gen_*.py under one real Django release.

Usage (normally through testdata/gen/run):
    ../shared/django/python 5.2 testdata/gen/gen.py 5.2 testdata/django/5.2 [gen_x ...]

Django is configured once, here, with the settings every generator starts
from (SECRET_KEY "test-secret-key", Django's defaults otherwise, an in-memory
SQLite "default" database already migrated); a generator that needs other
settings uses django.test.utils.override_settings. Besides "default" there are
three schema databases, each freshly created and dropped at exit:
"schema_sqlite" (a temporary file), "schema_postgres" and "schema_mysql" (new
databases on the servers named by DJANGOBRIDGE_TEST_POSTGRES and
DJANGOBRIDGE_TEST_MYSQL, which must be set).

Each gen_<area>.py defines generate(release, outdir) and writes its files
with write_json / write_text from this module (`import gen`), which produce
byte-identical output for identical input: rerunning the generator on an
unchanged Django gives no diff, so a diff means Django's behaviour changed.
Generators must be deterministic too: fixed salts, fixed times, no random.
"""

import importlib
import json
import os
import secrets
import sys
import tempfile
import urllib.parse

SECRET_KEY = "test-secret-key"
HERE = os.path.dirname(os.path.abspath(__file__))


def write_json(outdir, name, obj):
    """Writes obj as pretty JSON (2-space indent, keys in insertion order,
    UTF-8, trailing newline) to outdir/name."""
    write_text(outdir, name, json.dumps(obj, indent=2, ensure_ascii=False, allow_nan=False) + "\n")


def write_text(outdir, name, text):
    """Writes text (UTF-8, "\\n" line ends) to outdir/name, creating outdir."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(path), file=sys.stderr)


def _server_db(env, kind):
    """Creates a fresh database on the server $env names; returns (settings, drop)."""
    url = os.environ.get(env)
    if not url:
        sys.exit("gen.py: %s is not set; the %s schema needs it" % (env, kind))
    u = urllib.parse.urlsplit(url)
    name = "djgen_" + secrets.token_hex(6)
    user = urllib.parse.unquote(u.username or "")
    password = urllib.parse.unquote(u.password or "")
    if kind == "postgres":
        import psycopg2

        def admin(sql):
            c = psycopg2.connect(host=u.hostname, port=u.port or 5432, user=user, password=password,
                                 dbname=urllib.parse.unquote(u.path.lstrip("/")) or "postgres")
            c.autocommit = True
            try:
                c.cursor().execute(sql)
            finally:
                c.close()

        admin('CREATE DATABASE "%s"' % name)
        engine, port, options = "django.db.backends.postgresql", u.port or 5432, {}
        drop = lambda: admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)  # noqa: E731
    else:
        import MySQLdb

        def admin(sql):
            c = MySQLdb.connect(host=u.hostname, port=u.port or 3306, user=user, passwd=password)
            try:
                c.cursor().execute(sql)
            finally:
                c.close()

        admin("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % name)
        engine, port, options = "django.db.backends.mysql", u.port or 3306, {"charset": "utf8mb4"}
        drop = lambda: admin("DROP DATABASE IF EXISTS `%s`" % name)  # noqa: E731
    return {
        "ENGINE": engine, "NAME": name, "USER": user, "PASSWORD": password,
        "HOST": u.hostname, "PORT": str(port), "OPTIONS": options,
    }, drop


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: gen.py RELEASE OUTDIR [gen_name ...]")
    release, outdir, only = argv[1], argv[2], argv[3:]
    sys.modules.setdefault("gen", sys.modules[__name__])
    sys.path.insert(0, HERE)

    import django
    from django.conf import settings

    got = "%d.%d" % django.VERSION[:2]
    if got != release:
        sys.exit("gen.py: asked for Django %s but PYTHONPATH has %s" % (release, django.get_version()))

    tmp = tempfile.mkdtemp(prefix="djgen-")
    drops = []
    databases = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"},
        "schema_sqlite": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(tmp, "schema.db")},
    }
    try:
        for env, kind in (("DJANGOBRIDGE_TEST_POSTGRES", "postgres"), ("DJANGOBRIDGE_TEST_MYSQL", "mysql")):
            db, drop = _server_db(env, kind)
            drops.append(drop)
            databases["schema_" + kind] = db
        settings.configure(
            SECRET_KEY=SECRET_KEY,
            INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions"],
            DATABASES=databases,
            DEFAULT_AUTO_FIELD="django.db.models.AutoField",
            USE_TZ=django.VERSION >= (5, 0),  # each release's own default
            TIME_ZONE="UTC",
        )
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)

        names = only or sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("gen_") and f.endswith(".py"))
        for name in names:
            print("gen.py: Django %s: %s" % (django.get_version(), name), file=sys.stderr)
            importlib.import_module(name).generate(release, outdir)
    finally:
        from django.db import connections

        try:
            connections.close_all()
        except Exception:
            pass
        for drop in drops:
            drop()
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)


if __name__ == "__main__":
    main(sys.argv)
