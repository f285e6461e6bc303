"""Auth ops: users, login/logout, get_user, passwords and permissions, done by
django.contrib.auth itself on a RequestFactory request whose session is the
configured SessionStore, so Go tests compare against what a Django view sees.

Users are named by username (USERNAME_FIELD of auth.User). Sessions are
named by key; ops that change a session save it as SessionMiddleware does
(save when modified and not empty; an emptied session is not saved) and
return its key afterwards.
"""

from importlib import import_module

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password as dj_check_password
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from harness_ops import jsonable, op


def _session(key=None):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def _request(session_key=None):
    request = RequestFactory().get("/")
    request.session = _session(session_key)
    request.user = AnonymousUser()
    return request


def _finish(request):
    """What SessionMiddleware.process_response does with the session."""
    s = request.session
    if s.modified and not s.is_empty():
        s.save()
    return s.session_key


def _user(username):
    return get_user_model()._default_manager.get_by_natural_key(username)


def _describe_user(u):
    if u is None or not u.is_authenticated:
        return {"authenticated": False}
    return {
        "authenticated": True,
        "id": str(u.pk),
        "username": u.get_username(),
        "password": u.password,
        "backend": getattr(u, "backend", None),
    }


@op("auth_create_user")
def create_user(args):
    """User.objects.create_user / create_superuser; {"username", "email",
    "password" (null = unusable), "superuser", "is_active", "fields": {...}}."""
    User = get_user_model()
    fields = dict(args.get("fields") or {})
    if "is_active" in args:
        fields["is_active"] = args["is_active"]
    make = User._default_manager.create_superuser if args.get("superuser") else User._default_manager.create_user
    if User.USERNAME_FIELD == "username":
        u = make(args["username"], args.get("email") or "", args.get("password"), **fields)
    else:  # a custom model (ops/_authapp): its manager takes USERNAME_FIELD first
        u = make(args["username"], args.get("password"), **fields)
    return {"id": str(u.pk), "password": u.password}


@op("auth_user_row")
def user_row(args):
    """Every field of the user, from the database ({"exists": false} if none)."""
    User = get_user_model()
    try:
        u = _user(args["username"])
    except User.DoesNotExist:
        return {"exists": False}
    out = {"exists": True}
    for f in User._meta.concrete_fields:
        out[f.attname] = jsonable(getattr(u, f.attname))
    out["id"] = str(u.pk)
    return out


@op("auth_update_user")
def update_user(args):
    """Sets fields of the user and saves them: {"username", "fields": {...}}."""
    u = _user(args["username"])
    for k, v in args["fields"].items():
        setattr(u, k, v)
    u.save(update_fields=list(args["fields"]))
    return None


@op("auth_delete_user")
def delete_user(args):
    _user(args["username"]).delete()
    return None


@op("auth_login")
def login(args):
    """auth.authenticate(username, password) when "password" is given, else the
    user by name; then auth.login on a request with session "session_key"
    (none: a new session). Returns {"key", "key_before", "user"} or
    {"key": null} when authenticate refused."""
    request = _request(args.get("session_key"))
    key_before = request.session.session_key
    if "password" in args:
        user = auth.authenticate(request, username=args["username"], password=args["password"])
        if user is None:
            return {"key": None, "user": {"authenticated": False}}
    else:
        user = _user(args["username"])
        user.backend = args.get("backend") or settings.AUTHENTICATION_BACKENDS[0]
    auth.login(request, user)
    return {"key": _finish(request), "key_before": key_before, "user": _describe_user(user)}


@op("auth_whoami")
def whoami(args):
    """auth.get_user(request) for session "session_key", as the middleware's
    request.user; then the session is saved as SessionMiddleware would. Returns
    {"user", "key" (after), "flushed", "exists" (a record under the new key),
    "data"}."""
    request = _request(args["session_key"])
    user = auth.get_user(request)
    key = _finish(request)
    s = _session(key) if key else None
    return {
        "user": _describe_user(user),
        "key": key,
        "flushed": key is None,
        "exists": bool(key) and s.exists(key),
        "data": jsonable(dict(s.items())) if s is not None else {},
    }


@op("auth_logout")
def logout(args):
    request = _request(args["session_key"])
    request.user = auth.get_user(request)
    auth.logout(request)
    return {"key": _finish(request)}


@op("auth_set_password")
def set_password(args):
    """user.set_password(password) (null: set_unusable_password) and save."""
    u = _user(args["username"])
    if args.get("password") is None:
        u.set_unusable_password()
    else:
        u.set_password(args["password"])
    u.save()
    return {"password": u.password}


