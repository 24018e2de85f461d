"""The shared machinery of the HTTP vendor stand-ins (Vapi, Synthflow, Genesys Cloud, Twilio).

A subclass declares its `routes` (a `RouteTable`), how a request authenticates,
and its error shape; this base matches requests to operations, checks auth
before anything else, renders `VendorHttpError`s in the vendor's own shape, runs
handlers under one lock (the sandbox serves requests from several threads), and
lists its operations, validation rules and options.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from sandbox.core.field_rules import FieldRule, Violation, check, describe
from sandbox.core.http_routes import Route, RouteTable, normalize_path
from sandbox.core.options import option_names
from sandbox.core.vendor import Routed, VendorStandIn


class VendorHttpError(Exception):
    """A vendor's own error answer, raised by a handler and rendered in that vendor's shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str | list[str],
        *,
        headers: dict[str, str] | None = None,
        violations: list[Violation] | None = None,
    ) -> None:
        super().__init__(message if isinstance(message, str) else "; ".join(message))
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.violations = violations or []


@dataclass(frozen=True)
class RuleNote:
    """A validation rule enforced in code rather than by a field table (referential, stateful)."""

    operation: str
    field: str
    rule: str
    source: str


@dataclass
class HttpCall:
    """One matched request as a handler sees it."""

    request: Request
    route: Route
    params: dict[str, str]
    account: Any
    stand_in: HttpVendorStandIn
    path: str = ""  # below the vendor's sandbox prefix, e.g. "/credential/abc"
    _body: Any = field(default=None, repr=False)

    def json(self) -> dict[str, Any]:
        """The JSON object body; malformed or non-object JSON is the vendor's 400."""
        if self._body is None:
            raw = self.request.get_data(as_text=True)
            try:
                body = json.loads(raw) if raw.strip() else {}
            except ValueError as exc:
                raise VendorHttpError(
                    400,
                    "bad.request",
                    f"Malformed JSON body: {exc.msg if isinstance(exc, json.JSONDecodeError) else exc}",
                ) from exc
            if not isinstance(body, dict):
                raise VendorHttpError(400, "bad.request", "The request body must be a JSON object")
            self._body = body
        return self._body

    def form(self) -> dict[str, str]:
        """Form-encoded parameters (Twilio), last value wins."""
        return {key: self.request.form[key] for key in self.request.form}

    def query(self) -> dict[str, str]:
        """Query-string parameters, last value wins."""
        return {key: self.request.args[key] for key in self.request.args}

    def body_violations(
        self, body: dict[str, Any], rules: tuple[FieldRule, ...] | None = None, *, from_strings: bool = False
    ) -> list[Violation]:
        """Violations of this route's body rules (or of `rules`); `from_strings` for form bodies."""
        rules = self.route.body_rules if rules is None else rules
        return check(body, rules, options=self.stand_in.option_values(), from_strings=from_strings)

    def query_violations(self, query: dict[str, str]) -> list[Violation]:
        """Violations of this route's query rules; query values are parsed from strings first."""
        return check(query, self.route.query_rules, options=self.stand_in.option_values(), from_strings=True)


