"""The route table of an HTTP vendor stand-in: method + path template → named operation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.core.field_rules import FieldRule

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from sandbox.core.http_vendor import HttpCall

Handler = Callable[[Any, "HttpCall"], "Response"]


@dataclass(frozen=True)
class Route:
    """One operation of a vendor API: where it answers, its handler and its field rules."""

    method: str
    template: str  # "/credential/{id}"; literal routes must come before templated siblings
    operation: str  # the vendor's own name for it, e.g. "CreateCredential"
    handler: Handler  # called as handler(stand_in, call)
    body_rules: tuple[FieldRule, ...] = ()
    query_rules: tuple[FieldRule, ...] = ()
    public: bool = False  # answers without the API's own auth (e.g. the OAuth token endpoint)


@dataclass(frozen=True)
class RouteMatch:
    """What a request matched: a route and its path parameters, or the methods the path allows."""

    route: Route | None
    params: dict[str, str] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()  # non-empty when the path exists but not for this method


class RouteTable:
    """Routes tried in order; the first whose method and path match wins."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = tuple(routes)
        self._compiled = [(route, _compile(route.template)) for route in routes]

    def match(self, method: str, path: str) -> RouteMatch:
        """The route for `method path`, or the allowed methods of that path (empty: unknown path)."""
        path = normalize_path(path)
        allowed: list[str] = []
        for route, pattern in self._compiled:
            found = pattern.fullmatch(path)
            if not found:
                continue
            if route.method == method.upper():
                return RouteMatch(route, found.groupdict())
            if route.method not in allowed:
                allowed.append(route.method)
        return RouteMatch(None, allowed=tuple(allowed))


def normalize_path(path: str) -> str:
    """Path without a trailing slash (vendors answer `/v2/assistants/` like `/v2/assistants`)."""
    path = "/" + path.lstrip("/")
    return path.rstrip("/") or "/"


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[a-zA-Z_]+\})", template)
    regex = "".join(f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(regex)
