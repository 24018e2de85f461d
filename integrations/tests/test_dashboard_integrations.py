"""Integrations through the dashboard: per-kind forms with the API's messages, list, detail, edit, delete."""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.exceptions import ValidationError

from integrations.choices import AccountKind, IntegrationKind
from integrations.kinds import get_kind
from integrations.models import Integration, ProviderAccount
from integrations.models.engine import Run
from integrations.tests.dashboard_forms import integration_post
from integrations.tests.factories import VALID_CONFIG, IntegrationFactory, ProviderAccountFactory
from tenants.choices import AuditAction, Role
from tenants.models import AuditEvent
from testing.html import field_errors
from testing.world import TenantWorld

NEW = reverse("integrations:integration-new")
LIST = reverse("integrations:integration-list")

#: per kind, a wrong value for every config field (the API's validation decides what is wrong)
BAD_CONFIG: dict[str, dict[str, str]] = {
    IntegrationKind.CONNECT_VAPI: {
        "connect_instance_id": "not an id!",
        "connect_phone_numbers": "3125557001",
        "area_code": "12",
        "vapi_assistant_id": "",
        "sip_uri_user": "a b",
        "forward_attributes": "amzn-trace",
        "gateway_netmask": "8",
        "transport": "TLS",
        "call_timeout_seconds": "0",
    },
    IntegrationKind.CONNECT_SYNTHFLOW: {
        "connect_instance_id": "",
        "connect_phone_numbers": "+13125557001\n+13125557001",
        "area_code": "99",
        "phone_number": "+1555",
        "synthflow_assistant_id": "white space",
        "transport": "SCTP",
    },
    IntegrationKind.GENESYS_SYNTHFLOW: {
        "site_id": "",
        "inbound_identifier": "-bad-",
        "phone_number": "12065550123",
        "caller_id_name": "x" * 41,
        "caller_id_address": "206-555-0100",
        "outbound_route_id": "route id with spaces!",
        "synthflow_assistant_id": "",
        "transport": "sctp",
    },
    IntegrationKind.TWILIO_SYNTHFLOW: {
        "twilio_number": "+1555",
        "synthflow_assistant_id": "",
        "custom_variables": "1bad = From",
        "sip_headers": "X-Twilio-Id = From",
        "fallback.dial": "12345",
        "transfer_targets": "12345",
        "warm_transfer_uri": "pbx.example.com",
    },
}


def accounts_for(world: TenantWorld, kind: str) -> dict[str, ProviderAccount]:
    return {
        k: ProviderAccountFactory(tenant=world.tenant, kind=k, name=f"{k} main")
        for k in get_kind(kind).required_accounts
    }


@pytest.fixture
def operator(world: TenantWorld, dashboard_client: Callable[[Any], Client]) -> Client:
    return dashboard_client(world.users[Role.OPERATOR])


@pytest.mark.parametrize("kind", IntegrationKind.values)
def test_an_integration_of_each_kind_is_created_through_its_form(
    world: TenantWorld, operator: Client, kind: str
) -> None:
    accounts = accounts_for(world, kind)

    response = operator.post(
        f"{NEW}?kind={kind}", integration_post(kind, accounts, VALID_CONFIG[kind]), follow=True
    )

    integration = Integration.objects.get(tenant=world.tenant, name="line-1")
    assert response.redirect_chain[-1][0] == reverse("integrations:integration-detail", args=[integration.pk])
    assert integration.kind == kind
    assert integration.config == get_kind(kind).validate_config(VALID_CONFIG[kind])
    assert integration.account_ids() == {k: str(a.pk) for k, a in accounts.items()}
    html = response.content.decode()
    assert "Integration line-1 created." in html
    assert IntegrationKind(kind).label in html
    event = AuditEvent.objects.get(tenant=world.tenant, action=AuditAction.INTEGRATION_CREATED)
    assert event.actor_user == world.users[Role.OPERATOR]
    assert event.source_ip == "127.0.0.1"


def test_map_list_bool_and_nested_fields_round_trip_through_the_form(
    world: TenantWorld, operator: Client
) -> None:
    kind = IntegrationKind.TWILIO_SYNTHFLOW
    config = {
        **VALID_CONFIG[kind],
        "prepare_inbound": True,
        "custom_variables": {"caller": "From", "city": "FromCity"},
        "sip_headers": {"X-Caller": "From"},
        "fallback": {"dial": "+12065550100"},
    }

    operator.post(f"{NEW}?kind={kind}", integration_post(kind, accounts_for(world, kind), config))

    integration = Integration.objects.get(name="line-1")
    assert integration.config == get_kind(kind).validate_config(config)
    edit = operator.get(reverse("integrations:integration-edit", args=[integration.pk])).content.decode()
    assert "caller = From\ncity = FromCity</textarea>" in edit
    assert 'value="+12065550100"' in edit
    assert 'id="id_config.prepare_inbound" checked' in edit


