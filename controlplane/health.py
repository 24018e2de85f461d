"""Liveness (`/healthz`) and readiness (`/readyz`) endpoints for load balancers and orchestrators."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection
from kombu.exceptions import KombuError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from monitoring import readiness

# Seconds a readiness probe may wait on the broker; orchestrators probe often
# and time out after a few seconds themselves (Kubernetes' default is 1 s).
BROKER_TIMEOUT = 2.0
OK = "ok"
FAILED = "failed"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and answering HTTP."""
    return JsonResponse({"status": OK})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Database, broker, beat (ticked within two heartbeat intervals) and a worker answering, each by
    name (503 naming the ones that are not). `?parts=database,broker` checks only those: a load
    balancer in front of the web processes should not drop them because beat stopped."""
    asked = [part for part in request.GET.get("parts", "").split(",") if part in READINESS_PARTS]
    parts = asked or list(READINESS_PARTS)
    errors: dict[str, str] = {}
    database_error = check_database()
    if database_error:
        errors["database"] = database_error
    broker_error = check_broker(settings.CELERY_BROKER_URL)
    if broker_error:
        errors["broker"] = broker_error
    if "beat" in parts or "worker" in parts:
        for part, error in _background_errors(database_error, broker_error).items():
            if error:
                errors[part] = error
    errors = {part: error for part, error in errors.items() if part in parts}
    body: dict[str, object] = {part: FAILED if part in errors else OK for part in parts}
    if errors:
        body["errors"] = errors
        return JsonResponse(body, status=503)
    return JsonResponse(body)


#: the parts /readyz reports, in order
READINESS_PARTS = ("database", "broker", "beat", "worker")


def _background_errors(database_error: str | None, broker_error: str | None) -> dict[str, str | None]:
    """Why beat and the workers are not ready (None: ready)."""
    if database_error:
        # Their heartbeats are database rows: unreadable without the database.
        unknown = "cannot tell: the database is unreachable"
        return {"beat": unknown, "worker": unknown}
    worker_error = (
        "cannot tell: the broker is unreachable"
        if broker_error
        else readiness.check_worker(settings.CELERY_BROKER_URL)
    )
    return {"beat": readiness.check_beat(), "worker": worker_error}


def check_database() -> str | None:
    """Run `SELECT 1` on the default database; return why it failed, or None."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return describe_failure(exc, settings.DATABASES["default"].get("PASSWORD") or "")
    return None


def check_broker(url: str) -> str | None:
    """Connect to the Celery broker at `url` once, with a short timeout; return why it failed, or None."""
    password = urlsplit(url).password or ""
    options: dict[str, float] = {}
    if url.startswith(("redis://", "rediss://")):
        options = {"socket_timeout": BROKER_TIMEOUT, "socket_connect_timeout": BROKER_TIMEOUT}
    # Other transports take no socket options (SQLAlchemy's passes them to create_engine, which refuses them).
    conn = Connection(url, connect_timeout=BROKER_TIMEOUT, transport_options=options)
    failures: tuple[type[BaseException], ...] = (KombuError, OSError, SQLAlchemyError)
    try:
        failures = (*failures, *conn.connection_errors, *conn.channel_errors)
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
        channel = conn.default_channel
        session = getattr(channel, "session", None)
        if session is not None:
            # kombu's SQLAlchemy transport is virtual: ensure_connection succeeds
            # without touching the database, so ask the database itself.
            session.execute(text("SELECT 1"))
    except failures as exc:
        return describe_failure(exc, password)
    finally:
        conn.release()
    return None


def describe_failure(exc: BaseException, password: str) -> str:
    """A short reason for a failed check, with any password taken out of the driver's message."""
    message = str(exc).splitlines()[0] if str(exc) else ""
    if password:
        message = message.replace(password, "********")
    return f"{type(exc).__name__}: {message}"[:300]
