"""Password hash vectors: what real Django's hashers write and answer.

Writes <outdir>/hashers.json for the Go tests of package hashers (no Python
needed there):

  "django"      the exact Django version;
  "defaults"    the class attributes of this release's hashers and its
                default PASSWORD_HASHERS (algorithm names);
  "available"   the algorithm names of every hasher class the release ships;
  "vectors"     encode(password, salt) for every hasher, with Django's default
                parameters and with cheap ones ("params"), and the hasher's
                decode() of the result ("decode"), for several
                passwords (ASCII, "", 100 bytes, emoji, CJK, multi-byte across
                bcrypt's 72-byte cut);
  "must_update" for each possible preferred hasher and a set of stored
                hashes (other releases' parameters, short salts, other
                varieties, garbage): Django's answer, null when
                identify_hasher fails, "raises" when must_update raises;
  "check"       check_password(password, encoded) with PASSWORD_HASHERS =
                every available hasher, PBKDF2 preferred: "ok", "updated"
                (the setter was called: ok and must_update), or "error" (the
                exception's class) when Django raises.

Deterministic: fixed salts, no randomness (the fake runs inside
check_password use random salts but do not affect the output).
"""

import base64

import django
from django.contrib.auth import hashers as H
from django.test.utils import override_settings

import gen

CLASSES = [
    ("PBKDF2PasswordHasher", "pbkdf2_sha256"),
    ("PBKDF2SHA1PasswordHasher", "pbkdf2_sha1"),
    ("Argon2PasswordHasher", "argon2"),
    ("BCryptSHA256PasswordHasher", "bcrypt_sha256"),
    ("BCryptPasswordHasher", "bcrypt"),
    ("ScryptPasswordHasher", "scrypt"),
    ("SHA1PasswordHasher", "sha1"),
    ("MD5PasswordHasher", "md5"),
    ("UnsaltedSHA1PasswordHasher", "unsalted_sha1"),
    ("UnsaltedMD5PasswordHasher", "unsalted_md5"),
    ("CryptPasswordHasher", "crypt"),
]

SALT = "abcdefghijklmnopqrstuv"  # 22 characters, 128 bits: no salt update
SHORT_SALT = "abcdefghijkl"  # 12 characters, what Django <= 3.1 generated
BCRYPT_SALT = "abcdefghijklmnopqrstuu"  # canonical 22-character bcrypt salt

PASSWORDS = [
    "p\u00e4ssword",
    "",
    "0123456789" * 10,  # 100 bytes
    "\U0001F511 secret \U0001F600\U0001F389",
    "\u5bc6\u7801\u30d1\u30b9\u30ef\u30fc\u30c9",
    "a" + "\u00e9" * 40,  # 81 bytes: byte 72 cuts an "é" in half
    "with space and \"quotes\" and $dollar$ and \\",
]


def dotted(cls):
    return "django.contrib.auth.hashers." + cls


def available():
    return [(cls, alg) for cls, alg in CLASSES if hasattr(H, cls)]


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


def argon2_raw(password, salt, t, m, p, hash_len, typ, version):
    import argon2

    return argon2.low_level.hash_secret(password.encode(), salt.encode(), time_cost=t, memory_cost=m,
                                        parallelism=p, hash_len=hash_len, type=typ, version=version).decode("ascii")


def decoded(alg, encoded):
    """The hasher's decode(encoded), minus argon2's Parameters object."""
    cls = {a: c for c, a in CLASSES}[alg]
    d = dict(getattr(H, cls)().decode(encoded))
    d.pop("params", None)
    return d