@op("auth_change_password")
def change_password(args):
    """A password-change view: request.user from session "session_key",
    set_password + save, update_session_auth_hash. Returns {"key"}."""
    request = _request(args["session_key"])
    request.user = auth.get_user(request)
    u = _user(args["username"])
    u.set_password(args["password"])
    u.save()
    auth.update_session_auth_hash(request, u)
    return {"key": _finish(request), "password": u.password}


@op("auth_check_password")
def check_password(args):
    """check_password(password, stored hash) with no upgrade: {"ok"}."""
    u = _user(args["username"])
    return {"ok": dj_check_password(args["password"], u.password)}


@op("auth_session_auth_hash")
def session_auth_hash(args):
    """user.get_session_auth_hash() of the stored user."""
    return {"hash": _user(args["username"]).get_session_auth_hash()}


@op("auth_create_group")
def create_group(args):
    """Group {"name"} with permissions {"perms": ["app_label.codename", ...]}."""
    g, _ = Group.objects.get_or_create(name=args["name"])
    for p in args.get("perms") or []:
        g.permissions.add(_perm(p))
    return {"id": g.pk}


@op("auth_create_permission")
def create_permission(args):
    """A permission {"app_label", "model", "codename", "name"} (content type made if needed)."""
    ct, _ = ContentType.objects.get_or_create(app_label=args["app_label"], model=args["model"])
    p, _ = Permission.objects.get_or_create(content_type=ct, codename=args["codename"],
                                            defaults={"name": args.get("name") or args["codename"]})
    return {"id": p.pk}


def _perm(s):
    app, code = s.split(".", 1)
    return Permission.objects.get(content_type__app_label=app, codename=code)


@op("auth_grant")
def grant(args):
    """Adds the user to "groups" and gives it "perms"."""
    u = _user(args["username"])
    for g in args.get("groups") or []:
        u.groups.add(Group.objects.get(name=g))
    for p in args.get("perms") or []:
        u.user_permissions.add(_perm(p))
    return None


@op("auth_perms")
def perms(args):
    """The user's permissions as Django computes them: get_all_permissions,
    get_user_permissions, get_group_permissions, groups, and has_perm /
    has_module_perms for "check" and "apps"."""
    u = _user(args["username"])
    out = {
        "all": sorted(u.get_all_permissions()),
        "groups": sorted(g.name for g in u.groups.all()),
        "has_perm": {p: u.has_perm(p) for p in args.get("check") or []},
        "has_module_perms": {a: u.has_module_perms(a) for a in args.get("apps") or []},
    }
    if hasattr(u, "get_user_permissions"):
        out["user"] = sorted(u.get_user_permissions())
    out["group"] = sorted(u.get_group_permissions())
    return out


@op("auth_backend_perms")
def backend_perms(args):
    """What ModelBackend answers for the user (any AUTH_USER_MODEL, with or
    without PermissionsMixin): get_all_permissions, get_user_permissions,
    get_group_permissions, has_perm and has_module_perms for "check" and
    "apps"; each either its value or {"error": exception class name}."""
    from django.contrib.auth.backends import ModelBackend

    def run(fn):
        u = _user(args["username"])  # fresh: no permission caches
        try:
            v = fn(ModelBackend(), u)
        except Exception as e:  # noqa: BLE001 - the answer is the exception
            return {"error": type(e).__name__}
        return sorted(v) if isinstance(v, set) else v

    return {
        "all": run(lambda b, u: b.get_all_permissions(u)),
        "user": run(lambda b, u: b.get_user_permissions(u)),
        "group": run(lambda b, u: b.get_group_permissions(u)),
        "has_perm": {p: run(lambda b, u, p=p: b.has_perm(u, p)) for p in args.get("check") or []},
        "has_module_perms": {a: run(lambda b, u, a=a: b.has_module_perms(u, a)) for a in args.get("apps") or []},
        "user_has_perm": hasattr(_user(args["username"]), "has_perm"),
    }


@op("auth_custom_migrate")
def custom_migrate(args):
    """Creates the tables of a database for a custom user model app without
    migrations (ops/_authapp): migrate (contenttypes, auth, sessions), then
    migrate --run-syncdb for the unmigrated app, whose many-to-many tables
    point at auth_group and auth_permission."""
    import sys
    from django.core.management import call_command
    call_command("migrate", verbosity=0, interactive=False, stdout=sys.stderr)
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False, stdout=sys.stderr)
    return None
