"""Before the first call, a missing SIP log group means "no call yet", not "SIP logging is off".
(issue 11 item 14)

AWS creates `/aws/ChimeVoiceConnectorSipMessages/<id>` with the first SIP message it logs
(AWS.md §1.2), so right after apply the group is missing although logging is on.
"""

from __future__ import annotations

from calls.fetch import fetch_calls
from calls.tests.sandbox_logs import ConnectorLogs
from integrations.models import ResourceNode


def _logging_node(connector_logs: ConnectorLogs, enabled: bool) -> None:
    integration = connector_logs.integration
    ResourceNode.objects.create(
        tenant_id=integration.tenant_id,
        integration=integration,
        node="logging",
        type="chime.voice_connector_logging",
        status="ready",
        outputs={"enable_sip_logs": enabled, "enable_media_metric_logs": False},
    )


def test_with_logging_on_and_no_call_yet_the_note_says_no_call_yet(connector_logs: ConnectorLogs) -> None:
    _logging_node(connector_logs, enabled=True)

    note = fetch_calls(connector_logs.integration).note

    assert note.startswith("No call has been logged yet: SIP logging is on")
    assert "logging is off" not in note


def test_with_logging_off_the_note_says_so_and_how_to_fix_it(connector_logs: ConnectorLogs) -> None:
    _logging_node(connector_logs, enabled=False)

    note = fetch_calls(connector_logs.integration).note

    assert note.startswith("SIP logging is off")
    assert "apply the integration" in note
