"""WSGI entry point (gunicorn controlplane.wsgi).

Two Django handlers over the same settings and URLs: the vendor webhooks under
`/hooks/` go through controlplane/hooks_handler.py (only the middleware a
webhook needs, settings.HOOKS_MIDDLEWARE), everything else (dashboard, API,
health, static files) through the full settings.MIDDLEWARE.
"""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "controlplane.settings")
full_application = get_wsgi_application()

from controlplane.hooks_handler import HOOKS_PREFIX, HooksHandler  # noqa: E402  (after django.setup())

hooks_application = HooksHandler()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Send `/hooks/...` to the webhooks' handler, anything else to the full one."""
    if environ.get("PATH_INFO", "").startswith(HOOKS_PREFIX):
        return hooks_application(environ, start_response)
    return full_application(environ, start_response)
