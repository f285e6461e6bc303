"""Auth vectors: what django.contrib.auth.get_user decides, for Go tests with
no Python.

Writes <outdir>/auth.json: a user (fixed id and stored password), the
session auth hashes Django computes for it (current, the 3.x legacy SHA-1
one, and under SECRET_KEY_FALLBACKS), and a table of sessions with
get_user's verdict on each: authenticated or not, whether the session was
flushed, re-keyed (cycle_key), and the _auth_user_hash it holds afterwards.
gen.py has configured Django with SECRET_KEY "test-secret-key" and a
migrated in-memory SQLite database.
"""

import django
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils.crypto import salted_hmac

import gen

SECRET = "test-secret-key"
OLD_SECRET = "old-secret-key"
SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
BACKEND = "django.contrib.auth.backends.ModelBackend"
USER_ID = 4242
PASSWORD = "pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$ht93y9pBl3FaDhtky5/fGyB44btC9lh3/G3f4dHGVYQ="


def _hash(secret, algorithm="sha256", password=PASSWORD):
    return salted_hmac(SALT, password, secret=secret, algorithm=algorithm).hexdigest()


def _verdict(data, fallbacks, is_active):
    User = get_user_model()
    User.objects.filter(pk=USER_ID).update(is_active=is_active)
    s = SessionStore()
    for k, v in data.items():
        s[k] = v
    s.save()
    key = s.session_key
    request = RequestFactory().get("/")
    request.session = SessionStore(key)
    with override_settings(SECRET_KEY_FALLBACKS=fallbacks):
        user = auth.get_user(request)
    after = request.session.session_key
    out = {
        "authenticated": bool(user.is_authenticated),
        "flushed": after is None,
        "cycled": after is not None and after != key,
        "hash_after": request.session.get("_auth_user_hash"),
    }
    request.session.delete(key)
    if after:
        request.session.delete(after)
    return out


def generate(release, outdir):
    User = get_user_model()
    User.objects.filter(pk=USER_ID).delete()
    User.objects.create(pk=USER_ID, username="vector", password=PASSWORD, is_active=True)
    hashes = {
        "sha256": _hash(SECRET),
        "sha1": _hash(SECRET, "sha1"),
        "fallback_sha256": _hash(OLD_SECRET),
        "fallback_sha1": _hash(OLD_SECRET, "sha1"),
    }
    base = {"_auth_user_id": str(USER_ID), "_auth_user_backend": BACKEND}
    cases = [
        ("valid", dict(base, _auth_user_hash=hashes["sha256"]), [], True),
        ("valid, integer id", dict(base, _auth_user_id=USER_ID, _auth_user_hash=hashes["sha256"]), [], True),
        ("no hash", dict(base), [], True),
        ("empty hash", dict(base, _auth_user_hash=""), [], True),
        ("wrong hash", dict(base, _auth_user_hash="0" * 64), [], True),
        ("upper-case hash", dict(base, _auth_user_hash=hashes["sha256"].upper()), [], True),
        ("legacy sha1 hash", dict(base, _auth_user_hash=hashes["sha1"]), [], True),
        ("fallback key hash", dict(base, _auth_user_hash=hashes["fallback_sha256"]), [OLD_SECRET], True),
        ("fallback key hash, fallbacks not set", dict(base, _auth_user_hash=hashes["fallback_sha256"]), [], True),
        ("fallback key sha1 hash", dict(base, _auth_user_hash=hashes["fallback_sha1"]), [OLD_SECRET], True),
        ("inactive user", dict(base, _auth_user_hash=hashes["sha256"]), [], False),
        ("inactive user, wrong hash", dict(base, _auth_user_hash="0" * 64), [], False),
        ("unknown user", dict(base, _auth_user_id="4243", _auth_user_hash=hashes["sha256"]), [], True),
        ("backend not configured", dict(base, _auth_user_backend="x.Backend", _auth_user_hash="0" * 64), [], True),
        ("no backend", {"_auth_user_id": str(USER_ID), "_auth_user_hash": "0" * 64}, [], True),
        ("no id", {"_auth_user_backend": BACKEND, "_auth_user_hash": "0" * 64}, [], True),
        ("other data only", {"cart": [1, 2]}, [], True),
    ]
    out = []
    for name, data, fallbacks, active in cases:
        v = _verdict(data, fallbacks, active)
        out.append(dict({"name": name, "session": data, "fallbacks": fallbacks, "is_active": active}, **v))
    User.objects.filter(pk=USER_ID).delete()
    gen.write_json(outdir, "auth.json", {
        "django": django.get_version(),
        "secret_key": SECRET,
        "user": {"id": USER_ID, "username": "vector", "password": PASSWORD},
        "hashes": hashes,
        "current_hash": _hash(SECRET, "sha256"),
        "cases": out,
    })
