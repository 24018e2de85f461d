"""The base of the AWS stand-ins whose wire format comes from botocore's service model.

A subclass names its service, the exception AWS answers for a constraint
violation, and a table of handlers (operation name → function of an `AwsCall`
returning the output dict). Routing, parsing, model validation, serialization
and error answers are done here, once, by `RestJsonService`.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from werkzeug.wrappers import Request, Response

from sandbox.aws.router import sigv4_scope
from sandbox.aws.service_model import DEFAULT_REGION, AwsError, MatchedOperation, RestJsonService
from sandbox.core.vendor import Routed, VendorStandIn

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox


@dataclass(frozen=True)
class AwsCall:
    """One validated request to a handler: the operation, its input members and the signing region."""

    operation: str
    params: dict[str, Any]
    region: str

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value


Handler = Callable[[AwsCall], dict[str, Any] | None]


@functools.lru_cache(maxsize=8)
def load_service(service_name: str, validation_error: str) -> RestJsonService:
    """Load (once per process) botocore's model of a service; loading takes a noticeable moment."""
    return RestJsonService(service_name, validation_error)


class ModelBackedStandIn(VendorStandIn):
    """A stateful AWS service stand-in validated against botocore's own model.

    Handlers run under `Sandbox.lock` (the dispatcher holds it), so the state needs
    no lock of its own. Switchable behaviours are plain attributes, named `strict_*`
    or listed in `tunables`, which the control API's `/_sandbox/options` sets.
    """

    vendor = "aws"
    #: botocore's name of the service ("chime-sdk-voice", "connect")
    service_name: ClassVar[str] = ""
    #: the exception this service answers for an input that breaks a model constraint
    validation_error: ClassVar[str] = "BadRequestException"
    #: the exception this service answers when throttling
    throttling_error: ClassVar[str] = "ThrottlingException"
    #: non-boolean options (see `sandbox.core.options`)
    tunables: ClassVar[tuple[str, ...]] = ()

    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__(sandbox)
        self.service = load_service(self.service_name, self.validation_error)
        self.state = self.new_state()

    # -- what a subclass provides ---------------------------------------------

    def handlers(self) -> dict[str, Handler]:
        """Operation name → handler, for every operation this stand-in serves."""
        raise NotImplementedError

    def extra_rules(self) -> list[str]:
        """Rules enforced beyond the model (referential, documented), one line each with its source."""
        return []

    def new_state(self) -> Any:
        """A fresh, empty state object."""
        raise NotImplementedError

    def unmatched(self, request: Request) -> Response | None:
        """The answer when no modeled operation fits the request (None: not mine)."""
        return self.service.error("UnknownOperationException", "No operation matches this request", 404)

    def unserved(self, matched: MatchedOperation) -> Routed | None:
        """What to do with a modeled operation that has no handler (None: let moto serve it)."""
        return None

    # -- VendorStandIn ----------------------------------------------------------

    def route(self, request: Request, path: str) -> Routed | Response | None:  # type: ignore[override]
        matched = self.service.match(request, path)
        if matched is None:
            return self.unmatched(request)
        handler = self.handlers().get(matched.name)
        if handler is None:
            return self.unserved(matched)
        scope = sigv4_scope(request.environ)
        region = scope.region if scope else DEFAULT_REGION
        return Routed(matched.name, lambda: self.run(matched, request, region, handler))

    def run(self, matched: MatchedOperation, request: Request, region: str, handler: Handler) -> Response:
        """Parse, validate, run the handler and answer."""
        try:
            params = self.service.parse_input(matched, request)
            problems = self.service.violations(matched, params)
            if problems:
                raise self.service.validation_failure(problems)
            output = handler(AwsCall(matched.name, params, region))
        except AwsError as err:
            return self.service.error(err.code, err.message, **err.members)
        return self.service.respond(matched.model, output)

    def error(self, status: int, code: str, message: str) -> Response:
        return self.service.error(code, message, status)

    def throttle(self) -> Response:
        return self.service.error(self.throttling_error, "Rate exceeded", 429)

    def reset(self) -> None:
        self.state = self.new_state()

    def operations(self) -> list[str]:
        return sorted(self.handlers())

    def validation_rules(self) -> list[str]:
        return self.service.rules_for(self.operations()) + self.extra_rules()

    def dump_state(self) -> Any:
        return copy.deepcopy(self.state)

    def load_state(self, state: Any) -> None:
        self.state = state


def require(condition: bool, code: str, message: str) -> None:
    """Raise the AWS error unless the condition holds."""
    if not condition:
        raise AwsError(code, message)
