"""The Twilio stand-in: IncomingPhoneNumbers over the 2010-04-01 API, and simulated inbound calls."""

from __future__ import annotations

import base64
import binascii
import secrets
from typing import Any

from werkzeug.wrappers import Request, Response

from sandbox.core.field_rules import Violation, is_e164
from sandbox.core.http_routes import Route, RouteTable
from sandbox.core.http_vendor import HttpVendorStandIn, RuleNote, VendorHttpError, json_response
from sandbox.core.vendor import LiveObject
from sandbox.twilio import numbers, rules, sip, sip_rules
from sandbox.twilio.refer import refer
from sandbox.twilio.sip_domain_call import parse_request_uri, route_invite, run_domain_call
from sandbox.twilio.status_callbacks import send_status_callbacks
from sandbox.twilio.voice_call import PlacedCall, new_call_sid, run_webhooks, voice_params

NUMBERS = "/2010-04-01/Accounts/{account_sid}/IncomingPhoneNumbers"
SIP = "/2010-04-01/Accounts/{account_sid}/SIP"
ACLS = SIP + "/IpAccessControlLists"
ADDRESSES = ACLS + "/{acl_sid}/IpAddresses"
DOMAINS = SIP + "/Domains"
#: area codes whose 555-0100..0199 numbers (the NANP's fictional range) the sandbox hands out, 415 first:
#: 1,000 numbers, enough for the N=1000 reconcile bench (bench/bench_reconcile_scale.py)
FICTIONAL_AREA_CODES = ("415", "206", "212", "312", "646", "617", "303", "512", "702", "213")
CALL_MAPPINGS = DOMAINS + "/{domain_sid}/Auth/Calls/IpAccessControlListMappings"
_PAGING = rules.list_query_rules()

ROUTES = RouteTable(
    [
        Route("GET", NUMBERS + ".json", "ListIncomingPhoneNumbers", numbers.list_numbers,
              query_rules=rules.list_query_rules()),
        Route("GET", NUMBERS + "/{sid}.json", "FetchIncomingPhoneNumber", numbers.fetch_number),
        Route("POST", NUMBERS + "/{sid}.json", "UpdateIncomingPhoneNumber", numbers.update_number,
              rules.update_rules()),
        Route("GET", ACLS + ".json", "ListSipIpAccessControlList", sip.list_acls, query_rules=_PAGING),
        Route("POST", ACLS + ".json", "CreateSipIpAccessControlList", sip.create_acl,
              sip_rules.create_acl_rules()),
        Route("GET", ACLS + "/{sid}.json", "FetchSipIpAccessControlList", sip.fetch_acl),
        Route("DELETE", ACLS + "/{sid}.json", "DeleteSipIpAccessControlList", sip.delete_acl),
        Route("GET", ADDRESSES + ".json", "ListSipIpAddress", sip.list_addresses, query_rules=_PAGING),
        Route("POST", ADDRESSES + ".json", "CreateSipIpAddress", sip.create_address,
              sip_rules.create_address_rules()),
        Route("DELETE", ADDRESSES + "/{sid}.json", "DeleteSipIpAddress", sip.delete_address),
        Route("GET", DOMAINS + ".json", "ListSipDomain", sip.list_domains, query_rules=_PAGING),
        Route("POST", DOMAINS + ".json", "CreateSipDomain", sip.create_domain,
              sip_rules.create_domain_rules()),
        Route("GET", DOMAINS + "/{sid}.json", "FetchSipDomain", sip.fetch_domain),
        Route("POST", DOMAINS + "/{sid}.json", "UpdateSipDomain", sip.update_domain,
              sip_rules.update_domain_rules()),
        Route("DELETE", DOMAINS + "/{sid}.json", "DeleteSipDomain", sip.delete_domain),
        Route("GET", CALL_MAPPINGS + ".json", "ListSipAuthCallsIpAccessControlListMapping",
              sip.list_call_mappings, query_rules=_PAGING),
        Route("POST", CALL_MAPPINGS + ".json", "CreateSipAuthCallsIpAccessControlListMapping",
              sip.create_call_mapping, sip_rules.create_mapping_rules()),
        Route("DELETE", CALL_MAPPINGS + "/{sid}.json", "DeleteSipAuthCallsIpAccessControlListMapping",
              sip.delete_call_mapping),
    ]
)  # fmt: skip

