"""Flash messages through a real Django request (issue 14, the adapters'
messages helper): django.test.Client runs the configured MIDDLEWARE (with
MessageMiddleware) and one of two views, so what a Go handler stored is read
the way a Django page reads it, and what a Django view added reaches Go
through the response's own Set-Cookie headers.

  messages_view {path: "/_djangobridge/messages/show/" | ".../add/",
                 cookies: {name: value}, add: [[level, text, extra_tags, safe]],
                 settings: {MESSAGE_STORAGE: ...} (override_settings)}
      The show view iterates get_messages(request) and answers them as JSON;
      the add view calls messages.add_message for each item. Returns
      {"status", "shown": [...] (show), "set_cookie": {name: OutputString},
      "cookies": {name: value or None when deleted}}.
"""

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.test import Client, override_settings
from django.urls import path
from django.utils.safestring import SafeData, mark_safe

import harness_urls
from harness_ops import op

_PENDING = {"add": []}


def _show(request):
    out = []
    for m in messages.get_messages(request):
        out.append({"level": m.level, "message": str(m.message), "extra_tags": m.extra_tags,
                    "safe": isinstance(m.message, SafeData)})
    return JsonResponse({"shown": out})


def _add(request):
    for level, text, extra, safe in _PENDING["add"]:
        messages.add_message(request, level, mark_safe(text) if safe else text, extra_tags=extra)
    return HttpResponse("added")


harness_urls.urlpatterns += [
    path("_djangobridge/messages/show/", _show),
    path("_djangobridge/messages/add/", _add),
]


@op("messages_view")
def messages_view(args):
    client = Client()
    for name, value in (args.get("cookies") or {}).items():
        client.cookies[name] = value
    _PENDING["add"] = args.get("add") or []
    try:
        with override_settings(**(args.get("settings") or {})):
            resp = client.get(args["path"])
    finally:
        _PENDING["add"] = []
    out = {"status": resp.status_code, "set_cookie": {}, "cookies": {}}
    for name, morsel in resp.cookies.items():
        out["set_cookie"][name] = morsel.OutputString()
        deleted = morsel["max-age"] == 0 or morsel.value == ""
        out["cookies"][name] = None if deleted else morsel.value
    if resp.get("Content-Type", "").startswith("application/json"):
        out["shown"] = json.loads(resp.content)["shown"]
    return out
