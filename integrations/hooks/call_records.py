"""The worker's half of the voice webhook's call record (integrations/hooks/call_log.py publishes it):
store one record per call, once, even when the broker redelivers the task (acks_late).

Apart from the publishing half so that the task module can import this one while the publisher
imports the task (no import circle).
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.dateparse import parse_datetime

from controlplane.log_values import loggable
from integrations.models import Integration, TwilioCallEvent, TwilioEventKind

logger = logging.getLogger("integrations.hooks.call_log")


def write_record(tenant_id: int, integration_id: str, call_sid: str, params: dict[str, Any], at: str) -> bool:
    """The worker's half: store one record unless the call has one already; False when it was not
    stored (a repeat, or the integration is gone)."""
    if not Integration.objects.filter(pk=integration_id, tenant_id=tenant_id).exists():
        logger.info("twilio call record for %s dropped: its integration is gone", loggable(call_sid))
        return False
    received = parse_datetime(at)
    if (
        call_sid
        and TwilioCallEvent.objects.filter(
            integration_id=integration_id, kind=TwilioEventKind.VOICE_WEBHOOK, call_sid=call_sid
        ).exists()
    ):
        return False
    TwilioCallEvent.objects.create(
        tenant_id=tenant_id,
        integration_id=integration_id,
        kind=TwilioEventKind.VOICE_WEBHOOK,
        call_sid=call_sid,
        params=params,
        **({"at": received} if received else {}),
    )
    return True