#: Twilio error code per status when a caller (e.g. an injected fault) gives none
_CODES = {400: 400, 401: 20003, 403: 20403, 404: 20404, 405: 20004, 429: 20429, 500: 20500, 503: 20503}


class TwilioStandIn(HttpVendorStandIn):
    """Twilio's IncomingPhoneNumbers API with Basic auth, and the voice webhook of an inbound call."""

    vendor = "twilio"
    path_prefix = "/twilio"
    routes = ROUTES
    #: seconds place_call waits for the voice webhook (Twilio itself allows 15 s, PROVIDERS.md §3)
    webhook_timeout_seconds: int = 5
    tunables = ("webhook_timeout_seconds",)
    option_docs = {
        "webhook_timeout_seconds": "how long place_call waits for VoiceUrl before trying the fallback"
    }
    rule_notes = (
        RuleNote(
            "*",
            "Authorization",
            "Basic AccountSid:AuthToken of an account, else 401 20003",
            "PROVIDERS.md §3",
        ),
        RuleNote(
            "*", "AccountSid (path)", "must be the authenticated account, else 404 20404", "PROVIDERS.md §3"
        ),
        RuleNote("UpdateIncomingPhoneNumber", "(body)", "form-encoded only", "PROVIDERS.md §3"),
        RuleNote("place_call", "<Dial><Sip> headers", "x- prefix (not X-Twilio) or an allowed name", "§3"),
        RuleNote("place_call", "<Dial><Sip> headers", "headers part < 1024 characters (21227)", "§3"),
        RuleNote(
            "sip_refer",
            "<Dial referUrl>",
            "a REFER on a <Dial> without referUrl is refused (13802); else referUrl is asked, signed",
            "twilio.com/docs/api/errors/13802, /docs/voice/api/refer-to-twilio",
        ),
        RuleNote(
            "sip_domain_invite",
            "source address",
            "an INVITE to a SIP Domain is accepted only from an address in an ACL mapped for calls, else 403",
            "twilio.com/docs/voice/sip/api/sip-ipaccesscontrollistmapping-resource",
        ),
        RuleNote(
            "sip_domain_invite",
            "Request-URI host",
            "a host that is no SIP Domain of any account (e.g. sip.twilio.com) routes nowhere: 404",
            "twilio.com/docs/api/twilio-sip/sip-domains",
        ),
    )

    def reset_state(self) -> None:
        """Forget every account, number and placed call."""
        self.accounts: dict[str, dict[str, str]] = {}  # AccountSid → {account_sid, auth_token}
        self.numbers: dict[str, dict[str, Any]] = {}  # PN sid → number resource
        #: every call `place_call` ran, oldest first (webhook requests, TwiML, the dial it ended in)
        self.placed_calls: list[dict[str, Any]] = []
        self.acls: dict[str, dict[str, Any]] = {}  # AL sid → list, with its `addresses` by IP sid
        self.domains: dict[str, dict[str, Any]] = {}  # SD sid → domain, with its `call_acls` (AL sids)
        #: every INVITE `sip_domain_invite` handled, oldest first
        self.domain_calls: list[dict[str, Any]] = []

    # -- accounts, auth and errors ---------------------------------------------------------------------

    def create_account(self, params: dict[str, Any]) -> dict[str, Any]:
        """A new account with one number (or one more number on `account_sid`).

        Returns `{account_sid, auth_token, phone_number, phone_number_sid}`; `phone_number`
        (E.164) may be given, otherwise a free +1 NXX 555 01xx number is picked (415 first).
        """
        with self._lock:
            phone_number = params.get("phone_number") or self._free_number()
            if not isinstance(phone_number, str) or not is_e164(phone_number):
                raise ValueError(f"twilio phone_number must be a valid E.164 number, got {phone_number!r}")
            if any(n["phone_number"] == phone_number for n in self.numbers.values()):
                raise ValueError(f"twilio number {phone_number} already belongs to an account")
            if params.get("account_sid"):
                account = self.accounts.get(params["account_sid"])
                if account is None:
                    raise ValueError(f"no twilio account {params['account_sid']}")
            else:
                account = {"account_sid": "AC" + secrets.token_hex(16), "auth_token": secrets.token_hex(16)}
                self.accounts[account["account_sid"]] = account
            sid = "PN" + secrets.token_hex(16)
            self.numbers[sid] = numbers.new_number(account["account_sid"], sid, phone_number)
            return {**account, "phone_number": phone_number, "phone_number_sid": sid}

    def authenticate(self, request: Request) -> Any:
        """The AccountSid of valid Basic credentials, or Twilio's 401 20003."""
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        account_sid, secret = "", ""
        if scheme.lower() == "basic":
            try:
                account_sid, _, secret = (
                    base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
                )
            except (binascii.Error, UnicodeDecodeError):
                account_sid = ""
        account = self.accounts.get(account_sid)
        if account is None or not secrets.compare_digest(account["auth_token"], secret):
            response = self.error(401, "20003", "Authenticate")
            response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
            return response
        return account_sid

    def error(self, status: int, code: str, message: str) -> Response:
        """`{code, message, more_info, status}` (PROVIDERS.md §3)."""
        number = int(code) if code.isdigit() else _CODES.get(status, status)
        body = {
            "code": number,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{number}",
        }
        return json_response({**body, "status": status}, status)

    def not_found(self, method: str, path: str) -> Response:
        """Twilio's 404 names the resource."""
        return self.error(404, "20404", f"The requested resource {path} was not found")

    def method_not_allowed(self, method: str, path: str, allowed: tuple[str, ...]) -> Response:
        """Twilio's 405 is code 20004."""
        response = self.error(405, "20004", "Method not allowed")
        response.headers["Allow"] = ", ".join(allowed)
        return response

    def throttle(self) -> Response:
        """Twilio's 429 (code 20429)."""
        return self.error(429, "20429", "Too Many Requests")

    def raise_violations(self, violations: list[Violation]) -> None:
        """Twilio answers the first bad parameter, with that parameter's own error code."""
        if violations:
            first = violations[0]
            raise VendorHttpError(400, first.code or "400", first.message)

    # -- the ledger and the simulated call ---------------------------------------------------------------

    def live_objects(self) -> list[LiveObject]:
        """Every number, IP ACL and SIP Domain, named by its friendly name (a domain without one by its
        domain name); an ACL's address is named `<list name>/<address name>`, a domain's calls mapping
        (id `<domain sid>/<list sid>`) by the domain's name, so a leftover shows under its owner's name."""
        with self._lock:
            objects = [
                LiveObject("twilio", "twilio.incoming_phone_number", n["sid"], n["friendly_name"])
                for n in self.numbers.values()
            ]
            for acl in self.acls.values():
                name = acl["friendly_name"]
                objects.append(LiveObject("twilio", "twilio.ip_access_control_list", acl["sid"], name))
                objects += [
                    LiveObject("twilio", "twilio.ip_address", a["sid"], f"{name}/{a['friendly_name']}")
                    for a in acl["addresses"].values()
                ]
            for domain in self.domains.values():
                name = domain["friendly_name"] or domain["domain_name"]
                objects.append(LiveObject("twilio", "twilio.sip_domain", domain["sid"], name))
                objects += [
                    LiveObject(
                        "twilio", "twilio.sip_domain_calls_acl_mapping", f"{domain['sid']}/{sid}", name
                    )
                    for sid in domain["call_acls"]
                ]
            return objects

    def place_call(self, to: str, from_: str) -> dict[str, Any]:
        """Ring `to` (a number of some account) from `from_`: POST its VoiceUrl, signed, and read the TwiML.

        The HTTP request is made outside the sandbox lock (the webhook may call the sandbox back),
        so callers must not hold `Sandbox.lock` either. Returns the placed call as a dict:
        `attempts` (url, method, signature, status, twiml, error_code), `sip_uri`, `sip_headers`,
        `dial_number`, `say`, `warnings` and `error_code`.
        """
        with self._lock:
            number = next((dict(n) for n in self.numbers.values() if n["phone_number"] == to), None)
            if number is None:
                raise ValueError(f"{to} is not a number of any Twilio account in the sandbox")
            auth_token = self.accounts[number["account_sid"]]["auth_token"]
            timeout = self.webhook_timeout_seconds
        call_sid = new_call_sid()
        call = PlacedCall(
            call_sid,
            number["account_sid"],
            to,
            from_,
            voice_params(call_sid, number["account_sid"], to, from_),
        )
        result = run_webhooks(call, number, auth_token, timeout).as_dict()
        with self._lock:
            self.placed_calls.append(result)
        return result

    def send_sip_status_callbacks(self, placed: dict[str, Any], status: int | None) -> list[dict[str, Any]]:
        """POST the `<Sip>` leg's status callbacks, signed, for a placed call whose SIP got `status`."""
        with self._lock:
            auth_token = self.accounts[placed["account_sid"]]["auth_token"]
            timeout = self.webhook_timeout_seconds
        return send_status_callbacks(placed, auth_token, status, timeout)

    def sip_refer(self, call_sid: str, refer_to: str) -> dict[str, Any]:
        """The SIP far end of placed call `call_sid`'s `<Dial><Sip>` leg sends a REFER (a cold transfer to
        `refer_to`, the Refer-To value): Twilio asks the `<Dial referUrl>` (refer.py). Outside the lock."""
        with self._lock:
            placed = next((c for c in reversed(self.placed_calls) if c["call_sid"] == call_sid), None)
            if placed is None:
                raise ValueError(f"no placed call {call_sid}")
            auth_token = self.accounts[placed["account_sid"]]["auth_token"]
            timeout = self.webhook_timeout_seconds
        answer = refer(placed, refer_to, auth_token, timeout)
        with self._lock:
            placed.setdefault("refers", []).append(answer)
        return answer

    def sip_domain_invite(self, request_uri: str, from_uri: str, source_ip: str) -> dict[str, Any]:
        """An INVITE for `request_uri` from `source_ip` reaching Twilio's SIP edge (sip_domain_call.py):
        the SIP answer, and the signed Voice URL request with what its TwiML did. Outside the lock."""
        parsed = parse_request_uri(request_uri)
        answer: dict[str, Any] = {"request_uri": request_uri, "from": from_uri, "source_ip": source_ip}
        if parsed is None:
            answer.update(status=400, reason="Bad Request (not a sip: URI)")
            return self._note_domain_call(answer)
        with self._lock:
            domain, refused = route_invite(list(self.domains.values()), self.acls, parsed[1], source_ip)
            domain = dict(domain) if domain is not None else None
            auth_token = self.accounts[domain["account_sid"]]["auth_token"] if domain else ""
            timeout = self.webhook_timeout_seconds
        if domain is not None:
            answer.update(domain=domain["domain_name"], domain_sid=domain["sid"])
        if refused:
            answer.update(refused)
            return self._note_domain_call(answer)
        assert domain is not None
        answer.update(run_domain_call(domain, request_uri, from_uri, source_ip, auth_token, timeout))
        return self._note_domain_call(answer)

    def _note_domain_call(self, answer: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.domain_calls.append(answer)
        return answer

    def _free_number(self) -> str:
        used = {n["phone_number"] for n in self.numbers.values()}
        for area in FICTIONAL_AREA_CODES:
            for suffix in range(100, 200):
                candidate = f"+1{area}555{suffix:04d}"
                if candidate not in used:
                    return candidate
        raise ValueError("the sandbox's pool of +1 NXX 555 01xx numbers is used up; pass phone_number")
