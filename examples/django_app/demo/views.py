"""The demo's routes, the same on the Go apps (examples/sidebyside/app.go).

Every answer is JSON except the page at /. Every POST passes Django's CSRF
check (CsrfViewMiddleware): the csrftoken cookie plus the X-CSRFToken header.
"""

import html
import json
import os
import re

import django
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_http_methods, require_POST

# The page is the one the Go apps serve, so the four apps look alike.
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sidebyside", "index.html")


def whoami_dict(user):
    if not user.is_authenticated:
        return {"authenticated": False}
    return {
        "authenticated": True,
        "id": user.pk,
        "username": user.get_username(),
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def error(status, message):
    return JsonResponse({"error": message}, status=status)


@require_GET
@ensure_csrf_cookie
def index(request):
    """The page: who you are, a login form, a logout button, a counter kept in the session."""
    request.session["counter"] = request.session.get("counter", 0) + 1
    with open(PAGE, encoding="utf-8") as f:
        page = f.read()
    page = page.replace("{{APP}}", html.escape("Django %s" % django.get_version()))
    return HttpResponse(page, content_type="text/html; charset=utf-8")


@require_GET
@ensure_csrf_cookie
def whoami(request):
    return JsonResponse(whoami_dict(request.user))


@require_POST
def login_view(request):
    user = authenticate(
        request,
        username=request.POST.get("username", ""),
        password=request.POST.get("password", ""),
    )
    if user is None:
        return error(401, "invalid username or password")
    login(request, user)
    return JsonResponse(whoami_dict(user))


@require_POST
def logout_view(request):
    logout(request)
    return JsonResponse({"authenticated": False})


@require_http_methods(["GET", "POST"])
def session_view(request):
    """GET: the session's data in its key order. POST key=...&value=<JSON>: store it."""
    if request.method == "POST":
        key = request.POST.get("key", "")
        if not key:
            return error(400, "key is required")
        if key.startswith("_"):
            # _auth_user_id and friends belong to django.contrib.auth.
            return error(400, "keys starting with _ are reserved")
        try:
            value = json.loads(request.POST.get("value", ""))
        except ValueError:
            return error(400, "value is not valid JSON")
        request.session[key] = value
    return JsonResponse(dict(request.session.items()))


@require_POST
def password_view(request):
    """Sets the password; this session stays logged in, the user's others end."""
    if not request.user.is_authenticated:
        return error(401, "not logged in")
    password = request.POST.get("password", "")
    if not password:
        return error(400, "password is required")
    request.user.set_password(password)
    request.user.save(update_fields=["password"])
    update_session_auth_hash(request, request.user)
    return JsonResponse(whoami_dict(request.user))


@require_GET
def perm_view(request):
    name = request.GET.get("name", "")
    if not name:
        return error(400, "name is required")
    return JsonResponse({"has_perm": request.user.has_perm(name)})


# Flash messages: the same routes as the Go apps' (examples/sidebyside/messages.go).
MESSAGES_PAGE = os.path.join(os.path.dirname(PAGE), "messages.html")
MESSAGE_LEVELS = {
    "debug": messages.DEBUG,
    "info": messages.INFO,
    "success": messages.SUCCESS,
    "warning": messages.WARNING,
    "error": messages.ERROR,
}


@require_http_methods(["GET", "POST"])
def messages_view(request):
    """POST level=...&message=...[&extra_tags=...]: add a message, answer {"pending": N}.
    GET: the pending messages, consumed."""
    if request.method == "POST":
        level = request.POST.get("level", "")
        if level in MESSAGE_LEVELS:
            level = MESSAGE_LEVELS[level]
        elif re.fullmatch(r"[0-9]{1,9}", level):
            level = int(level)
        else:
            return error(400, "level must be debug, info, success, warning, error or a number")
        text = request.POST.get("message", "")
        if not text:
            return error(400, "message is required")
        messages.add_message(request, level, text, extra_tags=request.POST.get("extra_tags", ""))
        return JsonResponse({"pending": len(messages.get_messages(request))})
    return JsonResponse([
        {"level": m.level, "message": m.message, "tags": m.tags, "extra_tags": m.extra_tags}
        for m in messages.get_messages(request)
    ], safe=False)


@require_GET
@ensure_csrf_cookie
def messages_page(request):
    """The pending messages, rendered by the template every Django site has, and a form to add one."""
    items = render_to_string("demo/message_list.html", request=request).strip()
    with open(MESSAGES_PAGE, encoding="utf-8") as f:
        page = f.read()
    page = page.replace("{{APP}}", html.escape("Django %s" % django.get_version()))
    page = page.replace("{{STORAGE}}", settings.MESSAGE_STORAGE)
    page = page.replace("{{MESSAGES}}", items)
    return HttpResponse(page, content_type="text/html; charset=utf-8")
