"""Test data for calls: calls with messages, uploaded traces, SIP targets and probe results."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from calls.choices import CallSource, Direction, ProbeStatus, TargetState, Transport
from calls.models import ProbeRequest, ProbeResult, SipCall, SipMessageRecord, SipTarget, SipTrace
from integrations.models import Integration, ResourceNode
from integrations.tests.factories import IntegrationFactory
from tenants.models import Tenant
from tenants.tests.factories import TenantFactory


class SipCallFactory(DjangoModelFactory):
    """A fetched call of an integration of the tenant (no messages unless made with SipMessageFactory)."""

    class Meta:
        model = SipCall

    tenant = factory.SubFactory(TenantFactory)
    integration = factory.LazyAttribute(lambda call: IntegrationFactory(tenant=call.tenant))
    source = CallSource.CLOUDWATCH
    call_id = factory.Sequence(lambda n: f"call-{n}@192.0.2.10")
    started_at = factory.LazyFunction(timezone.now)
    ended_at = factory.LazyAttribute(lambda call: call.started_at + timedelta(seconds=2))
    final_status = 200
    hosts = factory.LazyFunction(
        lambda: [{"name": "192.0.2.10", "aliases": ""}, {"name": "198.51.100.7", "aliases": ""}]
    )


class SipMessageFactory(DjangoModelFactory):
    """One INVITE of a call."""

    class Meta:
        model = SipMessageRecord

    call = factory.SubFactory(SipCallFactory)
    tenant = factory.LazyAttribute(lambda message: message.call.tenant)
    at = factory.LazyAttribute(lambda message: message.call.started_at)
    src = "192.0.2.10"
    dst = "198.51.100.7"
    label = "INVITE"
    direction = Direction.OUTBOUND
    raw = factory.LazyAttribute(
        lambda m: f"INVITE sip:+15551230000@198.51.100.7 SIP/2.0\r\nCall-ID: {m.call.call_id}\r\n"
    )
    headers = factory.LazyFunction(
        lambda: {"method": "INVITE", "request_uri": "sip:+15551230000@198.51.100.7"}
    )
    fingerprint = factory.Sequence(lambda n: f"fingerprint-{n}")


class SipTraceFactory(DjangoModelFactory):
    """An uploaded trace with one call."""

    class Meta:
        model = SipTrace
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    filename = factory.Sequence(lambda n: f"trace-{n}.pcap")
    format = "pcap"
    size = 1024

    @factory.post_generation
    def calls(trace: SipTrace, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            SipCallFactory(tenant=trace.tenant, integration=None, trace=trace, source=CallSource.UPLOAD)


class SipTargetFactory(DjangoModelFactory):
    """A SIP target of an integration of the tenant."""

    class Meta:
        model = SipTarget

    tenant = factory.SubFactory(TenantFactory)
    integration = factory.LazyAttribute(lambda target: IntegrationFactory(tenant=target.tenant))
    label = "Vapi credential SIP host"
    host = factory.Sequence(lambda n: f"cred-{n}.sip.vapi.ai")
    port = 5060
    transport = Transport.UDP
    state = TargetState.UNKNOWN


class ProbeResultFactory(DjangoModelFactory):
    """An answered probe of a target."""

    class Meta:
        model = ProbeResult

    target = factory.SubFactory(SipTargetFactory)
    tenant = factory.LazyAttribute(lambda result: result.target.tenant)
    integration = factory.LazyAttribute(lambda result: result.target.integration)
    status = ProbeStatus.ANSWERED
    response_code = 200
    reason_phrase = "OK"
    rtt_ms = 12.5
    server = "sipp"
    succeeded = True
    state_after = TargetState.UNKNOWN


def integration_with_sip_peer(tenant: Tenant, port: int) -> Integration:
    """A connect_vapi integration whose only SIP target is 127.0.0.1:`port` (a node's `sip_host`).

    connect_vapi has no Synthflow target, so nothing but the test's own peer is probed (never a
    real vendor host); the node stands for a kind that publishes a public SIP host as `sip_host`
    (never a Chime connector or a Genesys trunk: those answer only their allow lists).
    """
    integration = IntegrationFactory(tenant=tenant, kind="connect_vapi")
    ResourceNode.objects.create(
        tenant=tenant,
        integration=integration,
        node="far_end",
        type="test.sip_peer",
        outputs={"sip_host": "127.0.0.1", "sip_port": port},
    )
    return integration


class ProbeRequestFactory(DjangoModelFactory):
    """A probe someone asked for on an integration of the tenant, not yet taken by a worker."""

    class Meta:
        model = ProbeRequest

    tenant = factory.SubFactory(TenantFactory)
    integration = factory.LazyAttribute(lambda request: IntegrationFactory(tenant=request.tenant))
    requested_by = "operator@example.com"
