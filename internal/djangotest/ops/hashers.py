"""Password hasher ops: django.contrib.auth.hashers itself, for package hashers.

Names are prefixed "hashers_" (auth ops have their own check_password):

  hashers_make_password  {password, algorithm?, salt?, params?} -> encoded
        Without params: make_password(password, salt, algorithm) with the
        configured hasher ("" or absent = the preferred one). With params,
        the configured hasher's class with other parameters, Django's own
        code doing the hashing: {"iterations"} for PBKDF2, {"rounds"} for
        bcrypt (a salt "$2b$NN$..." works too), {"n", "r", "p"} for scrypt,
        {"time_cost", "memory_cost", "parallelism", "variety"} for argon2
        (variety "argon2id" or "argon2i"; other than argon2id goes through
        argon2.low_level.hash_secret, as Django's encode does for argon2id).
  hashers_check_password {password, encoded, preferred?}
        -> {"ok": check_password(...), "updated": whether the setter ran
            (the password was correct and must be updated)}
  hashers_must_update    {encoded} -> identify_hasher(encoded).algorithm !=
        preferred.algorithm or preferred.must_update(encoded); null when
        identify_hasher raises ValueError.
  hashers_identify       {encoded} -> the algorithm name (ValueError when
        Django cannot identify it).
"""

import warnings

from django.contrib.auth import hashers as H

from harness_ops import op

warnings.simplefilter("ignore")


def _argon2_encode(hasher, password, salt, params):
    import argon2

    variety = params.get("variety") or "argon2id"
    typ = {"argon2id": argon2.low_level.Type.ID, "argon2i": argon2.low_level.Type.I}[variety]
    data = argon2.low_level.hash_secret(
        password.encode(), salt.encode(),
        time_cost=params.get("time_cost") or hasher.time_cost,
        memory_cost=params.get("memory_cost") or hasher.memory_cost,
        parallelism=params.get("parallelism") or hasher.parallelism,
        hash_len=argon2.DEFAULT_HASH_LENGTH, type=typ)
    return hasher.algorithm + data.decode("ascii")


@op("hashers_make_password")
def make_password(args):
    password = args["password"]
    algorithm = args.get("algorithm") or "default"
    salt = args.get("salt") or None
    params = args.get("params") or {}
    if not params:
        return H.make_password(password, salt, algorithm)
    hasher = H.get_hasher(algorithm)
    alg = hasher.algorithm
    if alg in ("pbkdf2_sha256", "pbkdf2_sha1"):
        return hasher.encode(password, salt or hasher.salt(), params.get("iterations"))
    if alg in ("bcrypt_sha256", "bcrypt"):
        import bcrypt

        if not salt:
            salt = bcrypt.gensalt(params.get("rounds") or hasher.rounds).decode("ascii")
        return hasher.encode(password, salt.encode("ascii"))
    if alg == "scrypt":
        return hasher.encode(password, salt or hasher.salt(), params.get("n"), params.get("r"), params.get("p"))
    if alg == "argon2":
        return _argon2_encode(hasher, password, salt or hasher.salt(), params)
    raise ValueError("hashers_make_password: %s takes no params" % alg)


@op("hashers_check_password")
def check_password(args):
    updated = []
    ok = H.check_password(args["password"], args["encoded"], setter=updated.append,
                          preferred=args.get("preferred") or "default")
    return {"ok": ok, "updated": bool(updated)}


@op("hashers_must_update")
def must_update(args):
    encoded = args["encoded"]
    preferred = H.get_hasher(args.get("preferred") or "default")
    try:
        hasher = H.identify_hasher(encoded)
    except ValueError:
        return None
    return hasher.algorithm != preferred.algorithm or bool(preferred.must_update(encoded))


@op("hashers_identify")
def identify(args):
    return H.identify_hasher(args["encoded"]).algorithm


@op("hashers_libs")
def hashers_libs(args):
    """What the hashing libraries installed beside this Django give:
    {"argon2_hash_len": argon2.DEFAULT_HASH_LENGTH (null without
    argon2-cffi), "bcrypt_version": bcrypt's version, "bcrypt_before5"}."""
    out = {"argon2_hash_len": None, "bcrypt_version": None, "bcrypt_before5": None}
    try:
        import argon2
        out["argon2_hash_len"] = argon2.DEFAULT_HASH_LENGTH
    except ImportError:
        pass
    try:
        import importlib.metadata as md
        v = md.version("bcrypt")
        out["bcrypt_version"] = v
        out["bcrypt_before5"] = int(v.split(".")[0]) < 5
    except Exception:
        pass
    return out
