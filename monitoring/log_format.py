"""Log formatters: one JSON object per line for production's log pipeline, or plain text for a terminal.

`LOG_FORMAT=json` (the default with DEBUG off) writes `{"time", "level", "logger",
"message", "request_id", "tenant", "integration", "run", "call", ...}`; the ids are
present where known (monitoring/log_context.py). Messages are cut to
`MAX_MESSAGE_CHARS` and control characters escaped, so a vendor's text cannot
forge a second line or flood the pipeline; secrets are kept out by the code that
logs (no client logs a credential), and json.dumps escapes what remains.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from monitoring import log_context

#: longest message (and exception text) written; vendor answers can be large
MAX_MESSAGE_CHARS = 4000
_TRUNCATED = "…[truncated]"


def _bounded(text: str) -> str:
    if len(text) > MAX_MESSAGE_CHARS:
        return text[:MAX_MESSAGE_CHARS] + _TRUNCATED
    return text


def _plain_safe(text: str) -> str:
    """Control characters (newlines included) escaped, so one record stays one line."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


class ContextFilter(logging.Filter):
    """Copies the log context's ids onto every record (so both formatters can show them), and puts the
    URL pattern in place of the path in Django's request lines ("Not Found: /invitations/accept/<token>/"
    would otherwise write an invitation's token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in log_context.current().items():
            if not hasattr(record, name):
                setattr(record, name, value)
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if request is not None and path and isinstance(record.args, tuple) and path in record.args:
            from monitoring.middleware import route_of

            record.args = tuple(route_of(request) if arg == path else arg for arg in record.args)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the context ids, and any exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _bounded(record.getMessage()),
        }
        for name in log_context.CONTEXT_FIELDS:
            value = getattr(record, name, "") or log_context.current().get(name, "")
            if value:
                entry[name] = str(value)[:64]
        if record.exc_info:
            entry["exception"] = _bounded(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=True)


class PlainFormatter(logging.Formatter):
    """`time level logger message [request_id=… tenant=…]`, one line per record (make run's terminal)."""

    def format(self, record: logging.LogRecord) -> str:
        ids = " ".join(
            f"{name}={getattr(record, name)}"
            for name in log_context.CONTEXT_FIELDS
            if getattr(record, name, "")
        )
        message = _plain_safe(_bounded(record.getMessage()))
        line = f"{self.formatTime(record)} {record.levelname} {record.name} {message}"
        if ids:
            line += f" [{ids}]"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line
