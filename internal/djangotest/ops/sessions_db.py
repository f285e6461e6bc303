"""Ops on django_session rows for the db engine's tests (sqlstore, pgxstore).

They read and write through Django's ORM and database backend, so a Go test
comparing with them compares with what Django itself stores and reads.
"""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from harness_ops import op


def _session_model():
    from django.contrib.sessions.models import Session

    return Session


@op("sessdb_row")
def sessdb_row(args):
    """The django_session row of args["key"] as the ORM reads it.

    Returns {"exists": false} or {"exists": true, "session_data": str,
    "expire_date": isoformat of the model's value (aware UTC with USE_TZ,
    naive local time in TIME_ZONE without)}. Expired rows are included.
    """
    s = _session_model().objects.filter(session_key=args["key"]).first()
    if s is None:
        return {"exists": False}
    return {"exists": True, "session_data": s.session_data, "expire_date": s.expire_date.isoformat()}


@op("sessdb_adapt_datetime")
def sessdb_adapt_datetime(args):
    """What Django's backend binds for a DateTimeField holding args["value"]
    (ISO 8601: aware with USE_TZ, naive local time without):
    connection.ops.adapt_datetimefield_value, as text for SQLite and MySQL.
    """
    dt = datetime.datetime.fromisoformat(args["value"])
    v = connection.ops.adapt_datetimefield_value(dt)
    if isinstance(v, datetime.datetime):
        return {"value": v.isoformat()}
    return {"value": str(v)}


@op("sessdb_count_expired")
def sessdb_count_expired(args):
    """How many rows Django's clearsessions would delete now (expire_date < now)."""
    return {"count": _session_model().objects.filter(expire_date__lt=timezone.now()).count()}


@op("sessdb_settings")
def sessdb_settings(args):
    """The settings the db engine depends on, and the vendor of the connection."""
    return {"USE_TZ": settings.USE_TZ, "TIME_ZONE": settings.TIME_ZONE, "vendor": connection.vendor}
