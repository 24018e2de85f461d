"""The sandbox's control API under `/_sandbox/` (DESIGN §8): JSON in, JSON out.

GET  /_sandbox/                 endpoints to export, what is served
POST /_sandbox/reset            empty every vendor, the ledger, faults, DNS; options to defaults
POST /_sandbox/accounts         {"vendor": ...} → a ready account at that vendor
POST|GET|DELETE /_sandbox/faults[?id=]
GET  /_sandbox/ledger[?vendor=&since=]
GET  /_sandbox/dns[/<connector id>], PUT /_sandbox/dns/<connector id> {"ips": [...]}
GET|POST /_sandbox/options
GET|POST /_sandbox/sip          the SIP stand-in: {"silent_hosts": [...]} stop answering OPTIONS
POST /_sandbox/calls            a simulated call along the real path
POST /_sandbox/calls/refer      {"call_sid", "refer_to"}: a REFER on a Twilio call's <Dial><Sip> leg
POST /_sandbox/calls/warm-transfer  {"phone_number", "target"[, "source_ip"]}: Synthflow's warm transfer,
                                a new INVITE to the number's termination URI (a Twilio SIP Domain)
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.aws.accounts import create_aws_account
from sandbox.core.faults import FaultSpecError
from sandbox.core.options import OptionError
from sandbox.core.registry import MOTO_SERVICES, StandInAbsent

if TYPE_CHECKING:
    from sandbox.core.registry import Sandbox

CONTROL_PREFIX = "/_sandbox"
CONNECTOR_DOMAIN = "voiceconnector.chime.aws"

#: Patchbay setting → endpoint key of GET /_sandbox/
SETTINGS = {
    "AWS_ENDPOINT_URL": "aws",
    "VAPI_BASE_URL": "vapi",
    "SYNTHFLOW_BASE_URL": "synthflow",
    "GENESYS_BASE_URL": "genesys",
    "GENESYS_LOGIN_URL": "genesys_login",
    "TWILIO_BASE_URL": "twilio",
    "CHIME_DNS_SERVER": "dns",
    # Patchbay sends its SIP OPTIONS probes here once the target resolved (calls/target_addresses.py)
    "PROBE_HOST_OVERRIDE": "sip",
}


class ControlError(Exception):
    """A control-API request refused with a status and a message."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON answer of the control API."""
    return Response(json.dumps(data, indent=1, default=str), status=status, content_type="application/json")


def endpoints(sandbox: Sandbox, request: Request | None = None) -> dict[str, str]:
    """The vendor base URLs exactly as Patchbay's settings want them (it appends the vendor paths)."""
    base = sandbox.base_url or (request.host_url.rstrip("/") if request is not None else "")
    return {
        "aws": base,
        "vapi": f"{base}/vapi",  # + /credential, /phone-number, /assistant
        "synthflow": f"{base}/synthflow",  # + /v2/...
        "genesys": f"{base}/genesys",  # + /api/v2/...
        "genesys_login": f"{base}/genesys",  # + /oauth/token
        "twilio": f"{base}/twilio",  # + /2010-04-01/...
        "dns": sandbox.dns_address,
        "sip": sandbox.sip_address,  # UDP and TCP: the vendors' SIP edges, for OPTIONS probes
    }


def export_line(sandbox: Sandbox) -> str:
    """A shell line exporting every Patchbay setting that points at this sandbox."""
    urls = endpoints(sandbox)
    return "export " + " ".join(f"{setting}={urls[key]}" for setting, key in SETTINGS.items())


def served(sandbox: Sandbox) -> list[str]:
    """What this process serves, by stand-in name, plus moto's services."""
    return [*sandbox.stand_ins, *(f"moto:{service}" for service in MOTO_SERVICES)]


def _body(request: Request) -> dict[str, Any]:
    data = request.get_json(silent=True, force=True) if request.get_data() else {}
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return data


