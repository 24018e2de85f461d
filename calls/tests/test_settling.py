"""A ladder read before its call settled says so: `"complete": false` in the API and "Settling" on the
ladder page, until its end is seen (BYE answered, a failure's ACK, Twilio's last status) or a read a
quiet period after its last message brought nothing new (calls/settling.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from calls.choices import CallSource, Direction
from calls.models import SipCall
from calls.settling import is_complete
from calls.tests.factories import SipCallFactory, SipMessageFactory
from calls.tests.sip_samples import ack, answered_call, invite, response
from calls.tests.stored_calls import store
from integrations.tests.factories import IntegrationFactory
from tenants.choices import Role
from testing.world import TenantWorld, member

pytestmark = pytest.mark.django_db


def complete_in_api(world: TenantWorld, call: SipCall) -> bool:
    body = world.api(Role.VIEWER).get(reverse("call-detail", kwargs={"pk": call.pk})).json()
    return body["complete"]


def test_a_call_read_while_it_goes_on_is_settling_then_complete_once_its_bye_is_answered(
    world: TenantWorld,
) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    start = timezone.now() - timedelta(seconds=1)
    messages = answered_call("live@x")

    call = store(integration, messages[:5], start=start)  # INVITE ... ACK: the call is on
    assert complete_in_api(world, call) is False

    call = store(integration, messages, start=start)  # the next read: BYE and its 200 OK
    assert complete_in_api(world, call) is True


def test_a_failure_is_complete_with_its_ack_or_after_a_quiet_read(world: TenantWorld) -> None:
    integration = IntegrationFactory(tenant=world.tenant, kind="connect_vapi")
    start = timezone.now() - timedelta(seconds=1)
    busy = [invite("busy@x"), response(100, "Trying", "busy@x"), response(486, "Busy Here", "busy@x")]

    call = store(integration, busy, start=start)
    assert complete_in_api(world, call) is False  # the ACK may still come

    SipCall.objects.filter(pk=call.pk).update(updated_at=call.ended_at + timedelta(seconds=5))
    assert complete_in_api(world, call) is True  # a read 5 s later found nothing new

    with_ack = store(
        integration, [m.replace("busy@x", "acked@x") for m in busy] + [ack("acked@x")], start=start
    )
    assert complete_in_api(world, with_ack) is True


def test_a_call_with_no_end_settles_only_after_hours_without_news() -> None:
    call = SipCallFactory(final_status=200)
    SipMessageFactory(call=call)
    SipMessageFactory(call=call, label="200 OK", direction=Direction.INBOUND)

    assert is_complete(call, call.messages.order_by("at", "seq")) is False
    call.updated_at = call.ended_at + timedelta(hours=4)
    assert is_complete(call, call.messages.order_by("at", "seq")) is True


@pytest.mark.parametrize(("status", "complete"), [("ringing", False), ("completed", True), ("busy", True)])
def test_a_twilio_call_is_complete_with_its_last_status_callback(status: str, complete: bool) -> None:
    call = SipCallFactory(source=CallSource.TWILIO, final_status=None)
    SipMessageFactory(call=call, label="TwiML <Dial><Sip>", direction=Direction.INBOUND)
    SipMessageFactory(call=call, label=f"status {status} (SIP 486)", direction=Direction.INBOUND)

    assert is_complete(call, call.messages.all()) is complete


def test_an_uploaded_trace_is_complete() -> None:
    call = SipCallFactory(integration=None, source=CallSource.UPLOAD, final_status=None)

    assert is_complete(call, []) is True


def test_the_ladder_page_marks_a_settling_call_and_a_complete_one() -> None:
    integration = IntegrationFactory(kind="connect_vapi")
    start = timezone.now() - timedelta(seconds=1)
    messages = answered_call("page@x")
    user = member(integration.tenant, Role.VIEWER)
    client = Client()
    client.force_login(user)

    call = store(integration, messages[:5], start=start)
    settling = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()
    store(integration, messages, start=start)
    complete = client.get(reverse("calls:call-detail", args=[call.pk])).content.decode()

    assert 'data-testid="ladder-state">Settling</span>' in settling
    assert 'data-testid="ladder-state">Complete</span>' in complete
