"""The op registry of the djangotest harness.

Each file in ops/ registers the Python functions a Go test may call, one file
per area (base.py, sessions.py, auth.py, hashers.py, cache.py, csrf.py ...):

    from harness_ops import op

    @op("session_encode")
    def session_encode(args):
        ...
        return {"data": data}

A function gets the request's args (a dict, {} when none were sent) and
returns a JSON-able value: dicts, lists, str, int (exact, any size), float,
bool, None. jsonable() converts what DB drivers and Django return (bytes,
datetime, Decimal, UUID) when an op wants to pass such values through. An
exception becomes {"error": {"type": <class name>, "message": str(exc)}},
which Go sees as *djangotest.Error.

The ops files are imported after django.setup(), so they may import models at
the top. A file that fails to import does not take the others down: its error
is kept in LOAD_ERRORS, reported by the "ops" op and by any call of an op that
is not registered.
"""

import base64
import datetime
import decimal
import importlib.util
import os
import sys
import traceback
import uuid

OPS = {}
LOAD_ERRORS = {}

# CONFIG is the harness configuration (the JSON the Go side sent), RELEASE the
# Django release ("3.2", "4.2", "5.2", "6.1"); djangohelper sets both before loading ops.
CONFIG = {}
RELEASE = ""


def op(name):
    """Registers the decorated function as the harness op called name."""

    def register(fn):
        if name in OPS:
            raise ValueError("djangotest: op %r registered twice (%s and %s)" % (
                name, OPS[name].__module__, fn.__module__))
        OPS[name] = fn
        return fn

    return register


def release_at_least(major, minor):
    """Whether the running Django is at least major.minor."""
    import django
    return django.VERSION[:2] >= (major, minor)


def jsonable(v):
    """Converts v, recursively, into plain JSON values.

    bytes that are UTF-8 become str, other bytes {"__bytes__": base64}; date,
    time and datetime become ISO 8601 strings; Decimal and UUID become str.
    """
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        b = bytes(v)
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return {"__bytes__": base64.b64encode(b).decode("ascii")}
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    if isinstance(v, (decimal.Decimal, uuid.UUID)):
        return str(v)
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [jsonable(x) for x in v]
    raise TypeError("djangotest: cannot turn %s into JSON" % type(v).__name__)


def load_ops(directory=None):
    """Imports every ops/*.py (sorted by name), collecting import errors."""
    directory = directory or os.path.join(os.path.dirname(os.path.abspath(__file__)), "ops")
    for fn in sorted(os.listdir(directory)):
        if not fn.endswith(".py") or fn.startswith("_"):
            continue
        name = "djangotest_ops_" + fn[:-3]
        try:
            spec = importlib.util.spec_from_file_location(name, os.path.join(directory, fn))
            mod = importlib.util.module_from_spec(spec)
            sys.modules[name] = mod
            spec.loader.exec_module(mod)
        except Exception:
            sys.modules.pop(name, None)
            LOAD_ERRORS[fn] = traceback.format_exc()
            print("djangotest: ops/%s failed to load:\n%s" % (fn, LOAD_ERRORS[fn]), file=sys.stderr)
