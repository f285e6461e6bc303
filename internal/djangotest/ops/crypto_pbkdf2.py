"""django.utils.crypto.pbkdf2, for package pbkdf2.

  crypto_pbkdf2 {password, salt (both base64 of raw bytes), iterations,
                 dklen (0 = the digest size, as Django's None), digest
                 ("sha256", "sha1", "sha512", ...)}
        -> base64 of django.utils.crypto.pbkdf2(...)
"""

import base64
import hashlib

from django.utils.crypto import pbkdf2

from harness_ops import op


@op("crypto_pbkdf2")
def crypto_pbkdf2(args):
    dk = pbkdf2(
        base64.b64decode(args["password"]),
        base64.b64decode(args["salt"]),
        int(args["iterations"]),
        int(args.get("dklen") or 0) or None,
        getattr(hashlib, args.get("digest") or "sha256"),
    )
    return base64.b64encode(dk).decode()
