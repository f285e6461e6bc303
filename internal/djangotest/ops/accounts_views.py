"""Accounts views, run through django.test.Client against the configured
database: django-registration 3.3's HMAC activation workflow
(django_registration.backends.activation.urls mounted at /accounts/) and
Django's PasswordResetConfirmView (mounted at /reset/ by accounts.py).

Neither app ships templates, so each op renders with a small in-memory set
(locmem loader) whose pages print the view's own context as JSON
(json_script): the form's errors, django-registration's activation_error,
PasswordResetConfirmView's validlink. Mail goes to the locmem backend, so
django-registration's own send_activation_email runs and the op reads the
activation key from the message it sent.
"""

import json
import re

from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
from django.urls import include, path

from harness_ops import op

import harness_urls

harness_urls.urlpatterns += [path("accounts/", include("django_registration.backends.activation.urls"))]

_JSON = '{{ %s|json_script:"data" }}'
_TEMPLATES = {
    "django_registration/registration_form.html": _JSON % "form.errors.get_json_data",
    "django_registration/activation_failed.html": _JSON % "activation_error",
    "django_registration/activation_email_subject.txt": "Activate your\naccount at {{ site.domain }}\n",
    "django_registration/activation_email_body.txt":
        "{{ scheme }}://{{ site.domain }}/accounts/activate/{{ activation_key }}/ "
        "({{ expiration_days }} days, {{ user.get_username }})\n",
    "registration/password_reset_confirm.html":
        '{% if validlink %}' + (_JSON % "form.errors.get_json_data") + '{% else %}INVALID LINK{% endif %}',
}


def _views():
    return override_settings(
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", _TEMPLATES)]},
        }],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )


def _page_json(resp):
    m = re.search(r'<script id="data" type="application/json">(.*?)</script>', resp.content.decode("utf-8"), re.S)
    return json.loads(m.group(1)) if m else None


def _errors(data):
    return {k: [e["message"] for e in v] for k, v in (data or {}).items()}


def _at_time(at):
    import contextlib
    from unittest import mock

    if at is None:
        return contextlib.nullcontext()
    return mock.patch("django.core.signing.time.time", return_value=float(at))


@op("regview_register")
def regview_register(args):
    """POST {"data"} to django-registration's RegistrationView
    (/accounts/register/) at Unix time {"at"}: {"status", "location",
    "errors": {field: [messages]}, "mail": {"subject", "body", "to"},
    "key": the activation key in the mail, "is_active": the new row's}."""
    from django.core import mail

    with _views(), _at_time(args.get("at")):
        mail.outbox = []
        r = Client().post("/accounts/register/", args["data"])
        out = {"status": r.status_code, "location": r.get("Location"), "errors": {}}
        if r.status_code == 200:
            out["errors"] = _errors(_page_json(r))
        if mail.outbox:
            m = mail.outbox[-1]
            out["mail"] = {"subject": m.subject, "body": m.body, "to": m.to}
            k = re.search(r"/accounts/activate/([^/\s]+)/", m.body)
            out["key"] = k.group(1) if k else None
        if r.status_code == 302:
            User = get_user_model()
            u = User._default_manager.get_by_natural_key(args["data"][User.USERNAME_FIELD])
            out["is_active"] = u.is_active
    return out


@op("regview_activate")
def regview_activate(args):
    """GET django-registration's ActivationView (/accounts/activate/<key>/)
    at Unix time {"at"}: {"status", "location"} on success, else also
    {"error": {"code", "message"}} from the page's activation_error."""
    with _views(), _at_time(args.get("at")):
        r = Client().get("/accounts/activate/%s/" % args["key"])
    out = {"status": r.status_code, "location": r.get("Location")}
    if r.status_code == 200:
        e = _page_json(r)
        out["error"] = {"code": e["code"], "message": e["message"]}
    return out


@op("reset_confirm_page")
def reset_confirm_page(args):
    """PasswordResetConfirmView through its URL: GET /reset/<uidb64>/<token>/
    and, when the link is valid, POST new_password1/2 on the page it
    redirects to. {"link_valid", "status", "location", "errors"} where
    errors is SetPasswordForm's {field: [messages]}."""
    with _views():
        c = Client()
        r = c.get("/reset/%s/%s/" % (args["uidb64"], args["token"]))
        if r.status_code != 302:
            return {"link_valid": False, "status": r.status_code, "page": r.content.decode("utf-8")[:200]}
        r = c.post(r["Location"], {"new_password1": args["new_password1"], "new_password2": args["new_password2"]})
        out = {"link_valid": True, "status": r.status_code, "location": r.get("Location"), "errors": {}}
        if r.status_code == 200:
            data = _page_json(r)
            if data is None:
                out["link_valid"] = False
            out["errors"] = _errors(data)
    return out
