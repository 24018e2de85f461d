"""The Synthflow stand-in: numbers, assistants, prepare_inbound, calls and the SIP edge (PROVIDERS.md §1)."""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.field_rules import Violation
from sandbox.core.http_routes import Route, RouteTable
from sandbox.core.http_vendor import (
    HttpCall,
    HttpVendorStandIn,
    RuleNote,
    VendorHttpError,
    json_response,
    new_id,
)
from sandbox.core.vendor import LiveObject, Routed
from sandbox.synthflow import assistants, calls, numbers, reference, rules
from sandbox.synthflow.conformance import ConformanceLog
from sandbox.synthflow.network import SIGNALLING_CIDRS, SIP_HOSTS, SynthflowRegion
from sandbox.synthflow.sip import receive_invite

#: error category per HTTP status (the `category` string of `{"detail": ...}`; values UNCONFIRMED)
_CATEGORIES = {
    400: "validation_error",
    401: "authentication_error",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "rate_limit_exceeded",
}


def _route(name: str, handler: Any) -> Route:
    """The route of a documented operation: method and path from reference.json, rules from rules.py."""
    op = reference.operation(name)
    return Route(op["method"], op["path"], name, handler, rules.body_rules(name), rules.query_rules(name))


ROUTES = RouteTable(
    [
        _route("CreateCustomNumber", numbers.create_custom_number),
        _route("ListNumbers", numbers.list_numbers),
        _route("GetNumber", numbers.get_number),
        _route("UpdateNumber", numbers.update_number),
        _route("DeleteNumber", numbers.delete_number),
        _route("CreateAssistant", assistants.create_assistant),
        _route("ListAssistants", assistants.list_assistants),
        _route("GetAssistant", assistants.get_assistant),
        _route("UpdateAssistant", assistants.update_assistant),
        _route("DeleteAssistant", assistants.delete_assistant),
        _route("AttachPhoneNumbers", assistants.attach_phone_numbers),
        _route("DetachPhoneNumber", assistants.detach_phone_number),
        _route("PrepareInbound", calls.prepare_inbound),
        _route("ListCalls", calls.list_calls),
        _route("GetCall", calls.get_call),
        _route("CreateCall", calls.create_call),
    ]
)

SIP = "PROVIDERS.md §1.5-1.7"
_S = reference.source_of


#: inbound assistants one control-API account may start with
MAX_ACCOUNT_ASSISTANTS = 10