class HttpVendorStandIn(VendorStandIn):
    """Base of the HTTP vendor stand-ins: routing, auth-first, error rendering, rule listing.

    Options follow `sandbox.core.options`: class attributes named `strict_*`, or listed in
    `tunables`, which the control API sets on the instance and `POST /_sandbox/reset` restores.
    """

    #: the sandbox URL prefix of this vendor ("/vapi"), for `served_routes()`
    path_prefix: ClassVar[str] = ""
    routes: ClassVar[RouteTable]
    #: non-`strict_` option names (e.g. a rate limit), as `sandbox.core.options` reads them
    tunables: ClassVar[tuple[str, ...]] = ()
    #: option name → what it switches, for the README and `GET /_sandbox/options` readers
    option_docs: ClassVar[dict[str, str]] = {}
    #: rules enforced in code (referential, stateful), listed next to the field tables
    rule_notes: ClassVar[tuple[RuleNote, ...]] = ()

    def __init__(self, sandbox: Any) -> None:
        super().__init__(sandbox)
        # The dispatcher runs route() and handlers under the sandbox's re-entrant lock; methods
        # called from elsewhere (sip_invite, place_call's bookkeeping) take the same lock.
        self._lock = getattr(sandbox, "lock", None) or threading.RLock()
        self.reset()

    # -- the VendorStandIn contract ---------------------------------------------------------------

    def route(self, request: Request, path: str) -> Routed | Response:
        """Match the request, check auth (unless the route is public), and hand back its operation."""
        match = self.routes.match(request.method or "GET", path)
        account = None
        with self._lock:
            if match.route is None or not match.route.public:
                authenticated = self.authenticate(request)
                if isinstance(authenticated, Response):
                    return authenticated
                account = authenticated
            if match.route is None:
                if match.allowed:
                    return self.method_not_allowed(request.method or "GET", path, match.allowed)
                return self.not_found(request.method or "GET", path)
            refused = self.admit(request, account, match.route)
            if refused is not None:
                return refused
        call = HttpCall(request, match.route, match.params, account, self, normalize_path(path))
        return Routed(match.route.operation, lambda: self._run(call))

    def reset(self) -> None:
        """Forget every object and account (the sandbox restores options itself)."""
        with self._lock:
            self.reset_state()

    def dump_state(self) -> Any:
        """Picklable state: everything but the lock and the sandbox."""
        with self._lock:
            return {k: v for k, v in vars(self).items() if k not in ("sandbox", "_lock")}

    def load_state(self, state: Any) -> None:
        """Restore what `dump_state` returned."""
        with self._lock:
            vars(self).update(state)

    # -- what a subclass provides --------------------------------------------------------------

    def reset_state(self) -> None:
        """Empty every store of this vendor (called under the lock by `reset`)."""
        raise NotImplementedError

    def authenticate(self, request: Request) -> Any:
        """The authenticated account, or the vendor's own 401 response."""
        raise NotImplementedError

    def admit(self, request: Request, account: Any, route: Route) -> Response | None:
        """A refusal before the handler runs (e.g. Genesys's per-token rate limit); None to go on."""
        return None

    def not_found(self, method: str, path: str) -> Response:
        """The vendor's answer to a path it does not serve."""
        return self.error(404, "not.found", f"Cannot {method} {path}")

    def method_not_allowed(self, method: str, path: str, allowed: tuple[str, ...]) -> Response:
        """The vendor's answer to a known path called with the wrong method."""
        response = self.error(405, "method.not.allowed", f"Method {method} is not allowed on {path}")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    def render_error(self, exc: VendorHttpError) -> Response:
        """A raised `VendorHttpError` in the vendor's shape."""
        message = exc.message if isinstance(exc.message, str) else "; ".join(exc.message)
        response = self.error(exc.status, exc.code, message)
        response.headers.update(exc.headers)
        return response

    # -- listings -----------------------------------------------------------------------------------

    def operations(self) -> list[str]:
        """Every operation name `route` can return."""
        return list(dict.fromkeys(r.operation for r in self.routes.routes))

    def served_routes(self) -> list[dict[str, str]]:
        """Every operation served with its method and sandbox path (for the README)."""
        return [
            {"operation": r.operation, "method": r.method, "path": self.path_prefix + r.template}
            for r in self.routes.routes
        ]

    def validation_rules(self) -> list[str]:
        """One line per atomic validation rule enforced, with its source in brackets."""
        lines: list[str] = []
        for route in self.routes.routes:
            for rule in (*route.query_rules, *route.body_rules):
                lines += [f"{route.operation}: {rule.path} {atom} [{rule.source}]" for atom in describe(rule)]
        lines += [f"{n.operation}: {n.field} {n.rule} [{n.source}]" for n in self.rule_notes]
        return lines

    def option_values(self) -> dict[str, Any]:
        """The current value of every option of this stand-in."""
        return {name: getattr(self, name) for name in option_names(self)}

    # -- internals ----------------------------------------------------------------------------------

    def _run(self, call: HttpCall) -> Response:
        with self._lock:
            try:
                return call.route.handler(self, call)
            except VendorHttpError as exc:
                return self.render_error(exc)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response."""
    return Response(json.dumps(data), status=status, headers=headers or {}, mimetype="application/json")


def new_id() -> str:
    """A fresh UUID4 string, the id format Vapi, Synthflow and Genesys use."""
    return str(uuid.uuid4())
