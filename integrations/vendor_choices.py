"""What a provider account offers for an integration's vendor ids, and the check that they exist.

Issue 11, item 4: a made-up Connect instance or assistant id must be caught when the
integration is saved, before Apply creates anything. Each picker lists, from the chosen
account, the values one config field may take (Connect instances and their claimed
numbers, Chime numbers, Vapi and Synthflow assistants, Genesys sites and their outbound
routes, Twilio numbers). The dashboard offers them as suggestions
(`/api/v1/accounts/{id}/choices/?field=…`); `check_references` refuses a value the
account does not have. Each request is tried once: a vendor that does not answer leaves
the field free text, unchecked, and says so; so does a list longer than Patchbay reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from integrations.choices import AccountKind
from integrations.connection_checks import SingleAttemptSession
from integrations.kinds import get_kind
from integrations.vendors.aws import AwsAccountRef
from integrations.vendors.aws.chime_numbers import ChimeNumbers
from integrations.vendors.aws.connect import Connect
from integrations.vendors.errors import VendorError
from integrations.vendors.genesys import SITES, GenesysClient
from integrations.vendors.synthflow import SynthflowClient
from integrations.vendors.twilio import TwilioClient
from integrations.vendors.vapi import VapiClient

if TYPE_CHECKING:
    from integrations.models import ProviderAccount

#: items asked for per page, and the most pages read for one list (each request is tried once)
PAGE_SIZE = 100
MAX_PAGES = 10
#: Vapi's list has no paging: the most assistants one request answers
VAPI_LIMIT = 1000


@dataclass(frozen=True)
class Choice:
    """One value a field may take; `problem` (when set) says why it cannot be used after all."""

    value: str
    label: str
    problem: str = ""

    def as_json(self) -> dict[str, str]:
        return {"value": self.value, "label": self.label}


class MissingInput(Exception):
    """The list depends on another config field that has no value yet."""

    def __init__(self, field: str) -> None:
        super().__init__(f"Give {field} first: the choices depend on it.")
        self.field = field


class Incomplete(Exception):
    """The vendor has more than Patchbay reads for one list: `choices` is the part read."""

    def __init__(self, choices: list[Choice]) -> None:
        super().__init__("the list is longer than Patchbay reads")
        self.choices = choices


Lister = Callable[[Any, Mapping[str, Any]], list[Choice]]


@dataclass(frozen=True)
class Picker:
    """The choices of one config field, listed from one kind of account."""

    account_kind: str
    field: str
    #: what one choice is, in words ("Amazon Connect instance")
    noun: str
    lister: Lister
    #: config fields the list needs (a Connect instance's numbers need the instance)
    depends_on: tuple[str, ...] = ()

    @property
    def account_label(self) -> str:
        return str(AccountKind(self.account_kind).label)

    def choices(self, account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
        """The account's choices; `MissingInput` or a `VendorError` when they cannot be listed."""
        for name in self.depends_on:
            if not str(inputs.get(name) or "").strip():
                raise MissingInput(name)
        return self.lister(account, inputs)


# --- listers ----------------------------------------------------------------------------------


def _aws(account: ProviderAccount) -> SingleAttemptSession:
    ref = AwsAccountRef(
        role_arn=str(account.settings.get("role_arn", "")),
        external_id=str(account.external_id),
        region=str(account.settings.get("region", "us-east-1")),
    )
    return SingleAttemptSession(ref, session_name=f"patchbay-{account.tenant_id}"[:64])


