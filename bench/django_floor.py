"""Django's own floor for bench/bench_webhook_http.py: the webhook's lean handler
(controlplane/hooks_handler.py, `HOOKS_MIDDLEWARE`) serving a view that parses the form and answers
the same TwiML bytes, nothing else.

Served by its own gunicorn like the bare floor (`bench.django_floor:application`), it splits the webhook's
cost into what Django's request cycle costs at all and what the webhook's own work adds (signature, replay
check, call record, TwiML).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")
django.setup()

from django.http import HttpRequest, HttpResponse  # noqa: E402  (after django.setup())
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from controlplane.hooks_handler import HooksHandler  # noqa: E402

_twiml: list[bytes] = []


@csrf_exempt
def answer(request: HttpRequest, public_id: str) -> HttpResponse:
    if not _twiml:
        _twiml.append(Path(os.environ["BENCH_FLOOR_TWIML"]).read_bytes())
    request.POST.get("CallSid")  # the form is parsed, as the webhook's is
    return HttpResponse(_twiml[0], content_type="text/xml; charset=utf-8")


urlpatterns = [path("hooks/twilio/voice/<str:public_id>", answer)]


class FloorHandler(HooksHandler):
    """The hooks handler and its middleware, resolving against this module's one route."""

    def resolve_request(self, request: HttpRequest) -> Any:
        request.urlconf = __name__
        return super().resolve_request(request)


_handler = FloorHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    return _handler(environ, start_response)