def vectors(avail):
    import argon2

    out = []

    def add(alg, params, password, salt, encoded):
        out.append({"algorithm": alg, "params": params, "password": password, "salt": salt, "encoded": encoded,
                    "decode": decoded(alg, encoded)})

    names = {alg for _, alg in avail}
    pbkdf2 = H.PBKDF2PasswordHasher()
    for cls, alg in (("PBKDF2PasswordHasher", "pbkdf2_sha256"), ("PBKDF2SHA1PasswordHasher", "pbkdf2_sha1")):
        h = getattr(H, cls)()
        add(alg, {"iterations": h.iterations}, PASSWORDS[0], SALT, h.encode(PASSWORDS[0], SALT))
        for pw in PASSWORDS:
            add(alg, {"iterations": 1000}, pw, SALT, h.encode(pw, SALT, 1000))
        add(alg, {"iterations": 1}, PASSWORDS[0], SHORT_SALT, h.encode(PASSWORDS[0], SHORT_SALT, 1))
    assert pbkdf2.iterations

    # Argon2: the release's default, then cheap parameters in both varieties.
    h = H.Argon2PasswordHasher()
    add("argon2", {"variety": "argon2" + h.params().type.name.lower(), "time_cost": h.time_cost, "memory_cost": h.memory_cost,
                   "parallelism": h.parallelism}, PASSWORDS[0], SALT, h.encode(PASSWORDS[0], SALT))
    for typ, variety in ((argon2.low_level.Type.ID, "argon2id"), (argon2.low_level.Type.I, "argon2i")):
        for pw in PASSWORDS:
            enc = "argon2" + argon2_raw(pw, SALT, 1, 64, 2, 16, typ, 19)
            add("argon2", {"variety": variety, "time_cost": 1, "memory_cost": 64, "parallelism": 2}, pw, SALT, enc)

    for cls, alg in (("BCryptSHA256PasswordHasher", "bcrypt_sha256"), ("BCryptPasswordHasher", "bcrypt")):
        h = getattr(H, cls)()
        add(alg, {"rounds": 12}, PASSWORDS[0], "$2b$12$" + BCRYPT_SALT,
            h.encode(PASSWORDS[0], ("$2b$12$" + BCRYPT_SALT).encode()))
        for pw in PASSWORDS:
            try:
                enc = h.encode(pw, ("$2b$04$" + BCRYPT_SALT).encode())
            except ValueError:
                # bcrypt 5 (Django 6.1 here) refuses passwords over 72 bytes
                # for the plain bcrypt hasher instead of truncating them.
                continue
            add(alg, {"rounds": 4}, pw, "$2b$04$" + BCRYPT_SALT, enc)
        for prefix in ("$2a$05$", "$2y$05$"):
            try:
                enc = h.encode(PASSWORDS[2], (prefix + BCRYPT_SALT).encode())
            except ValueError:  # bcrypt 5: over 72 bytes, see above
                continue
            add(alg, {"rounds": 5}, PASSWORDS[2], prefix + BCRYPT_SALT, enc)
        # A non-canonical last salt character: bcrypt < 5 ignores its low
        # bits and writes the canonical salt; bcrypt 5 (Django 6.1 here)
        # refuses such a salt with ValueError, so there is no vector.
        try:
            enc = h.encode(PASSWORDS[0], b"$2b$04$abcdefghijklmnopqrstuv")
        except ValueError:
            enc = None
        if enc is not None:
            add(alg, {"rounds": 4}, PASSWORDS[0], "$2b$04$abcdefghijklmnopqrstuv", enc)

    if "scrypt" in names:
        h = H.ScryptPasswordHasher()
        add("scrypt", {"n": h.work_factor, "r": h.block_size, "p": h.parallelism}, PASSWORDS[0], SALT,
            h.encode(PASSWORDS[0], SALT))
        for pw in PASSWORDS:
            add("scrypt", {"n": 16, "r": 8, "p": 1}, pw, SALT, h.encode(pw, SALT, 16, 8, 1))
        add("scrypt", {"n": 1024, "r": 2, "p": 3}, PASSWORDS[0], SALT, h.encode(PASSWORDS[0], SALT, 1024, 2, 3))

    for cls, alg in (("MD5PasswordHasher", "md5"), ("SHA1PasswordHasher", "sha1")):
        if alg in names:
            h = getattr(H, cls)()
            for pw in PASSWORDS:
                add(alg, {}, pw, SALT, h.encode(pw, SALT))
            add(alg, {}, PASSWORDS[0], SHORT_SALT, h.encode(PASSWORDS[0], SHORT_SALT))
    for cls, alg in (("UnsaltedMD5PasswordHasher", "unsalted_md5"), ("UnsaltedSHA1PasswordHasher", "unsalted_sha1")):
        if alg in names:
            h = getattr(H, cls)()
            for pw in PASSWORDS:
                add(alg, {}, pw, "", h.encode(pw, ""))
    return out


def zero_b64(n):
    return b64(bytes(n))


