"""Messages ops (caches area, issue 14): one request through Django's
messages framework, with the configured MESSAGE_STORAGE and session engine.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.messages.storage import default_storage
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.safestring import SafeData, mark_safe

from harness_ops import op

# The harness's settings come as JSON, whose keys are strings: MESSAGE_TAGS
# maps int levels, so turn "40" back into 40 (before LEVEL_TAGS is computed).
if getattr(settings, "MESSAGE_TAGS", None):
    settings.MESSAGE_TAGS = {int(k): v for k, v in settings.MESSAGE_TAGS.items()}


def _describe(m):
    return {"level": m.level, "message": str(m.message), "extra_tags": m.extra_tags,
            "tags": m.tags, "safe": isinstance(m.message, SafeData)}


@op("messages_request")
def messages_request(args):
    """One request: {"cookie": the messages cookie or None, "session_key": or None,
    "add": [[level, text, extra_tags, safe], ...] added before anything else,
    "iterate": show the messages (iterate the storage), "add_after": added after}.

    Returns {"shown": [...] or None, "cookie": {"value", "deleted"} or None (no
    Set-Cookie), "session_key", "session_messages": the raw "_messages"}.
    """
    request = RequestFactory().get("/")
    if args.get("cookie"):
        request.COOKIES["messages"] = args["cookie"]
    engine = import_module(settings.SESSION_ENGINE)
    request.session = engine.SessionStore(args.get("session_key"))
    storage = default_storage(request)
    request._messages = storage

    def add_all(items):
        for level, text, extra, safe in items or []:
            storage.add(level, mark_safe(text) if safe else text, extra_tags=extra)

    add_all(args.get("add"))
    shown = None
    if args.get("iterate"):
        shown = [_describe(m) for m in storage]
    add_all(args.get("add_after"))
    response = HttpResponse()
    unstored = storage.update(response)
    # SessionMiddleware runs after MessageMiddleware: save a modified session.
    if request.session.modified:
        request.session.save()
    cookie = None
    if "messages" in response.cookies:
        c = response.cookies["messages"]
        cookie = {"value": c.value, "deleted": c["max-age"] == 0 or c.value == "",
                  "samesite": c["samesite"], "httponly": bool(c["httponly"]), "path": c["path"]}
    return {
        "shown": shown,
        "cookie": cookie,
        "session_key": request.session.session_key,
        "session_messages": request.session.get("_messages"),
        "unstored": len(unstored or []),
    }
