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
from sandbox.core.vendor import LiveObject
from sandbox.synthflow import assistants, calls, numbers, rules
from sandbox.synthflow.network import SynthflowRegion
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

ROUTES = RouteTable(
    [
        Route(
            "POST",
            "/v2/custom-numbers",
            "CreateCustomNumber",
            numbers.create_custom_number,
            rules.custom_number_rules(),
        ),
        Route(
            "GET",
            "/v2/numbers",
            "ListNumbers",
            numbers.list_numbers,
            query_rules=rules.list_numbers_query_rules(),
        ),
        Route("GET", "/v2/numbers/{slug}", "GetNumber", numbers.get_number),
        Route(
            "PATCH", "/v2/numbers/{slug}", "UpdateNumber", numbers.update_number, rules.number_update_rules()
        ),
        Route("DELETE", "/v2/numbers/{slug}", "DeleteNumber", numbers.delete_number),
        Route(
            "POST",
            "/v2/assistants",
            "CreateAssistant",
            assistants.create_assistant,
            rules.assistant_rules(update=False),
        ),
        Route("GET", "/v2/assistants", "ListAssistants", assistants.list_assistants),
        Route("GET", "/v2/assistants/{model_id}", "GetAssistant", assistants.get_assistant),
        Route(
            "PUT",
            "/v2/assistants/{model_id}",
            "UpdateAssistant",
            assistants.update_assistant,
            rules.assistant_rules(update=True),
        ),
        Route("DELETE", "/v2/assistants/{model_id}", "DeleteAssistant", assistants.delete_assistant),
        Route(
            "PUT",
            "/v2/assistants/{model_id}/phone_numbers",
            "AttachPhoneNumbers",
            assistants.attach_phone_numbers,
            rules.attach_rules(),
        ),
        Route(
            "DELETE",
            "/v2/assistants/{model_id}/phone_numbers/{slug}",
            "DetachPhoneNumber",
            assistants.detach_phone_number,
        ),
        Route(
            "POST",
            "/v2/prepare_inbound",
            "PrepareInbound",
            calls.prepare_inbound,
            rules.prepare_inbound_rules(),
        ),
        Route("GET", "/v2/calls", "ListCalls", calls.list_calls, query_rules=rules.list_calls_query_rules()),
        Route("GET", "/v2/calls/{call_id}", "GetCall", calls.get_call),
        Route("POST", "/v2/calls", "CreateCall", calls.create_call, rules.create_call_rules()),
    ]
)

S12, S14, S15, SIP = rules.S12, rules.S14, rules.S15, "PROVIDERS.md §1.5-1.7"


#: inbound assistants one control-API account may start with
MAX_ACCOUNT_ASSISTANTS = 10


class SynthflowStandIn(HttpVendorStandIn):
    """Synthflow's v2 REST API and SIP edge; one account per API key, each with one workspace."""

    vendor = "synthflow"
    path_prefix = "/synthflow"
    routes = ROUTES
    #: §1.2: the current spec 400s a custom number without termination_uri; older guides omit it (UNCONFIRMED)
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
        RuleNote(
            "CreateCustomNumber",
            "workspace_id",
            "must exist (404) and belong to the key's account (403)",
            S12,
        ),
        RuleNote("CreateCustomNumber", "phone_number", "not already imported in the workspace", "sandbox"),
        RuleNote(
            "UpdateNumber", "provider_name", "a non-auto provider without a SIP domain → 400", rules.S13
        ),
        RuleNote("UpdateNumber", "uac_enabled", "needs trunk_username and trunk_pwd", rules.S13),
        RuleNote("CreateAssistant", "voicemail_message", "needs agent.greeting_message_mode human", S14),
        RuleNote(
            "AttachPhoneNumbers", "phone_numbers", "one of phone_numbers / phone_number_slugs required", S14
        ),
        RuleNote(
            "AttachPhoneNumbers", "phone_numbers", "every number imported in the workspace, else 404", S14
        ),
        RuleNote("AttachPhoneNumbers", "phone_numbers", "an inbound assistant takes one number", S12),
        RuleNote("AttachPhoneNumbers", "phone_numbers", "a number serves one inbound assistant", S12),
        RuleNote("PrepareInbound", "custom_variables", "an object of string values", S15),
        RuleNote("PrepareInbound", "model_id", "an inbound assistant of the account", S15),
        RuleNote("CreateCall", "model_id", "an outbound assistant of the account", rules.S18),
        RuleNote("*", "Authorization", "Bearer API key of an account", "PROVIDERS.md §1.1"),
        RuleNote("SIP INVITE", "Request-URI host", "sip[.us|.eu].synthflow.ai of the number's region", SIP),
        RuleNote("SIP INVITE", "Request-URI port", "32681 (UDP/TCP) or 32682 (TLS)", SIP),
        RuleNote(
            "SIP INVITE", "Request-URI user", "an imported E.164 number bound to an inbound assistant", SIP
        ),
        RuleNote(
            "SIP INVITE", "X-EI", "S. id a registered prepared call (option strict_prepared_call_id)", SIP
        ),
        RuleNote(
            "SIP INVITE", "X-*", "name ^X-[A-Za-z0-9\\-_]+$, value without CR/LF/NUL, else dropped", SIP
        ),
    )

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
                body = {"type": "inbound", "name": name if index == 0 else f"{name} {index + 1}", "agent": {}}
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

    # -- helpers the handlers share -------------------------------------------------------------------

    def ok(self, response: dict[str, Any], **extra: Any) -> Response:
        """The success envelope `{"status": "ok", "response": {...}}`."""
        return json_response({"status": "ok", "response": response, **extra})

    def raise_violations(self, violations: list[Violation]) -> None:
        """Synthflow's 400 naming every broken rule."""
        if violations:
            raise VendorHttpError(400, "validation_error", "; ".join(v.message for v in violations))

    def workspace_of(self, call: HttpCall, workspace_id: str) -> dict[str, Any]:
        """The workspace, which must exist (404) and be the caller's (403)."""
        workspace = self.workspaces.get(workspace_id)
        if workspace is None:
            raise VendorHttpError(404, "not_found", f"Workspace {workspace_id} not found")
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
        """Model ids of the assistants a number is attached to."""
        return [
            a["model_id"]
            for a in self.assistants.values()
            if a["workspace_id"] == number["workspace_id"] and number["slug"] in a["phone_numbers"]
        ]

    def is_available(self, number: dict[str, Any]) -> bool:
        """True when no inbound assistant has the number (§1.3)."""
        return not any(self.assistants[m]["type"] == "inbound" for m in self.assistants_of(number))

    def inbound_assistant_for(
        self, e164: str, region: str
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(inbound assistant, number) for an imported number of `region`, or (None, None)."""
        for number in self.numbers.values():
            if number["phone_number"] != e164 or number["region"] != region:
                continue
            for model_id in self.assistants_of(number):
                if self.assistants[model_id]["type"] == "inbound":
                    return self.assistants[model_id], number
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
