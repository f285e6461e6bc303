"""Session data vectors: what real Django writes, for Go tests with no Python.

Writes <outdir>/sessions.json: for each case, the session dict as Django's
JSONSerializer writes it ("json") and that dict encoded every way the
release writes it. gen.py has configured Django with SECRET_KEY
"test-secret-key"; time.time() is fixed at 1700000000 so that outputs are
stable (the Go test reads cookies with the same clock).
"""

import json
import os
from unittest import mock

from django.contrib.sessions.backends.db import SessionStore
from django.core import signing
from django.test.utils import override_settings

NOW = 1700000000
SECRET = "test-secret-key"
OLD_SECRET = "old-secret-key"
KEY_SALT = "django.contrib.sessions.SessionStore"
COOKIE_SALT = "django.contrib.sessions.backends.signed_cookies"

CASES = [
    ("auth", {"_auth_user_id": "1",
              "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
              "_auth_user_hash": "7a8e20c0a8e88aa9d1d9c9f875625e0d2547f15c3e44df01f92f48b2f18387c2"}),
    ("unicode", {"\u00e4": "\u00e4\u00f6\u00fc \u00df", "emoji": "\U0001F600\U0001F389", "cjk": "\u6f22\u5b57",
                 "rtl": "\u05e9\u05dc\u05d5\u05dd", "ctl": "a\nb\t\u0000\u007f\u2028",
                 "quote": "\"\\/<>&'", "surrogate_pair_key_\U0001F30D": True}),
    ("numbers", {"big": 2 ** 70, "neg": -(2 ** 64), "f1": 1.0, "f2": 0.1, "f3": 1e16, "f4": 1.5e-7,
                 "f5": 123456789012345678.0, "zero": 0, "i": 42, "negf": -0.0}),
    ("nested", {"cart": {"items": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}], "total": 12.5},
                "flags": [True, False, None], "empty": {}, "el": [], "deep": [[[[{"x": [1, [2, [3]]]}]]]]}),
    ("empty", {}),
    ("expiry", {"_session_expiry": 3600, "x": 1}),
    ("large", {"blob": "x" * 5000, "n": list(range(200))}),
    ("short", {"a": 1}),
]


def generate(release, outdir):
    major = int(release.split(".")[0])
    out = []
    with mock.patch("time.time", return_value=NOW):
        for name, data in CASES:
            row = {"name": name, "json": json.dumps(data, separators=(",", ":")),
                   "encoded": SessionStore().encode(data),
                   "cookie": signing.dumps(data, compress=True, salt=COOKIE_SALT)}
            with override_settings(SECRET_KEY=OLD_SECRET):
                row["old_key_encoded"] = SessionStore().encode(data)
            if major < 4:
                row["legacy"] = SessionStore()._legacy_encode(data)
                with override_settings(DEFAULT_HASHING_ALGORITHM="sha1"):
                    # 3.x with DEFAULT_HASHING_ALGORITHM = 'sha1' writes the legacy format
                    row["sha1_setting_encoded"] = SessionStore().encode(data)
                    row["sha1_dumps"] = signing.dumps(data, compress=True, salt=KEY_SALT)
            # Django's own reading of its output, as a check of the vector
            assert SessionStore().decode(row["encoded"]) == data
            out.append(row)
    meta = {"release": release, "secret_key": SECRET, "old_secret_key": OLD_SECRET, "now": NOW,
            "note": "old_key_encoded is signed with old_secret_key; Django >= 4.1 reads it with "
                    "SECRET_KEY_FALLBACKS=[old_secret_key]"}
    with open(os.path.join(outdir, "sessions.json"), "w") as f:
        json.dump({"meta": meta, "cases": out}, f, indent=1, ensure_ascii=True)
        f.write("\n")