def must_update_samples(d):
    """Stored hashes whose must_update answer is interesting; the hash parts
    are well-formed but need not match any password (must_update never
    verifies)."""
    z32, z20, z64 = zero_b64(32), zero_b64(20), zero_b64(64)
    s = []
    for it in (1000, 150000, 260000, 600000, 1000000, 1500000):
        s.append("pbkdf2_sha256$%d$%s$%s" % (it, SALT, z32))
    s.append("pbkdf2_sha256$%d$%s$%s" % (d["pbkdf2_iterations"], SHORT_SALT, z32))
    s.append("pbkdf2_sha1$%d$%s$%s" % (d["pbkdf2_iterations"], SALT, z20))
    s.append("pbkdf2_sha1$260000$%s$%s" % (SALT, z20))
    salt_b64 = base64.b64encode(SALT.encode()).decode().rstrip("=")
    short_b64 = base64.b64encode(SHORT_SALT.encode()).decode().rstrip("=")
    h16 = base64.b64encode(bytes(16)).decode().rstrip("=")
    h32 = base64.b64encode(bytes(32)).decode().rstrip("=")
    s += [
        "argon2$argon2id$v=19$m=102400,t=2,p=8$%s$%s" % (salt_b64, h16),
        "argon2$argon2id$v=19$m=102400,t=2,p=8$%s$%s" % (short_b64, h16),
        "argon2$argon2id$v=19$m=102400,t=2,p=8$%s$%s" % (salt_b64, h32),
        "argon2$argon2id$v=19$m=65536,t=3,p=4$%s$%s" % (salt_b64, h16),
        "argon2$argon2i$v=19$m=102400,t=2,p=8$%s$%s" % (salt_b64, h16),
        "argon2$argon2i$v=19$m=512,t=2,p=2$%s$%s" % (salt_b64, h16),
        "argon2$argon2id$m=102400,t=2,p=8$%s$%s" % (salt_b64, h16),
        "bcrypt_sha256$$2b$12$%s%s" % (BCRYPT_SALT, "A" * 31),
        "bcrypt_sha256$$2b$10$%s%s" % (BCRYPT_SALT, "A" * 31),
        "bcrypt_sha256$$2a$12$%s%s" % (BCRYPT_SALT, "A" * 31),
        "bcrypt$$2b$12$%s%s" % (BCRYPT_SALT, "A" * 31),
        "bcrypt$$2b$13$%s%s" % (BCRYPT_SALT, "A" * 31),
        "scrypt$16384$%s$8$1$%s" % (SALT, z64),
        "scrypt$16384$%s$8$5$%s" % (SALT, z64),
        "scrypt$32768$%s$8$1$%s" % (SALT, z64),
        "scrypt$16384$%s$8$5$%s" % (SHORT_SALT, z64),
        "md5$%s$%s" % (SALT, "0" * 32),
        "md5$%s$%s" % (SHORT_SALT, "0" * 32),
        "sha1$%s$%s" % (SALT, "0" * 40),
        "sha1$%s$%s" % (SHORT_SALT, "0" * 40),
        "0" * 32,
        "md5$$" + "0" * 32,
        "sha1$$" + "0" * 40,
        "crypt$$ab1234567890.",
        "!" + "x" * 40,
        "",
        "nonexistent$abc$def",
        "pbkdf2_sha256",
        "pbkdf2_sha256$abc$%s$%s" % (SALT, z32),
        "$$$",
    ]
    return s


def must_update_answers(avail, samples):
    out = []
    for _, preferred in avail:
        order = [dotted(c) for c, a in avail if a == preferred] + [dotted(c) for c, a in avail if a != preferred]
        with override_settings(PASSWORD_HASHERS=order):
            pref = H.get_hasher("default")
            for enc in samples:
                try:
                    hasher = H.identify_hasher(enc)
                except ValueError:
                    ans = None
                else:
                    try:
                        ans = hasher.algorithm != pref.algorithm or bool(pref.must_update(enc))
                    except Exception:
                        ans = "raises"
                out.append({"preferred": preferred, "encoded": enc, "must_update": ans})
    return out