class ControlApi:
    """Dispatches `/_sandbox/...` requests."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._routes: dict[tuple[str, str], Callable[[Request, str], Response]] = {
            ("GET", ""): self.index,
            ("POST", "reset"): self.reset,
            ("POST", "accounts"): self.create_account,
            ("GET", "faults"): self.list_faults,
            ("POST", "faults"): self.add_fault,
            ("DELETE", "faults"): self.delete_faults,
            ("GET", "ledger"): self.ledger,
            ("GET", "dns"): self.get_dns,
            ("PUT", "dns"): self.put_dns,
            ("GET", "options"): self.get_options,
            ("POST", "options"): self.set_options,
            ("POST", "calls"): self.calls,
            ("GET", "sip"): self.get_sip,
            ("POST", "sip"): self.set_sip,
        }

    def dispatch(self, request: Request) -> Response:
        """Answer one control-API request."""
        rest = request.path[len(CONTROL_PREFIX) :].strip("/")
        section, _, tail = rest.partition("/")
        handler = self._routes.get((request.method, section))
        if handler is None:
            allowed = sorted(m for m, s in self._routes if s == section)
            if allowed:
                return json_response({"detail": f"use {' or '.join(allowed)} on {request.path}"}, 405)
            return json_response({"detail": f"no control endpoint {request.path}"}, 404)
        try:
            return handler(request, tail)
        except ControlError as error:
            return json_response({"detail": error.detail}, error.status)

    # --- endpoints -----------------------------------------------------------------------
    def index(self, request: Request, tail: str) -> Response:
        if tail:
            raise ControlError(404, f"no control endpoint {request.path}")
        return json_response(
            {
                "endpoints": endpoints(self.sandbox, request),
                "settings": {
                    setting: endpoints(self.sandbox, request)[key] for setting, key in SETTINGS.items()
                },
                "serving": served(self.sandbox),
                "absent": self.sandbox.absent,
                "aws_account_id": self.sandbox.aws_account_id,
            }
        )

    def reset(self, request: Request, tail: str) -> Response:
        self.sandbox.reset()
        return json_response(
            {"detail": "every vendor, the ledger, faults and DNS emptied; options at defaults"}
        )

    def create_account(self, request: Request, tail: str) -> Response:
        body = _body(request)
        vendor = body.get("vendor")
        try:
            if vendor == "aws":
                account = create_aws_account(self.sandbox, body)
            elif vendor in ("vapi", "synthflow", "genesys", "twilio"):
                with self.sandbox.lock:
                    account = self.sandbox.stand_in(vendor).create_account(body)
            else:
                raise ControlError(
                    400, f"unknown vendor {vendor!r}; known: aws, vapi, synthflow, genesys, twilio"
                )
        except StandInAbsent as absent:
            raise ControlError(501, str(absent)) from None
        except (ValueError, NotImplementedError) as error:
            # AccountSpecError and stand-ins' own ValueErrors are bad bodies; NotImplementedError: no accounts
            raise ControlError(400, str(error)) from None
        return json_response({"vendor": vendor, **account}, 201)

    def list_faults(self, request: Request, tail: str) -> Response:
        return json_response({"faults": [f.as_dict() for f in self.sandbox.faults.active()]})

    def add_fault(self, request: Request, tail: str) -> Response:
        body = _body(request)
        try:
            fault = self.sandbox.faults.add(body, known_vendors=self.sandbox.fault_vendors)
        except FaultSpecError as error:
            raise ControlError(400, str(error)) from None
        known = self.sandbox.known_operations(fault.vendor)
        if known is not None and fault.operation != "*" and fault.operation not in known:
            self.sandbox.faults.remove(fault.id)
            raise ControlError(400, f"{fault.vendor} has no operation {fault.operation!r}")
        return json_response(fault.as_dict(), 201)

    def delete_faults(self, request: Request, tail: str) -> Response:
        fault_id = request.args.get("id")
        if fault_id is None:
            count = len(self.sandbox.faults.active())
            self.sandbox.faults.clear()
            return json_response({"deleted": count})
        if not self.sandbox.faults.remove(fault_id):
            raise ControlError(404, f"no active fault {fault_id!r}")
        return json_response({"deleted": 1})

    def ledger(self, request: Request, tail: str) -> Response:
        vendor = request.args.get("vendor", "")
        try:
            since = int(request.args.get("since", "0"))
        except ValueError:
            raise ControlError(400, "'since' must be a request index (an integer)") from None
        requests = self.sandbox.ledger.requests(vendor=vendor, since=since)
        objects = self.sandbox.live_objects(vendor)
        return json_response(
            {
                "requests": [r.as_dict() for r in requests],
                "objects": [o.as_dict() for o in objects],
                "next": self.sandbox.ledger.next_index,
            }
        )

    def get_dns(self, request: Request, tail: str) -> Response:
        records = self.sandbox.dns.dump_state()
        if not tail:
            return json_response({"records": records})
        host = f"{tail}.{CONNECTOR_DOMAIN}"
        if host not in records:
            raise ControlError(404, f"no DNS record for {host}")
        return json_response({"host": host, "ips": records[host]})

    def put_dns(self, request: Request, tail: str) -> Response:
        if not tail or "/" in tail:
            raise ControlError(404, "use PUT /_sandbox/dns/<voice connector id>")
        host = f"{tail.lower()}.{CONNECTOR_DOMAIN}"
        ips = _body(request).get("ips")
        if not isinstance(ips, list) or not ips:
            raise ControlError(400, "'ips' must be a non-empty list of IPv4 addresses")
        for ip in ips:
            try:
                ipaddress.IPv4Address(ip)
            except (ipaddress.AddressValueError, ValueError):
                raise ControlError(400, f"{ip!r} is not an IPv4 address") from None
        with self.sandbox.lock:
            if self.sandbox.dns.get(host) is None:
                raise ControlError(400, f"no voice connector {tail!r}: {host} has no DNS record")
            self.sandbox.dns.set(host, [str(ipaddress.IPv4Address(ip)) for ip in ips])
        return json_response({"host": host, "ips": self.sandbox.dns.get(host)})

    def get_options(self, request: Request, tail: str) -> Response:
        return json_response({"options": self.sandbox.options.current()})

    def set_options(self, request: Request, tail: str) -> Response:
        try:
            with self.sandbox.lock:
                current = self.sandbox.options.set(_body(request))
        except OptionError as error:
            raise ControlError(400, str(error)) from None
        return json_response({"options": current})

    def calls(self, request: Request, tail: str) -> Response:
        if tail == "refer":
            return self.refer(_body(request))
        if tail == "warm-transfer":
            return self.warm_transfer(_body(request))
        if tail:
            raise ControlError(404, f"no control endpoint /_sandbox/calls/{tail}")
        status, answer = self.sandbox.calls.run(_body(request))
        return json_response(answer, status)

    def refer(self, body: dict[str, Any]) -> Response:
        """A cold transfer on a placed Twilio call (sandbox/twilio/refer.py); outside the sandbox lock."""
        call_sid, refer_to = body.get("call_sid"), body.get("refer_to")
        if not isinstance(call_sid, str) or not isinstance(refer_to, str):
            raise ControlError(
                400, 'give "call_sid" (a placed Twilio call) and "refer_to" (the Refer-To URI)'
            )
        if not self.sandbox.has_stand_in("twilio"):
            raise ControlError(501, "the twilio stand-in is not served")
        try:
            answer = self.sandbox.stand_in("twilio").sip_refer(call_sid, refer_to)
        except ValueError as unknown:
            raise ControlError(404, str(unknown)) from None
        return json_response(answer)

    def warm_transfer(self, body: dict[str, Any]) -> Response:
        """Synthflow's warm transfer on a call to `phone_number`: its INVITE to the number's termination URI
        reaches the Twilio stand-in's SIP edge (sandbox/twilio/sip_domain_call.py); outside the lock."""
        phone_number, target, source_ip = (
            body.get("phone_number"),
            body.get("target"),
            body.get("source_ip", ""),
        )
        if not isinstance(phone_number, str) or not isinstance(target, str) or not isinstance(source_ip, str):
            raise ControlError(
                400,
                'give "phone_number" (a Synthflow number), "target" (the number to transfer to), '
                'optionally "source_ip" (default: a Synthflow signalling address of the number\'s region)',
            )
        for vendor in ("synthflow", "twilio"):
            if not self.sandbox.has_stand_in(vendor):
                raise ControlError(501, f"the {vendor} stand-in is not served")
        try:
            invite = self.sandbox.stand_in("synthflow").warm_transfer_invite(phone_number, target, source_ip)
        except ValueError as unknown:
            raise ControlError(404, str(unknown)) from None
        twilio = self.sandbox.stand_in("twilio")
        answer = twilio.sip_domain_invite(invite["request_uri"], invite["from_uri"], invite["source_ip"])
        return json_response(answer)

    def get_sip(self, request: Request, tail: str) -> Response:
        return json_response({"address": self.sandbox.sip_address, **self.sandbox.sip.state()})

    def set_sip(self, request: Request, tail: str) -> Response:
        hosts = _body(request).get("silent_hosts")
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip() for h in hosts):
            raise ControlError(
                400, "'silent_hosts' must be a list of host names (or * patterns); [] answers all"
            )
        self.sandbox.sip.set_silent_hosts([h.strip() for h in hosts])
        return json_response({"address": self.sandbox.sip_address, **self.sandbox.sip.state()})
