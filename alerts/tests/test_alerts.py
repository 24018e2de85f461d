"""Alerts as an on-call engineer sees them: a signed, Slack-shaped POST reaches their receiver, a
flapping probe alerts once, a failing destination says so on its page, private URLs are refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from django.core import mail

from alerts import actions
from alerts.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookTargetRefused
from alerts.models import AlertDestination
from alerts.tasks import deliver_alert_task
from alerts.tests.receiver import Receiver
from calls.choices import TargetState
from calls.models import SipTarget
from calls.probes import record_outcome
from calls.sip_options import ProbeOutcome
from calls.tests.factories import SipTargetFactory
from tenants.audit import Actor
from testing.world import TenantWorld


def _webhook(world: TenantWorld, url: str) -> tuple[AlertDestination, str]:
    return actions.create_destination(
        world.tenant,
        name="oncall-slack",
        kind="webhook",
        target=url,
        events=["probe_down", "run_failed"],
        actor=Actor.system(),
    )


def _probe_fails(target: SipTarget) -> None:
    record_outcome(target, ProbeOutcome(status="timeout", message="no answer"))


def _probe_answers(target: SipTarget) -> None:
    record_outcome(target, ProbeOutcome(status="answered", response_code=200))


@pytest.mark.django_db(transaction=True)
def test_a_probe_going_down_posts_a_signed_slack_payload(world: TenantWorld, receiver: Receiver) -> None:
    destination, secret = _webhook(world, receiver.url)
    target = SipTargetFactory(tenant=world.tenant, state=TargetState.UP)

    for _ in range(3):  # PROBE_DOWN_AFTER failures in a row
        _probe_fails(target)

    ((headers, body),) = receiver.received
    payload = json.loads(body)
    assert "is down" in payload["text"]
    assert payload["patchbay"]["event"] == "probe_down"
    assert payload["patchbay"]["tenant"] == world.tenant.slug
    expected = hmac.new(
        secret.encode(), headers[TIMESTAMP_HEADER].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers[SIGNATURE_HEADER] == f"v1={expected}"
    destination.refresh_from_db()
    assert destination.last_sent_at is not None and not destination.last_error


@pytest.mark.django_db(transaction=True)
def test_a_flapping_probe_alerts_once(world: TenantWorld, receiver: Receiver, settings: Any) -> None:
    settings.PROBE_DOWN_AFTER = 1
    settings.PROBE_UP_AFTER = 1
    _webhook(world, receiver.url)
    target = SipTargetFactory(tenant=world.tenant, state=TargetState.UP)

    for _ in range(4):  # down, up, down, up, ... within the debounce period
        _probe_fails(target)
        _probe_answers(target)

    assert len(receiver.received) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failing_destination_is_shown_on_its_page(
    world: TenantWorld, receiver: Receiver, dashboard_client: Any
) -> None:
    receiver.status = 404
    destination, _ = _webhook(world, receiver.url)

    deliver_alert_task.apply(args=[destination.pk, {"event": "test", "title": "Test", "text": ""}], retries=4)

    destination.refresh_from_db()
    assert "404 channel_not_found" in destination.last_error
    page = dashboard_client(world.users["viewer"]).get(f"/alerts/{destination.pk}/")
    assert "could not be delivered" in page.content.decode()
    assert "404 channel_not_found" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_send_test_alert_button_emails_the_destination(world: TenantWorld, dashboard_client: Any) -> None:
    destination, _ = actions.create_destination(
        world.tenant,
        name="oncall",
        kind="email",
        target="oncall@example.com",
        events=[],
        actor=Actor.system(),
    )

    response = dashboard_client(world.users["admin"]).post(f"/alerts/{destination.pk}/test/")

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == ["oncall@example.com"]
    assert message.subject.startswith("[Patchbay] Test alert")


@pytest.mark.django_db(transaction=True)
def test_the_webhook_url_is_kept_secret_after_creation(
    world: TenantWorld, receiver: Receiver, dashboard_client: Any
) -> None:
    # A Slack-style URL's path is its credential: pages and the audit log show only scheme and host.
    admin = dashboard_client(world.users["admin"])
    created = admin.post(
        "/alerts/",
        {"name": "oncall", "kind": "webhook", "target": receiver.url, "events": ["probe_down"]},
    )
    assert created.status_code == 200
    destination = AlertDestination.objects.get(name="oncall")
    assert "signing-secret" in created.content.decode()

    shown = admin.get("/alerts/").content.decode() + admin.get(f"/alerts/{destination.pk}/").content.decode()
    audit = admin.get("/audit/").content.decode()

    assert "B000" not in shown and "B000" not in audit
    assert destination.target == f"http://127.0.0.1:{receiver.url.split(':')[2].split('/')[0]}/…"
    assert "Copy the signing secret" not in shown  # shown once, at creation only
    admin.post(f"/alerts/{destination.pk}/test/")
    ((_, body),) = receiver.received  # the full URL is still where alerts go
    assert json.loads(body)["patchbay"]["event"] == "test"


@pytest.mark.django_db
def test_webhooks_to_private_addresses_are_refused(world: TenantWorld, settings: Any) -> None:
    settings.ALLOW_PRIVATE_TARGETS = False

    with pytest.raises(WebhookTargetRefused, match="ALLOW_PRIVATE_TARGETS"):
        _webhook(world, "http://169.254.169.254/latest/meta-data/")
    assert not AlertDestination.objects.exists()