def check_answers(avail, vecs):
    cases = []
    seen_wrong = set()
    for v in vecs:
        cases.append((v["password"], v["encoded"]))
        key = (v["algorithm"], str(v["params"]))
        if key not in seen_wrong:
            seen_wrong.add(key)
            cases.append((v["password"] + "x", v["encoded"]))
    # Plain bcrypt sees 72 bytes only: a different tail still matches.
    for v in vecs:
        if v["algorithm"] == "bcrypt" and len(v["password"].encode()) > 72:
            cases.append((v["password"][:-1] + "!", v["encoded"]))
    z32 = zero_b64(32)
    cases += [
        ("p\u00e4ssword", "!" + "x" * 40),
        ("p\u00e4ssword", ""),
        ("p\u00e4ssword", "nonexistent$abc$def"),
        ("p\u00e4ssword", "pbkdf2_sha256$1000$%s" % SALT),
        ("p\u00e4ssword", "pbkdf2_sha256$abc$%s$%s" % (SALT, z32)),
        ("p\u00e4ssword", "pbkdf2_sha256$-5$%s$%s" % (SALT, z32)),
        ("p\u00e4ssword", "pbkdf2_sha256$01000$%s$%s" % (SALT, z32)),
        ("p\u00e4ssword", "md5$$" + "0" * 30 + "$$"),
        ("p\u00e4ssword", "argon2$argon2id$v=19$m=64,t=1,p=2$YWJj$AAAAAAAAAAAAAAAAAAAAAA"),
        ("p\u00e4ssword", "argon2$garbage"),
        ("p\u00e4ssword", "bcrypt_sha256$$2b$99$" + BCRYPT_SALT + "A" * 31),
        ("p\u00e4ssword", "bcrypt_sha256$$2x$12$" + BCRYPT_SALT + "A" * 31),
    ]
    if any(a == "crypt" for _, a in avail):
        import crypt

        cases.append(("p\u00e4ssword", "crypt$$" + crypt.crypt("p\u00e4ssword", "ab")))
    # Argon2 version 16 (a hash written without "v="): argon2-cffi verifies it.
    import argon2

    raw = argon2_raw("p\u00e4ssword", SALT, 1, 64, 2, 16, argon2.low_level.Type.ID, 16)
    cases.append(("p\u00e4ssword", "argon2" + raw.replace("$v=16", "")))
    raw = argon2_raw("p\u00e4ssword", SALT, 1, 64, 2, 16, argon2.low_level.Type.D, 19)
    cases.append(("p\u00e4ssword", "argon2" + raw))

    out = []
    order = [dotted(c) for c, _ in avail]
    with override_settings(PASSWORD_HASHERS=order):
        for pw, enc in cases:
            updated = []
            try:
                ok = H.check_password(pw, enc, setter=lambda p: updated.append(p))
                out.append({"password": pw, "encoded": enc, "ok": ok, "updated": bool(updated), "error": None})
            except Exception as e:
                out.append({"password": pw, "encoded": enc, "ok": None, "updated": False, "error": type(e).__name__})
    return out


def generate(release, outdir):
    import warnings

    warnings.simplefilter("ignore")
    avail = available()
    a2 = H.Argon2PasswordHasher()
    d = {
        "pbkdf2_iterations": H.PBKDF2PasswordHasher.iterations,
        "argon2_variety": "argon2" + a2.params().type.name.lower(),
        "argon2_time_cost": a2.time_cost,
        "argon2_memory_cost": a2.memory_cost,
        "argon2_parallelism": a2.parallelism,
        "argon2_hash_len": a2.params().hash_len,
        "bcrypt_rounds": H.BCryptSHA256PasswordHasher.rounds,
    }
    if hasattr(H, "ScryptPasswordHasher"):
        sc = H.ScryptPasswordHasher
        d.update({"scrypt_n": sc.work_factor, "scrypt_r": sc.block_size, "scrypt_p": sc.parallelism})
    from django.conf import global_settings

    names = dict(CLASSES)
    d["password_hashers"] = [names[p.rsplit(".", 1)[1]] for p in global_settings.PASSWORD_HASHERS]
    vecs = vectors(avail)
    gen.write_json(outdir, "hashers.json", {
        "django": django.get_version(),
        "defaults": d,
        "available": [a for _, a in avail],
        "vectors": vecs,
        "must_update": must_update_answers(avail, must_update_samples(d)),
        "check": check_answers(avail, vecs),
    })
