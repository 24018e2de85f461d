"""The contract every vendor stand-in of the sandbox implements.

The dispatcher (`sandbox.app`) picks a stand-in by URL prefix (HTTP vendors)
or by the SigV4 credential scope (AWS), asks it to `route` the request to a
named operation, applies any injected fault for (vendor, operation), runs the
handler and writes the ledger. Stand-ins never deal with faults or the ledger's
request log themselves; they only report their live objects.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox


@dataclass(frozen=True)
class LiveObject:
    """One object that exists at a vendor right now, as the ledger lists it."""

    vendor: str  # "aws" | "vapi" | "synthflow" | "genesys" | "twilio"
    type: str  # e.g. "chime.VoiceConnector", "vapi.credential", "genesys.trunkbase"
    id: str
    name: str  # the name Patchbay gave it ("" when the vendor has no name field)
    state: str = ""  # e.g. "DeleteInProgress" for a released Chime number

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Routed:
    """A request matched to one named operation of a vendor, ready to run."""

    operation: str  # the vendor's own operation name, e.g. "CreateVoiceConnector", "CreateCredential"
    handler: Callable[[], Response]


class VendorStandIn(ABC):
    """A stateful local stand-in for one vendor API (or one AWS service)."""

    #: ledger vendor name: "aws" | "vapi" | "synthflow" | "genesys" | "twilio"
    vendor: str = ""
    #: for AWS stand-ins, the SigV4 signing name they answer ("chime", "connect"); "" otherwise
    signing_name: str = ""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @abstractmethod
    def route(self, request: Request, path: str) -> Routed | Response:
        """Match a request to an operation, or answer the vendor's own 404/405/401.

        `path` is the request path with the vendor's sandbox prefix removed
        (e.g. "/credential" for "/vapi/credential"); AWS stand-ins get the full path.
        Authentication failures are answered here, in the vendor's error shape.
        """

    @abstractmethod
    def error(self, status: int, code: str, message: str) -> Response:
        """An error response in this vendor's own shape (used for injected faults too)."""

    def throttle(self) -> Response:
        """The vendor's own rate-limit answer; vendors that send Retry-After override this."""
        return self.error(429, "Throttled", "Rate exceeded")

    @abstractmethod
    def reset(self) -> None:
        """Forget every object and account."""

    @abstractmethod
    def live_objects(self) -> list[LiveObject]:
        """Every object that exists at this vendor now, for the ledger."""

    def operations(self) -> list[str]:
        """Every operation name `route` can return, for `python -m sandbox --describe` and fault checks."""
        return []

    def validation_rules(self) -> list[str]:
        """One line per validation rule enforced, with its source, for `--describe` and the README."""
        return []

    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        """Create a ready-to-use account (POST /_sandbox/accounts); override where the vendor has accounts."""
        raise NotImplementedError(f"{self.vendor} has no accounts")

    def dump_state(self) -> Any:
        """Picklable state for `--state FILE`."""
        return {k: v for k, v in vars(self).items() if k != "sandbox"}

    def load_state(self, state: Any) -> None:
        """Restore what `dump_state` returned."""
        vars(self).update(state)
