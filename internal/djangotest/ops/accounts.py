"""Accounts ops: password validation (django.contrib.auth.password_validation),
Python's str and difflib semantics the validators rest on, password reset
tokens (django.contrib.auth.tokens) and django-registration's activation
workflow, each done by the real code of the running release.
"""

import difflib
import re
import sys
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from harness_ops import jsonable, op


def _unsaved_user(attrs):
    """An unsaved user with the given attributes set (fields or not)."""
    if attrs is None:
        return None
    User = get_user_model()
    u = User()
    for k, v in attrs.items():
        setattr(u, k, v)
    return u


@op("pwval_validate")
def pwval_validate(args):
    """validate_password for each of {"passwords"} with the validators built
    from {"validators": [{"NAME", "OPTIONS"}]} (get_password_validators) and
    the unsaved user with attributes {"user"} (null: no user). Returns, per
    password, the refusals as [[code, message], ...] in order."""
    validators = password_validation.get_password_validators(args["validators"])
    user = _unsaved_user(args.get("user"))
    out = []
    for pw in args["passwords"]:
        try:
            password_validation.validate_password(pw, user, password_validators=validators)
            out.append([])
        except ValidationError as e:
            out.append([[err.code, msg] for err, msg in zip(e.error_list, e.messages)])
    return {"results": out, "help_texts": password_validation.password_validators_help_texts(validators)}


@op("pwval_config_error")
def pwval_config_error(args):
    """The exception get_password_validators raises for {"validators"}
    (None when it raises none)."""
    try:
        password_validation.get_password_validators(args["validators"])
    except Exception as e:  # noqa: BLE001 - reported to Go
        return {"type": type(e).__name__, "message": str(e)}
    return None


@op("difflib_ratios")
def difflib_ratios(args):
    """[ratio, quick_ratio, real_quick_ratio] of SequenceMatcher(a=, b=) for
    each pair in {"pairs"}, plus the matching blocks when {"blocks"}."""
    out = []
    for a, b in args["pairs"]:
        m = difflib.SequenceMatcher(a=a, b=b)
        row = {"ratio": m.ratio(), "quick": m.quick_ratio(), "real_quick": m.real_quick_ratio()}
        if args.get("blocks"):
            row["blocks"] = [list(x) for x in m.get_matching_blocks()]
        out.append(row)
    return out


def _ranges(pred):
    out = []
    for c in range(sys.maxunicode + 1):
        if pred(chr(c)):
            if out and out[-1][1] == c - 1:
                out[-1][1] = c
            else:
                out.append([c, c])
    return out


@op("pystr_tables")
def pystr_tables(args):
    """This Python's str semantics over every assigned code point: the
    ranges of isspace, isdigit and re's \\w, the code points whose lower()
    is not themselves (with the result), and the Unicode version."""
    assigned = lambda ch: unicodedata.category(ch) != "Cn"  # noqa: E731
    word = re.compile(r"\w")
    lower = {}
    for c in range(sys.maxunicode + 1):
        ch = chr(c)
        if assigned(ch) and ch.lower() != ch:
            lower[str(c)] = [ord(x) for x in ch.lower()]
    return {
        "unicode": unicodedata.unidata_version,
        "assigned": _ranges(assigned),
        "space": _ranges(lambda ch: assigned(ch) and ch.isspace()),
        "digit": _ranges(lambda ch: assigned(ch) and ch.isdigit()),
        "word": _ranges(lambda ch: assigned(ch) and word.match(ch) is not None),
        "lower": lower,
    }


@op("pystr_apply")
def pystr_apply(args):
    """For each of {"strings"}: lower(), strip(), isdigit() and
    re.split(r"\\W+", s), as Python computes them."""
    out = []
    for s in args["strings"]:
        out.append({"lower": s.lower(), "strip": s.strip(), "isdigit": s.isdigit(),
                    "split": re.split(r"\W+", s)})
    return out


# --- Password reset (django.contrib.auth.tokens, views.PasswordResetConfirmView)

def _token_generator(at=None):
    """default_token_generator's class, with the clock at the naive local
    datetime "at" (ISO 8601) when given."""
    import datetime as dt

    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    class Gen(PasswordResetTokenGenerator):
        def _now(self):
            if at:
                return dt.datetime.fromisoformat(at)
            return super()._now()

    return Gen()


def _reset_urls():
    from django.contrib.auth import views as auth_views
    from django.urls import path

    import harness_urls

    harness_urls.urlpatterns += [
        path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
             name="password_reset_confirm"),
        path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ]


_reset_urls()


@op("reset_make")
def reset_make(args):
    """{"uidb64", "token"} for the user {"username"}, made at {"at"} (naive
    local time; default now) by PasswordResetTokenGenerator."""
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from django.contrib.auth.views import PasswordResetConfirmView

    User = get_user_model()
    u = User._default_manager.get_by_natural_key(args["username"])
    del PasswordResetConfirmView  # imported to fail early if the view is missing
    return {"uidb64": urlsafe_base64_encode(force_bytes(u.pk)),
            "token": _token_generator(args.get("at")).make_token(u)}


@op("reset_check")
def reset_check(args):
    """PasswordResetConfirmView.get_user({"uidb64"}) and check_token(user,
    {"token"}) at {"at"}: {"user": username or None, "valid": bool}."""
    from django.contrib.auth.views import PasswordResetConfirmView

    user = PasswordResetConfirmView().get_user(args["uidb64"])
    return {"user": user.get_username() if user else None,
            "valid": _token_generator(args.get("at")).check_token(user, args["token"])}