def test_a_list_field_is_typed_one_per_line(world: TenantWorld, operator: Client) -> None:
    kind = IntegrationKind.CONNECT_VAPI
    config = {**VALID_CONFIG[kind], "forward_attributes": ["CustomerId", "Intent"]}

    operator.post(f"{NEW}?kind={kind}", integration_post(kind, accounts_for(world, kind), config))

    assert Integration.objects.get(name="line-1").config["forward_attributes"] == ["CustomerId", "Intent"]


def test_the_bad_input_table_covers_every_config_field() -> None:
    for kind in IntegrationKind.values:
        fields = get_kind(kind).ConfigSerializer().fields
        covered = {name.split(".")[0] for name in BAD_CONFIG[kind]}
        assert covered | {"prepare_inbound"} >= set(fields), kind


@pytest.mark.parametrize(
    ("kind", "field"), [(kind, field) for kind, fields in BAD_CONFIG.items() for field in fields]
)
def test_a_bad_config_value_shows_the_apis_message_beside_the_field_and_saves_nothing(
    world: TenantWorld, operator: Client, kind: str, field: str
) -> None:
    accounts = accounts_for(world, kind)
    typed = integration_post(kind, accounts, VALID_CONFIG[kind])
    typed[f"config.{field}"] = BAD_CONFIG[kind][field]
    before = (Integration.objects.count(), AuditEvent.objects.count())

    response = operator.post(f"{NEW}?kind={kind}", typed)

    assert response.status_code == 400
    html = response.content.decode()
    shown = field_errors(html, f"config.{field}")
    assert shown, f"no error beside config.{field}"
    assert "Nothing was saved" in html
    assert (Integration.objects.count(), AuditEvent.objects.count()) == before
    if not field.startswith("fallback") and field not in (
        "custom_variables",
        "sip_headers",
        "forward_attributes",
        "connect_phone_numbers",
        "transfer_targets",
    ):
        api_messages = api_errors(kind, {**VALID_CONFIG[kind], field: BAD_CONFIG[kind][field]})[field]
        assert shown == api_messages  # the same words as the REST API


def api_errors(kind: str, config: dict[str, Any]) -> dict[str, list[str]]:
    """What the API's validation says about `config`, per field."""
    with pytest.raises(ValidationError) as caught:
        get_kind(kind).validate_config(config)
    return {name: [str(m) for m in messages] for name, messages in caught.value.detail.items()}


def test_name_and_account_problems_are_shown_beside_their_fields(
    world: TenantWorld, operator: Client
) -> None:
    kind = IntegrationKind.TWILIO_SYNTHFLOW
    accounts = accounts_for(world, kind)
    typed = integration_post(kind, accounts, VALID_CONFIG[kind], name="Not A Name")
    del typed["accounts.twilio"]

    response = operator.post(f"{NEW}?kind={kind}", typed)

    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "name") == [
        "Use lowercase letters, digits and hyphens, starting and ending with a letter or digit."
    ]
    assert field_errors(html, "accounts.twilio") == ["Twilio → Synthflow integrations need a Twilio account."]
    assert not Integration.objects.exists()


def test_another_tenants_account_cannot_be_chosen(
    world: TenantWorld, other_world: TenantWorld, operator: Client
) -> None:
    kind = IntegrationKind.TWILIO_SYNTHFLOW
    accounts = accounts_for(world, kind)
    accounts["twilio"] = ProviderAccountFactory(
        tenant=other_world.tenant, kind=AccountKind.TWILIO, name="globex"
    )

    response = operator.post(f"{NEW}?kind={kind}", integration_post(kind, accounts, VALID_CONFIG[kind]))

    assert field_errors(response.content.decode(), "accounts.twilio") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert "globex" not in response.content.decode()
    assert not Integration.objects.exists()


def test_an_unknown_kind_is_a_404(operator: Client) -> None:
    assert operator.get(f"{NEW}?kind=pstn_magic").status_code == 404


def test_the_kind_chooser_links_every_kind(operator: Client) -> None:
    html = operator.get(NEW).content.decode()

    for kind, label in IntegrationKind.choices:
        assert f'href="{NEW}?kind={kind}"' in html
        assert label in html


