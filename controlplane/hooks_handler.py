"""The WSGI handler of the vendor webhooks under `/hooks/` (controlplane/wsgi.py sends them here).

A webhook is a vendor's machine calling with a signed form: it has no session,
no logged-in user, no CSRF token, no flash messages, no tenant in its URL and
no static file to serve, so the middleware for those (settings.MIDDLEWARE) is
pure cost on a live call (issue 15: it was most of the time Django spent on
the Twilio voice webhook besides the view). This handler is Django's own
WSGIHandler with `settings.HOOKS_MIDDLEWARE` instead: the request id and its
log line, the security headers (and the HTTPS redirect when configured), and
CommonMiddleware's host and user-agent checks. Everything that protects a
webhook is in the view itself: the Twilio signature check, replay de-duplication,
the call record, the fallback TwiML (integrations/hooks/views.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string

#: the path prefix whose requests this handler serves (controlplane/urls.py mounts the webhooks there)
HOOKS_PREFIX = "/hooks/"
#: what it resolves them against: the webhooks only, whatever else the path may look like
HOOKS_URLCONF = "controlplane.hooks_urls"


class HooksHandler(WSGIHandler):
    """WSGIHandler with settings.HOOKS_MIDDLEWARE (synchronous middleware only, as the list is) and the
    webhooks' URLs only."""

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        # Django's per-request URLconf
        request.urlconf = HOOKS_URLCONF
        return super().get_response(request)

    def load_middleware(self, is_async: bool = False) -> None:
        if is_async:
            raise ImproperlyConfigured("HooksHandler is a WSGI handler: synchronous only")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(settings.HOOKS_MIDDLEWARE):
            middleware = import_string(path)
            if not getattr(middleware, "sync_capable", True):
                raise ImproperlyConfigured(f"{path} is not synchronous; HOOKS_MIDDLEWARE must be")
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if instance is None:
                raise ImproperlyConfigured(f"Middleware factory {path} returned None.")
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler
