"""CloudWatch Logs: where Chime writes a connector's SIP messages and Lambda its functions' output.

Patchbay only reads (FilterLogEvents) the two kinds of log group the permission policy names
(integrations/aws_permissions.py CALL_LOGS); their names are made here, once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from integrations.vendors.aws.service import AwsService

logger = logging.getLogger(__name__)

#: where Chime writes each SIP message a Voice Connector sends or receives (AWS.md §5.1)
SIP_LOG_GROUP = "/aws/ChimeVoiceConnectorSipMessages/{connector_id}"
#: where Lambda writes a function's output
LAMBDA_LOG_GROUP = "/aws/lambda/{function_name}"
#: FilterLogEvents returns at most 10,000 events per page (CloudWatch Logs API reference)
PAGE_LIMIT = 10_000


def sip_log_group(connector_id: str) -> str:
    """The log group of a Voice Connector's SIP messages (AWS creates it with the first one logged)."""
    return SIP_LOG_GROUP.format(connector_id=connector_id)


def lambda_log_group(function_name: str) -> str:
    return LAMBDA_LOG_GROUP.format(function_name=function_name)


@dataclass(frozen=True)
class LogEvent:
    """One event of a log group: milliseconds since the epoch, and the text as written."""

    timestamp: int | None
    message: str


class CloudWatchLogs(AwsService):
    SERVICE = "logs"
    # botocore's model `logs`: FilterLogEvents on a missing group raises ResourceNotFoundException;
    # CreateLogGroup of an existing one ResourceAlreadyExistsException (Patchbay creates none).
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    CONFLICT = frozenset({"ResourceAlreadyExistsException"})
    TOKEN_IN = "nextToken"
    TOKEN_OUT = "nextToken"

    def events(self, group: str, start_ms: int, end_ms: int, *, max_pages: int) -> list[LogEvent]:
        """Every event of `group` in [start_ms, end_ms], at most `max_pages` pages (NotFound: no group).

        Not `_pages`: an empty page with a nextToken means "still searching" (FilterLogEvents API
        reference), and the same token twice means the end; past `max_pages` the rest is left for
        the next read.
        """
        params: dict[str, Any] = {
            "logGroupName": group,
            "startTime": start_ms,
            "endTime": end_ms,
            "limit": PAGE_LIMIT,
        }
        events: list[LogEvent] = []
        for _page in range(max_pages):
            page = self._call("filter_log_events", **params)
            events.extend(
                LogEvent(
                    timestamp=int(e["timestamp"]) if e.get("timestamp") is not None else None,
                    message=str(e.get("message") or ""),
                )
                for e in page.get("events") or []
            )
            token = page.get(self.TOKEN_OUT)
            if not token or token == params.get(self.TOKEN_IN):
                return events
            params[self.TOKEN_IN] = token
        logger.warning(
            "stopped reading %s after %d pages; the rest comes on the next fetch", group, max_pages
        )
        return events