def test_editing_changes_config_and_policy_but_not_the_name(world: TenantWorld, operator: Client) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls", kind=IntegrationKind.TWILIO_SYNTHFLOW)
    accounts = {k: integration.account(k) for k in ("twilio", "synthflow")}
    config = {**VALID_CONFIG[IntegrationKind.TWILIO_SYNTHFLOW], "synthflow_assistant_id": "model-0099"}
    typed = integration_post(IntegrationKind.TWILIO_SYNTHFLOW, accounts, config, name="renamed")
    typed["policy"] = "report"

    response = operator.post(
        reverse("integrations:integration-edit", args=[integration.pk]), typed, follow=True
    )

    integration.refresh_from_db()
    assert integration.name == "calls"
    assert integration.policy == "report"
    assert integration.config["synthflow_assistant_id"] == "model-0099"
    assert "Integration calls saved." in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.INTEGRATION_UPDATED)
    assert event.diff["config.synthflow_assistant_id"] == ["model-0003", "model-0099"]
    assert event.diff["policy"] == ["heal", "report"]


def test_deleting_asks_first_then_starts_a_teardown_and_audits(world: TenantWorld, operator: Client) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls")
    url = reverse("integrations:integration-delete", args=[integration.pk])

    confirm = operator.get(url).content.decode()
    assert Integration.objects.filter(pk=integration.pk).exists()
    assert "Delete calls?" in confirm
    operator.post(url, {"confirm_name": "calls"}, follow=True)

    # The row goes only after the teardown run has deleted every resource (a worker does that).
    integration.refresh_from_db()
    assert integration.deleting
    assert integration.runs.get().kind == "teardown"
    assert AuditEvent.objects.filter(
        action=AuditAction.INTEGRATION_TEARDOWN_REQUESTED, object_repr="calls"
    ).exists()


def test_list_shows_condition_badges_and_the_latest_run(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    healthy = IntegrationFactory(tenant=world.tenant, name="healthy")
    healthy.conditions = [
        {"type": "Ready", "status": "True", "reason": "Available", "message": ""},
        {"type": "Synced", "status": "False", "reason": "ReconcileError", "message": "Vapi said 401"},
        {"type": "Registered", "status": "Unknown", "reason": "Creating", "message": ""},
    ]
    healthy.save()
    IntegrationFactory(tenant=world.tenant, name="fresh")
    Run.objects.create(
        tenant=world.tenant, integration=healthy, integration_name="healthy", kind="apply", state="succeeded"
    )

    html = dashboard_client(world.users[Role.VIEWER]).get(LIST).content.decode()

    assert '<span class="badge badge-green" title="Available">Ready</span>' in html
    assert '<span class="badge badge-red" title="ReconcileError: Vapi said 401">Synced</span>' in html
    assert '<span class="badge badge-amber" title="Creating">Registered</span>' in html
    assert '<span class="badge badge-grey" title="NotReported: Not reported yet.">Ready</span>' in html
    assert "apply succeeded" in html
    assert "never applied" in html


def test_list_needs_a_bounded_number_of_queries(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.VIEWER])
    IntegrationFactory(tenant=world.tenant)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    queries()  # the first page view stores the current tenant in the session
    few = queries()
    for _ in range(8):
        IntegrationFactory(tenant=world.tenant)
    assert queries() == few


def test_empty_list_says_to_add_an_account_first(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    client = dashboard_client(world.users[Role.OPERATOR])

    first = client.get(LIST).content.decode()
    ProviderAccountFactory(tenant=world.tenant)
    then = client.get(LIST).content.decode()

    assert "No integrations yet — add a provider account first" in first
    assert f'href="{reverse("integrations:account-new")}"' in first
    assert "No integrations yet" in then
    assert f'<a class="btn btn-primary" href="{NEW}">New integration</a>' in then


def test_a_form_without_the_needed_accounts_says_where_to_add_them(operator: Client) -> None:
    html = operator.get(f"{NEW}?kind=genesys_synthflow").content.decode()

    assert "This tenant has no Genesys Cloud or Synthflow account yet." in html


def test_detail_shows_config_accounts_conditions_and_the_engine_region(
    world: TenantWorld, dashboard_client: Callable[[Any], Client]
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, name="calls", kind=IntegrationKind.CONNECT_VAPI)

    html = (
        dashboard_client(world.users[Role.VIEWER])
        .get(reverse("integrations:integration-detail", args=[integration.pk]))
        .content.decode()
    )

    assert '"sip_uri_user": "patchbay"' in unescape(html)
    assert integration.account("aws").name in html
    assert integration.account("vapi").name in html
    assert integration.public_id in html
    assert 'data-region="engine"' in html
    assert "Not reported yet." in html
