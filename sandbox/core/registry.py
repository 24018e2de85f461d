"""The `Sandbox`: the one container every stand-in, the dispatcher and the control API share.

Stand-ins are constructed by import path as `Cls(sandbox)`; a stand-in whose
module is missing is not served (and says so in `GET /_sandbox/` and the log),
so the sandbox still starts while a vendor is being written.

Handlers run under `Sandbox.lock` (re-entrant), one at a time, so stand-ins
need no locking of their own; nothing may block while holding it (the
dispatcher sleeps injected latency and the simulated call waits for Lambda
code outside it).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from sandbox.aws.moto_bridge import MotoBridge
from sandbox.aws.operation_names import service_model
from sandbox.core.dns_records import DnsRecords
from sandbox.core.faults import FaultRegistry
from sandbox.core.ledger import Ledger
from sandbox.core.options import Options
from sandbox.core.simulated_call import SimulatedCalls
from sandbox.core.sip_hosts import source_allowed
from sandbox.core.sip_uas import SipEdge
from sandbox.core.vendor import LiveObject, VendorStandIn

if TYPE_CHECKING:
    from sandbox.aws.chime.stand_in import ChimeVoiceStandIn
    from sandbox.aws.connect.stand_in import ConnectStandIn
    from sandbox.genesys.stand_in import GenesysStandIn
    from sandbox.synthflow.stand_in import SynthflowStandIn
    from sandbox.twilio.stand_in import TwilioStandIn
    from sandbox.vapi.stand_in import VapiStandIn

logger = logging.getLogger(__name__)

#: moto's default account: requests signed with any dummy key land in it
AWS_ACCOUNT_ID = "123456789012"

#: stand-in name → class, as the sandbox contract fixes them
STAND_IN_PATHS: dict[str, str] = {
    "chime": "sandbox.aws.chime.ChimeVoiceStandIn",
    "connect": "sandbox.aws.connect.ConnectStandIn",
    "vapi": "sandbox.vapi.VapiStandIn",
    "synthflow": "sandbox.synthflow.SynthflowStandIn",
    "genesys": "sandbox.genesys.GenesysStandIn",
    "twilio": "sandbox.twilio.TwilioStandIn",
}

HTTP_VENDORS = ("vapi", "synthflow", "genesys", "twilio")
#: AWS services Patchbay uses that moto serves (signing names)
MOTO_SERVICES = ("iam", "sts", "dynamodb", "lambda", "logs")
AWS_STAND_IN_SERVICES = ("chime", "connect")


class StandInAbsent(LookupError):
    """The named stand-in is not served (its module is missing)."""


def _load_class(path: str) -> type[VendorStandIn]:
    module_name, _, class_name = path.rpartition(".")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


class Sandbox:
    """Every stand-in plus the shared ledger, faults, DNS records, options and moto."""

    def __init__(self, stand_in_paths: dict[str, str] | None = None) -> None:
        self.aws_account_id = AWS_ACCOUNT_ID
        self.lock = threading.RLock()
        self.dns = DnsRecords()
        #: the SIP stand-in's switches (silent hosts) and counts, served by sandbox.core.sip_uas
        self.sip = SipEdge()
        self.sip.source_allowed = lambda vendor, host, source: source_allowed(self, vendor, host, source)
        self.ledger = Ledger()
        self.faults = FaultRegistry()
        self.moto = MotoBridge(self.aws_account_id)
        #: set by the server once it is bound, e.g. "http://127.0.0.1:8700" and "127.0.0.1:8753"
        self.base_url = ""
        self.dns_address = ""
        self.sip_address = ""
        self._stand_ins: dict[str, VendorStandIn] = {}
        #: stand-in name → why it is not served
        self.absent: dict[str, str] = {}
        for name, path in (STAND_IN_PATHS if stand_in_paths is None else stand_in_paths).items():
            try:
                cls = _load_class(path)
            except (ImportError, AttributeError) as error:
                self.absent[name] = f"{path} not importable: {error}"
                logger.warning("stand-in %s is not served: %s", name, self.absent[name])
                continue
            self._stand_ins[name] = cls(self)
        self.calls = SimulatedCalls(self)
        self.options = Options({"moto": self.moto, "calls": self.calls, **self._stand_ins})

    # --- the contract's accessors ------------------------------------------------
    # For type checking: each known name's stand-in class (callers use its own methods).
    @overload
    def stand_in(self, name: Literal["chime"]) -> ChimeVoiceStandIn: ...
    @overload
    def stand_in(self, name: Literal["connect"]) -> ConnectStandIn: ...
    @overload
    def stand_in(self, name: Literal["genesys"]) -> GenesysStandIn: ...
    @overload
    def stand_in(self, name: Literal["synthflow"]) -> SynthflowStandIn: ...
    @overload
    def stand_in(self, name: Literal["twilio"]) -> TwilioStandIn: ...
    @overload
    def stand_in(self, name: Literal["vapi"]) -> VapiStandIn: ...
    @overload
    def stand_in(self, name: str) -> VendorStandIn: ...
    def stand_in(self, name: str) -> VendorStandIn:
        """The stand-in called `name` ("chime", "connect", "vapi", ...); StandInAbsent when not served."""
        try:
            return self._stand_ins[name]
        except KeyError:
            reason = self.absent.get(name, "no such stand-in")
            raise StandInAbsent(f"the {name} stand-in is not served ({reason})") from None

    def has_stand_in(self, name: str) -> bool:
        """Whether the stand-in called `name` is served."""
        return name in self._stand_ins

    @property
    def stand_ins(self) -> dict[str, VendorStandIn]:
        """Every served stand-in by name."""
        return dict(self._stand_ins)

    def moto_backend(self, service: str, region: str) -> Any:
        """moto's backend for `service` in the sandbox account (region "global" for IAM and STS)."""
        return self.moto.backend(service, region)

    # --- what the control API needs ----------------------------------------------
    @property
    def fault_vendors(self) -> set[str]:
        """Names a fault's `vendor` may take: ledger vendors and AWS signing names."""
        return {"aws", *HTTP_VENDORS, *MOTO_SERVICES, *AWS_STAND_IN_SERVICES}

    def known_operations(self, vendor: str) -> set[str] | None:
        """Operation names a fault on `vendor` may name, or None when the sandbox cannot tell."""
        if vendor in HTTP_VENDORS:
            stand_in = self._stand_ins.get(vendor)
            return (set(stand_in.operations()) or None) if stand_in else None
        services = (*MOTO_SERVICES, *AWS_STAND_IN_SERVICES) if vendor == "aws" else (vendor,)
        names: set[str] = set()
        for service in services:
            model = service_model(service)
            if model is not None:
                names |= model.operations
        return names or None

    def live_objects(self, vendor: str = "") -> list[LiveObject]:
        """Every live object at every vendor (or one vendor), moto's included."""
        with self.lock:
            objects: list[LiveObject] = []
            for stand_in in self._stand_ins.values():
                if not vendor or stand_in.vendor == vendor:
                    objects += stand_in.live_objects()
            if vendor in ("", "aws"):
                objects += self.moto.live_objects()
        return objects

    def reset(self) -> None:
        """Empty every vendor, the ledger, the faults and DNS; options back to their defaults."""
        with self.lock:
            self.faults.clear()
            self.dns.clear()
            self.sip.reset()
            self.moto.reset()
            for stand_in in self._stand_ins.values():
                stand_in.reset()
            self.ledger.clear()
            self.options.restore_defaults()
