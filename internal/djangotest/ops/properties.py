"""Properties ops: a user's fields (and its one-to-one profile's, the
ops/_propapp Profile) read and written through Django's ORM, for
djangouser.Properties' tests."""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_date, parse_datetime

from harness_ops import jsonable, op


def _user(username):
    return get_user_model()._default_manager.get_by_natural_key(username)


def _parse(model, name, value):
    """A JSON value as the field takes it: ISO text for dates and datetimes."""
    if value is None:
        return None
    kind = model._meta.get_field(name).get_internal_type()
    if kind == "DateTimeField":
        return parse_datetime(value)
    if kind == "DateField":
        return parse_date(value)
    return value


@op("props_read")
def props_read(args):
    """{"username", "names": [...], "profile": [...]}: the user's attributes
    user.<name> and user.profile.<name> (read fresh from the database), and
    whether user.profile exists."""
    u = _user(args["username"])
    out = {"user": {n: jsonable(getattr(u, n)) for n in args.get("names") or []}}
    Profile = apps.get_model("propapp", "Profile")
    try:
        p = u.profile
    except Profile.DoesNotExist:
        out["has_profile"] = False
        return out
    out["has_profile"] = True
    out["profile"] = {n: jsonable(getattr(p, n)) for n in args.get("profile") or []}
    return out


@op("props_write")
def props_write(args):
    """{"username", "user": {...}, "profile": {...}}: sets the user's fields
    and saves them (save(update_fields=...)), then the profile's, creating it
    (Profile(user=user, ...).save()) when the user has none."""
    u = _user(args["username"])
    User = get_user_model()
    fields = args.get("user") or {}
    for k, v in fields.items():
        setattr(u, k, _parse(User, k, v))
    if fields:
        u.save(update_fields=list(fields))
    prof = args.get("profile") or {}
    if prof:
        Profile = apps.get_model("propapp", "Profile")
        p = Profile.objects.filter(user=u).first() or Profile(user=u)
        for k, v in prof.items():
            setattr(p, k, _parse(Profile, k, v))
        p.save()
    return None
