"""A POST through Django's whole stack (django.test.Client with CSRF checks
enforced, DEBUG False), for the body limits CsrfViewMiddleware meets when it
reads request.POST: DATA_UPLOAD_MAX_MEMORY_SIZE, DATA_UPLOAD_MAX_NUMBER_FIELDS,
DATA_UPLOAD_MAX_NUMBER_FILES (RequestDataTooBig, TooManyFieldsSent,
TooManyFilesSent are SuspiciousOperations: the handler answers 400).

  post_limits {method: "POST" (default) | "PUT" ..., body: text (latin-1
               bytes), content_type, cookies: {name: value},
               headers: {Name: value}, settings: {NAME: value}}
      Returns {"status", "ran": whether the view ran}.
"""

from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

import harness_urls
from harness_ops import op

_RAN = {"ran": False}


def _view(request):
    _RAN["ran"] = True
    return HttpResponse("ok")


harness_urls.urlpatterns += [path("_djangobridge/limits/", _view)]


@op("post_limits")
def post_limits(args):
    client = Client(enforce_csrf_checks=True)
    for name, value in (args.get("cookies") or {}).items():
        client.cookies[name] = value
    extra = {}
    for k, v in (args.get("headers") or {}).items():
        extra["HTTP_" + k.upper().replace("-", "_")] = v
    method = (args.get("method") or "POST").lower()
    _RAN["ran"] = False
    with override_settings(**(args.get("settings") or {})):
        resp = getattr(client, method)(
            "/_djangobridge/limits/",
            data=(args.get("body") or "").encode("latin-1"),
            content_type=args.get("content_type") or "application/octet-stream",
            **extra,
        )
    return {"status": resp.status_code, "ran": _RAN["ran"]}