class SynthflowStandIn(HttpVendorStandIn):
    """Synthflow's v2 REST API and SIP edge; one account per API key, each with one workspace."""

    vendor = "synthflow"
    path_prefix = "/synthflow"
    routes = ROUTES
    #: the current reference 400s a custom number without termination_uri; older guides omit it (UNCONFIRMED)
    strict_termination_uri: bool = True
    #: an X-EI `S.` id that is not a registered prepared call is refused (404) rather than started afresh
    strict_prepared_call_id: bool = True
    #: answer prepare_inbound with `call_status: failed`, as Synthflow does during an outage (§1.5)
    prepare_inbound_outage: bool = False
    #: seconds a prepared call id stays usable (lifetime UNCONFIRMED); 0 = forever
    prepared_call_ttl_seconds: int = 60
    tunables = ("prepare_inbound_outage", "prepared_call_ttl_seconds")
    option_docs = {
        "strict_termination_uri": "require termination_uri for custom, twilio, telnyx, vonage, ring_central",
        "strict_prepared_call_id": "refuse an INVITE whose X-EI S. id is not a live prepared call (404)",
        "prepare_inbound_outage": "prepare_inbound answers call_status failed (simulated outage)",
        "prepared_call_ttl_seconds": "how long a prepared call id is accepted by the SIP edge (0 = forever)",
    }
    rule_notes = (
        RuleNote("*", "body, query", "a field reference.json does not document → 400", "sandbox"),
        RuleNote("CreateCustomNumber", "workspace_id", "an unknown workspace → 400, another account's → 403",
                 _S("CreateCustomNumber")),
        RuleNote("CreateCustomNumber", "phone_number", "not already imported in the workspace", "sandbox"),
        RuleNote("GetNumber", "phone_number_slug", "a number not imported → 400 (the only error documented)",
                 _S("GetNumber")),
        RuleNote("UpdateNumber", "provider_name", "a non-auto provider without a SIP domain → 400",
                 _S("UpdateNumber")),
        RuleNote("CreateAssistant", "voicemail_message", "needs agent.greeting_message_mode human",
                 _S("CreateAssistant")),
        RuleNote("UpdateAssistant", "phone_number", "the agent's number: imported in the workspace, else 400",
                 _S("UpdateAssistant")),
        RuleNote("UpdateAssistant", "phone_number", "a number serves one inbound agent (400)",
                 rules.PHONE_NUMBERS_PAGE),
        RuleNote("GetAssistant", "model_id", "an unknown agent → 400 (the only error documented)",
                 _S("GetAssistant")),
        RuleNote("AttachPhoneNumbers", "phone_numbers", "exactly one of phone_numbers / phone_number_slugs",
                 _S("AttachPhoneNumbers")),
        RuleNote("AttachPhoneNumbers", "model_id", "an outbound agent ('to an outbound agent'), else 400",
                 _S("AttachPhoneNumbers")),
        RuleNote("AttachPhoneNumbers", "phone_numbers", "every number imported in the workspace, else 404",
                 _S("AttachPhoneNumbers")),
        RuleNote("DetachPhoneNumber", "phone_number_slug", "an attached outbound number, else 404",
                 _S("DetachPhoneNumber")),
        RuleNote("PrepareInbound", "custom_variables", "an object of string values", rules.PREPARE_INBOUND),
        RuleNote("PrepareInbound", "model_id", "an inbound assistant of the account", rules.PREPARE_INBOUND),
        RuleNote("CreateCall", "model_id", "an outbound assistant of the account", _S("CreateCall")),
        RuleNote("*", "Authorization", "Bearer API key of an account", "PROVIDERS.md §1.1"),
        RuleNote("SIP INVITE", "Request-URI host", "sip[.us|.eu].synthflow.ai of the number's region", SIP),
        RuleNote("SIP INVITE", "Request-URI port", "32681 (UDP/TCP) or 32682 (TLS)", SIP),
        RuleNote("SIP INVITE", "Request-URI user", "an imported E.164 number of an inbound agent", SIP),
        RuleNote(
            "SIP INVITE", "X-EI", "S. id a registered prepared call (option strict_prepared_call_id)", SIP
        ),
        RuleNote(
            "SIP INVITE", "X-*", "name ^X-[A-Za-z0-9\\-_]+$, value without CR/LF/NUL, else dropped", SIP
        ),
    )  # fmt: skip

    def __init__(self, sandbox: Any) -> None:
        #: findings of every exchange checked against reference.json; survives resets, like the ledger
        self.conformance = ConformanceLog()
        super().__init__(sandbox)

    def reset_state(self) -> None:
        """Forget every account, workspace, number, assistant, call and received INVITE."""
        self.api_keys: dict[str, str] = {}  # API key → account id
        self.workspaces: dict[str, dict[str, Any]] = {}  # id → {id, account_id, region}
        self.numbers: dict[str, dict[str, Any]] = {}  # key → number
        self.assistants: dict[str, dict[str, Any]] = {}  # model_id → assistant
        self.calls: dict[str, dict[str, Any]] = {}  # call_id → call record
        #: every INVITE `sip_invite` answered, oldest first
        self.received_calls: list[dict[str, Any]] = []

    # -- accounts, auth and errors ---------------------------------------------------------------------

    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new account, its workspace and inbound assistants (`assistants`, default 1):
        `{api_key, workspace_id, assistant_id, assistant_ids}` (`assistant_id` is the first).

        An inbound assistant takes one phone number, so a tenant with several
        Synthflow integrations needs one assistant each.
        """
        region = params.get("region", SynthflowRegion.GLOBAL)
        if region not in tuple(SynthflowRegion):
            raise ValueError(f"synthflow region must be one of {', '.join(SynthflowRegion)}, got {region!r}")
        count = params.get("assistants", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_ACCOUNT_ASSISTANTS:
            raise ValueError(
                f"assistants must be a whole number from 1 to {MAX_ACCOUNT_ASSISTANTS}, got {count!r}"
            )
        with self._lock:
            account_id, api_key = new_id(), f"sf-{uuid.uuid4().hex}"
            # Workspace ids look like Bubble ids: "<ms epoch>x<18 digits>".
            workspace_id = f"{int(time.time() * 1000)}x{random.randrange(10**17, 10**18)}"
            self.api_keys[api_key] = account_id
            self.workspaces[workspace_id] = {
                "id": workspace_id,
                "account_id": account_id,
                "region": str(region),
            }
            name = params.get("assistant_name", "Sandbox inbound assistant")
            ids = []
            for index in range(count):
                body: dict[str, Any] = {
                    "type": "inbound",
                    "name": name if index == 0 else f"{name} {index + 1}",
                    "agent": {},
                }
                assistant = assistants.new_assistant(self, account_id, workspace_id, body)
                self.assistants[assistant["model_id"]] = assistant
                ids.append(assistant["model_id"])
            return {
                "api_key": api_key,
                "workspace_id": workspace_id,
                "assistant_id": ids[0],
                "assistant_ids": ids,
            }

    def authenticate(self, request: Request) -> Any:
        """The account of the Bearer API key, or Synthflow's 401."""
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        account = self.api_keys.get(key.strip()) if scheme.lower() == "bearer" else None
        return account if account is not None else self.error(401, "", "Invalid or missing API key")

    def error(self, status: int, code: str, message: str) -> Response:
        """`{"detail": {status, description, request_id, category}}` (PROVIDERS.md §1.1)."""
        category = code if code and "." not in code else _CATEGORIES.get(status, "server_error")
        detail = {"status": "error", "description": message, "request_id": new_id(), "category": category}
        return json_response({"detail": detail}, status)

    def route(self, request: Request, path: str) -> Routed | Response:
        """Route as the base does; an answer given before any operation (401, 404, 405) is checked too."""
        routed = super().route(request, path)
        if isinstance(routed, Response):
            self.conformance.note_answer(request, "", routed)
        return routed

    def _run(self, call: HttpCall) -> Response:
        """Validate the request against reference.json, run the handler, check the answer's shape."""
        with self._lock:
            problems: list[str] = []
            try:
                problems = self._request_problems(call)
                if problems:
                    raise VendorHttpError(400, "validation_error", "; ".join(problems))
                response = call.route.handler(self, call)
            except VendorHttpError as exc:
                response = self.render_error(exc)
            self.conformance.note_request(call.request, call.route.operation, problems, response.status_code)
            self.conformance.note_answer(call.request, call.route.operation, response)
            return response

    def _request_problems(self, call: HttpCall) -> list[str]:
        query, body = call.query(), call.json()
        violations: list[Violation] = [*call.query_violations(query), *call.body_violations(body)]
        return [v.message for v in violations] + reference.request_problems(call.route.operation, query, body)

    # -- helpers the handlers share -------------------------------------------------------------------

    def ok(self, response: dict[str, Any], **extra: Any) -> Response:
        """The success envelope `{"status": "ok", "response": {...}}`."""
        return json_response({"status": "ok", "response": response, **extra})

    def status_ok(self) -> Response:
        """The answer of operations documented as `{status}` only (PATCH/DELETE number, attach)."""
        return json_response({"status": "ok"})

    def workspace_of(self, call: HttpCall, workspace_id: str, *, unknown_status: int = 400) -> dict[str, Any]:
        """The workspace, which must exist (`unknown_status`, 400 where only 400 is documented)
        and be the caller's (403)."""
        workspace = self.workspaces.get(workspace_id)
        if workspace is None:
            raise VendorHttpError(unknown_status, "validation_error", f"Workspace {workspace_id} not found")
        if workspace["account_id"] != call.account:
            raise VendorHttpError(403, "permission_denied", f"No access to workspace {workspace_id}")
        return workspace

    def workspaces_of(self, account_id: str) -> list[str]:
        """The ids of an account's workspaces."""
        return [w["id"] for w in self.workspaces.values() if w["account_id"] == account_id]

    def find_number(self, workspace_id: str, slug: str) -> dict[str, Any] | None:
        """The number with this slug (E.164 without `+`) in the workspace."""
        slug = slug.lstrip("+")
        return next(
            (n for n in self.numbers.values() if n["workspace_id"] == workspace_id and n["slug"] == slug),
            None,
        )

    def assistants_of(self, number: dict[str, Any]) -> list[str]:
        """Model ids of the agents a number belongs to: as their own number, or attached for outbound."""
        return [
            a["model_id"]
            for a in self.assistants.values()
            if a["workspace_id"] == number["workspace_id"]
            and (a["phone_number"] == number["slug"] or number["slug"] in a["attached"])
        ]

    def inbound_agent_of(self, number: dict[str, Any]) -> dict[str, Any] | None:
        """The inbound agent whose number this is (at most one, PROVIDERS.md §1.2), or None."""
        return next(
            (
                a
                for a in self.assistants.values()
                if a["type"] == "inbound"
                and a["workspace_id"] == number["workspace_id"]
                and a["phone_number"] == number["slug"]
            ),
            None,
        )

    def is_available(self, number: dict[str, Any]) -> bool:
        """True when no inbound agent has the number ("available for inbound assignment")."""
        return self.inbound_agent_of(number) is None

    def inbound_assistant_for(
        self, e164: str, region: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(inbound assistant, number) for an imported number of `region`, or (None, None)."""
        for number in self.numbers.values():
            if number["phone_number"] != e164 or number["region"] != region:
                continue
            agent = self.inbound_agent_of(number)
            if agent is not None:
                return agent, number
        return None, None

    def page_params(self, query: dict[str, str]) -> tuple[int, int]:
        """`limit` (default 20, ≥1) and `offset` (default 0, ≥0) from a query string."""
        limit, offset = query.get("limit", "20"), query.get("offset", "0")
        if not limit.isdigit() or int(limit) < 1 or not offset.isdigit():
            raise VendorHttpError(400, "validation_error", "limit must be an integer >= 1 and offset >= 0")
        return int(limit), int(offset)

    def now(self) -> str:
        """ISO-8601 UTC timestamp."""
        return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

    # -- ledger and SIP -------------------------------------------------------------------------------------

    def live_objects(self) -> list[LiveObject]:
        """Every imported number (named by friendly_name, else the number) and every assistant."""
        with self._lock:
            return [
                *(
                    LiveObject(
                        "synthflow", "synthflow.number", n["key"], n["friendly_name"] or n["phone_number"]
                    )
                    for n in self.numbers.values()
                ),
                *(
                    LiveObject("synthflow", "synthflow.assistant", a["model_id"], a.get("name") or "")
                    for a in self.assistants.values()
                ),
            ]

    def sip_invite(self, request_uri: str, source_ip: str, headers: dict[str, str]) -> tuple[int, str]:
        """Answer an INVITE (200, or 404/408 as Synthflow would) and record it in `received_calls`."""
        with self._lock:
            return receive_invite(self, request_uri, source_ip, headers)

    def warm_transfer_invite(self, phone_number: str, target: str, source_ip: str = "") -> dict[str, str]:
        """The INVITE Synthflow sends for a warm transfer on a call to `phone_number` (an imported number):
        a new call to its termination URI (`sip_term_uri`) with the target as Request-URI user, from one
        of the signalling addresses of the number's region (§1.7, §1.9). ValueError for an unknown number
        or one without a termination URI."""
        with self._lock:
            number = next((n for n in self.numbers.values() if n["phone_number"] == phone_number), None)
            if number is None:
                raise ValueError(f"{phone_number} is not a number imported into Synthflow")
            host = str(number.get("sip_term_uri") or "").strip()
            region = number["region"]
        if not host:
            raise ValueError(f"{phone_number} has no termination URI: Synthflow has nowhere to transfer to")
        host = host.removeprefix("sip:").removeprefix("sips:").split(";")[0]
        source = source_ip or str(next(iter(SIGNALLING_CIDRS[region])).split("/")[0])
        return {
            "request_uri": f"sip:{target}@{host}",
            "from_uri": f"sip:{phone_number}@{SIP_HOSTS[region]}",
            "source_ip": source,
        }