def _connect_instances(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    return [
        Choice(i.id, f"{i.alias or 'Unnamed instance'} · {i.id} ({i.status})")
        for i in Connect(_aws(account)).instances(max_results=10)
    ]


def _connect_numbers(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    instance_id = str(inputs["connect_instance_id"]).strip()
    numbers = Connect(_aws(account)).phone_numbers(instance_id, max_results=1000)
    return [Choice(n.number, f"{n.number} ({n.type})") for n in numbers if n.number]


def _chime_numbers(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    numbers = ChimeNumbers(_aws(account)).phone_numbers()
    return [Choice(n.e164, f"{n.e164} ({n.status or ''})") for n in numbers]


def _vapi_assistants(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    client = VapiClient(account.read_secrets().get("api_key", ""), account.settings.get("region", "us"))
    answer = client.request("GET", "/assistant", params={"limit": VAPI_LIMIT}, attempts=1).json()
    choices = [
        Choice(str(a["id"]), f"{a.get('name') or 'Unnamed assistant'} · {a['id']}")
        for a in answer or []
        if isinstance(a, dict) and a.get("id")
    ]
    if len(answer or []) >= VAPI_LIMIT:
        raise Incomplete(choices)
    return choices


def _synthflow_assistants(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    client = SynthflowClient(
        account.read_secrets().get("api_key", ""), account.settings.get("region", "global")
    )
    assistants: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        params = {"limit": PAGE_SIZE, "offset": len(assistants)}
        answer = client.request("GET", "/assistants", params=params, attempts=1).json().get("response") or {}
        page = answer.get("assistants") or []
        assistants.extend(a for a in page if isinstance(a, dict))
        total = int((answer.get("pagination") or {}).get("total_records") or 0)
        if not page or len(assistants) >= total:
            break
    else:
        raise Incomplete(_synthflow_choices(assistants))
    return _synthflow_choices(assistants)


def _synthflow_choices(assistants: list[dict[str, Any]]) -> list[Choice]:
    return [
        Choice(
            str(a["model_id"]),
            f"{a.get('name') or 'Unnamed assistant'} · {a['model_id']}",
            "" if a.get("type") in (None, "", "inbound") else "it is not an inbound assistant",
        )
        for a in assistants
        if a.get("model_id")
    ]


def _genesys(account: ProviderAccount) -> GenesysClient:
    return GenesysClient(
        str(account.settings.get("client_id", "")),
        account.read_secrets().get("client_secret", ""),
        str(account.settings.get("region", "us_west_2")),
    )


def _genesys_entities(account: ProviderAccount, path: str) -> list[dict[str, Any]]:
    """Every entity of a Genesys list, page by page; `Incomplete` past MAX_PAGES pages."""
    client = _genesys(account)
    entities: list[dict[str, Any]] = []
    for number in range(1, MAX_PAGES + 1):
        params = {"pageSize": PAGE_SIZE, "pageNumber": number}
        answer = client.request("GET", path, params=params, attempts=1).json()
        entities.extend(e for e in answer.get("entities") or [] if isinstance(e, dict) and e.get("id"))
        if number >= int(answer.get("pageCount") or 1):
            return entities
    raise Incomplete([Choice(str(e["id"]), str(e.get("name") or e["id"])) for e in entities])


def _genesys_sites(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    return [
        Choice(
            str(s["id"]),
            f"{s.get('name') or s['id']}",
            "it is managed by Genesys (Genesys Cloud Voice) and cannot be changed; choose a BYOC Cloud "
            "site of your own"
            if s.get("managed")
            else "",
        )
        for s in _genesys_entities(account, SITES)
    ]


def _genesys_routes(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    path = f"{SITES}/{str(inputs['site_id']).strip()}/outboundroutes"
    return [Choice(str(r["id"]), f"{r.get('name') or r['id']}") for r in _genesys_entities(account, path)]


def _twilio_numbers(account: ProviderAccount, inputs: Mapping[str, Any]) -> list[Choice]:
    sid = str(account.settings.get("account_sid", ""))
    client = TwilioClient(sid, account.read_secrets().get("auth_token", ""))
    path: str | None = f"/2010-04-01/Accounts/{sid}/IncomingPhoneNumbers.json"
    params: dict[str, Any] | None = {"PageSize": 1000}
    numbers: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        answer = client.request("GET", path or "", params=params, attempts=1).json()
        numbers.extend(n for n in answer.get("incoming_phone_numbers") or [] if n.get("phone_number"))
        path, params = answer.get("next_page_uri") or None, None
        if not path:
            break
    choices = [
        Choice(str(n["phone_number"]), f"{n['phone_number']} ({n.get('friendly_name') or ''})")
        for n in numbers
    ]
    if path:
        raise Incomplete(choices)
    return choices


PICKERS: dict[tuple[str, str], Picker] = {
    (p.account_kind, p.field): p
    for p in (
        Picker(AccountKind.AWS, "connect_instance_id", "Amazon Connect instance", _connect_instances),
        Picker(
            AccountKind.AWS,
            "connect_phone_numbers",
            "phone number claimed in the Connect instance",
            _connect_numbers,
            ("connect_instance_id",),
        ),
        Picker(AccountKind.AWS, "phone_number", "Chime SDK phone number", _chime_numbers),
        Picker(AccountKind.VAPI, "vapi_assistant_id", "Vapi assistant", _vapi_assistants),
        Picker(AccountKind.SYNTHFLOW, "synthflow_assistant_id", "Synthflow assistant", _synthflow_assistants),
        Picker(AccountKind.GENESYS, "site_id", "Genesys Cloud site", _genesys_sites),
        Picker(
            AccountKind.GENESYS,
            "outbound_route_id",
            "outbound route of the site",
            _genesys_routes,
            ("site_id",),
        ),
        Picker(AccountKind.TWILIO, "twilio_number", "number on the Twilio account", _twilio_numbers),
    )
}


def pickers_for(kind: str) -> dict[str, Picker]:
    """Config field → its picker, for the config fields of integration `kind` that name vendor objects."""
    module = get_kind(kind)
    fields = module.ConfigSerializer().fields
    return {
        field: PICKERS[(account_kind, field)]
        for field in fields.keys()  # noqa: SIM118 (drf-stubs: BindingDict iterates as Field)
        for account_kind in module.required_accounts
        if (account_kind, field) in PICKERS
    }


def fields_of_account_kind(account_kind: str) -> list[str]:
    """The fields an account of `account_kind` lists choices for."""
    return [field for kind, field in PICKERS if kind == account_kind]


def check_references(
    kind: str, accounts: Mapping[str, Any], config: Mapping[str, Any]
) -> dict[str, list[str]]:
    """Errors by config field for vendor ids the chosen accounts do not have.

    Fields whose choices cannot be listed (the vendor did not answer, refused, or the list
    depends on a field that is itself wrong) are left unchecked: Plan and Apply say more.
    """
    errors: dict[str, list[str]] = {}
    for field, picker in pickers_for(kind).items():
        value = config.get(field)
        account = accounts.get(picker.account_kind)
        if account is None or value in (None, "", []):
            continue
        if any(dependency in errors for dependency in picker.depends_on):
            continue
        try:
            choices = {c.value: c for c in picker.choices(account, config)}
        except (VendorError, MissingInput, Incomplete):
            continue
        where = f"the {AccountKind(picker.account_kind).label} account {account.name!r}"
        if picker.depends_on:
            where += "".join(f" ({dep} {config.get(dep)})" for dep in picker.depends_on)
        values = value if isinstance(value, list) else [value]
        for item in values:
            choice = choices.get(str(item))
            if choice is None:
                errors.setdefault(field, []).append(
                    f"No {picker.noun} {item} in {where}. Choose one it has"
                    + (f": {', '.join(sorted(choices)[:5])}." if choices else " (it has none).")
                )
            elif choice.problem:
                errors.setdefault(field, []).append(f"{picker.noun.capitalize()} {item}: {choice.problem}.")
    return errors