@op("reset_confirm_view")
def reset_confirm_view(args):
    """The real view, through django.test.Client: GET /reset/<uidb64>/<token>/
    (a valid link redirects to .../set-password/ and keeps the token in the
    session), then POST new_password1/new_password2 there. Returns
    {"link_valid", "status", "errors", "password"}."""
    from django.template import TemplateDoesNotExist
    from django.test import Client

    c = Client()
    url = "/reset/%s/%s/" % (args["uidb64"], args["token"])
    try:
        r = c.get(url)
    except TemplateDoesNotExist:
        return {"link_valid": False}
    if r.status_code != 302 or not r["Location"].endswith("/set-password/"):
        return {"link_valid": False, "status": r.status_code}
    out = {"link_valid": True}
    try:
        r = c.post(r["Location"], {"new_password1": args["new_password1"], "new_password2": args["new_password2"]})
        out["status"] = r.status_code
        out["location"] = r.get("Location")
    except TemplateDoesNotExist:
        out["status"] = 200  # the form re-rendered with errors
    return out


# --- django-registration 3.3 (django_registration.backends.activation)

def _at_time(at):
    """A context manager fixing time.time() for django.core.signing at the
    Unix time "at" (None: the real clock)."""
    import contextlib
    from unittest import mock

    if at is None:
        return contextlib.nullcontext()
    return mock.patch("django.core.signing.time.time", return_value=float(at))


@op("reg_make_key")
def reg_make_key(args):
    """RegistrationView().get_activation_key(user) for an unsaved user named
    {"username"}, at Unix time {"at"} (default now)."""
    from django_registration.backends.activation.views import RegistrationView

    User = get_user_model()
    u = User(**{User.USERNAME_FIELD: args["username"]})
    with _at_time(args.get("at")):
        return RegistrationView().get_activation_key(u)


@op("reg_activate")
def reg_activate(args):
    """ActivationView().activate(activation_key={"key"}) at {"at"}:
    {"username", "is_active"} or {"error": {"code", "message"}}."""
    from django_registration.backends.activation.views import ActivationView
    from django_registration.exceptions import ActivationError

    with _at_time(args.get("at")):
        try:
            u = ActivationView().activate(activation_key=args["key"])
        except ActivationError as e:
            return {"error": {"code": e.code, "message": str(e.message)}}
    u.refresh_from_db()
    return {"username": u.get_username(), "is_active": u.is_active}


def _form_errors(validators, forms):
    """RegistrationForm(data).errors as {field: [messages]} for each data in
    forms, with AUTH_PASSWORD_VALIDATORS from validators (None: the
    configured setting). django-registration's own validators run, the
    confusables checks included."""
    from unittest import mock

    from django_registration.forms import RegistrationForm

    patches = []
    if validators is not None:
        vs = password_validation.get_password_validators(validators)
        patches.append(mock.patch.object(password_validation, "get_default_password_validators", return_value=vs))
    for p in patches:
        p.start()
    try:
        out = []
        for data in forms:
            form = RegistrationForm(data=data)
            out.append({k: [str(m) for m in v] for k, v in form.errors.items()})
        return out
    finally:
        for p in patches:
            p.stop()


@op("reg_form_errors")
def reg_form_errors(args):
    """django_registration.forms.RegistrationForm({"data"}).errors as
    {field: [messages]} ({} when valid), with AUTH_PASSWORD_VALIDATORS from
    {"validators"} (null: the configured setting)."""
    return _form_errors(args.get("validators"), [args["data"]])[0]


@op("reg_form_errors_many")
def reg_form_errors_many(args):
    """reg_form_errors for each of {"forms"} (a list of data dicts)."""
    return _form_errors(args.get("validators"), args["forms"])


@op("confusables_check")
def confusables_check(args):
    """confusable_homoglyphs' verdicts on each of {"strings"}:
    {"version", "dangerous": [is_dangerous], "mixed": [is_mixed_script],
    "confusable": [bool(is_confusable)], "aliases": [[alias per char]]}."""
    import confusable_homoglyphs
    from confusable_homoglyphs import categories, confusables

    ss = args["strings"]
    return {
        "version": confusable_homoglyphs.__version__,
        "dangerous": [bool(confusables.is_dangerous(s)) for s in ss],
        "mixed": [confusables.is_mixed_script(s) for s in ss],
        "confusable": [bool(confusables.is_confusable(s)) for s in ss],
        "aliases": [[categories.alias(c) for c in s] for s in ss],
    }


@op("reset_form_errors_many")
def reset_form_errors_many(args):
    """PasswordResetForm({"email": e}).errors["email"] ([] when valid) for
    each e of {"emails"}; is_valid() reads no database."""
    from django.contrib.auth.forms import PasswordResetForm

    return [[str(m) for m in PasswordResetForm(data={"email": e}).errors.get("email", [])] for e in args["emails"]]


@op("email_validate_many")
def email_validate_many(args):
    """For each of {"emails"}: whether django.core.validators.validate_email
    accepts it; and for each of {"domains"}: domain.encode("idna") as text,
    or null where Python raises UnicodeError."""
    from django.core.validators import validate_email

    def ok(e):
        try:
            validate_email(e)
        except ValidationError:
            return False
        return True

    def idna(d):
        try:
            return d.encode("idna").decode("ascii")
        except UnicodeError:
            return None

    return {"valid": [ok(e) for e in args["emails"]], "idna": [idna(d) for d in args["domains"]]}
