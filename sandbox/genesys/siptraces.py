"""Genesys SIP traces: `GET /api/v2/telephony/siptraces`, filled by the sandbox's simulated calls.

The answer is Genesys's `SipSearchResult {count, data}` with one `HomerRecord` per SIP message
(`callid`, `date`, `method`, `msg`, `sourceIp`, ...; Genesys platform SDK models). The search takes
`dateStart`/`dateEnd` and needs at least one of `callId`, `conversationId`, `toUser`, `fromUser`
(the SDK documents them as the search's parameters); the result is not paged.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Response

from sandbox.core.http_vendor import HttpCall, VendorHttpError, json_response

if TYPE_CHECKING:
    from sandbox.genesys.stand_in import GenesysStandIn

#: query parameter → field of a stored trace message it filters on
_FILTERS = {
    "callId": "callid",
    "conversationId": "conversationId",
    "toUser": "toUser",
    "fromUser": "fromUser",
}


def search_sip_traces(gc: GenesysStandIn, call: HttpCall) -> Response:
    """Stored SIP messages of the org inserted between dateStart and dateEnd, filtered → `{count, data}`."""
    query = call.query()
    gc.raise_violations(call.query_violations(query))
    if not any(query.get(param) for param in _FILTERS):
        raise VendorHttpError(
            400, "bad.request", "one of callId, conversationId, toUser or fromUser is required"
        )
    start, end = parse_instant(query["dateStart"]), parse_instant(query["dateEnd"])
    if start is None or end is None or end < start:
        raise VendorHttpError(
            400, "bad.request", "dateStart and dateEnd must be ISO-8601 instants, start <= end"
        )
    found = [
        message
        for message in gc.sip_traces.get(call.account, [])
        if (instant := parse_instant(message["date"])) is not None
        and start <= instant <= end
        and all(message.get(field) == query[param] for param, field in _FILTERS.items() if param in query)
    ]
    return json_response({"count": len(found), "data": found})


def parse_instant(value: str) -> dt.datetime | None:
    """An ISO-8601 instant as an aware datetime (naive ones are UTC), or None."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def stored_message(message: dict[str, Any], now: str) -> dict[str, Any]:
    """A trace record as stored (a HomerRecord): `date` defaults to now; `callid` is required."""
    if not message.get("callid"):
        raise ValueError("a SIP trace record needs a callid")
    stored = dict(message)
    stored.setdefault("date", now)
    if parse_instant(stored["date"]) is None:
        raise ValueError(f"date {stored['date']!r} is not an ISO-8601 instant")
    return stored
