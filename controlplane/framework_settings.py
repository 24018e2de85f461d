"""The larger framework settings of controlplane/settings.py, built here from the values it reads from the
environment: DRF's and drf-spectacular's, the logging configuration and Celery beat's schedule.
Nothing here reads the environment itself, so settings.py stays the one place that does.
"""

from __future__ import annotations

from typing import Any

#: integration kinds, as integrations.choices.IntegrationKind has them (named here for the schema's
#: enum names; settings load before the apps)
INTEGRATION_KIND_VALUES = ("connect_vapi", "connect_synthflow", "genesys_synthflow", "twilio_synthflow")


def rest_framework(*, throttle_rate: str) -> dict[str, Any]:
    """`REST_FRAMEWORK`: token auth, tenant roles, bounded parsers, the documented error shape."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "tenants.authentication.TenantTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["tenants.permissions.HasTenantRole"],
        "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
        "PAGE_SIZE": 50,
        "EXCEPTION_HANDLER": "tenants.api.errors.api_exception_handler",
        # DRF's own JSON and form parsers read any body whole (tenants/api/parsers.py)
        "DEFAULT_PARSER_CLASSES": [
            "tenants.api.parsers.BoundedJSONParser",
            "tenants.api.parsers.BoundedFormParser",
            "rest_framework.parsers.MultiPartParser",
        ],
        "DEFAULT_SCHEMA_CLASS": "tenants.api.schema.PatchbayAutoSchema",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
        # Per token (or per dashboard user); requests without a principal are refused before this matters.
        "DEFAULT_THROTTLE_CLASSES": ["tenants.api.throttling.PrincipalRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"principal": throttle_rate},
    }


def spectacular() -> dict[str, Any]:
    """`SPECTACULAR_SETTINGS`: the OpenAPI document's names, served from drf-spectacular-sidecar."""
    return {
        "TITLE": "Patchbay API",
        "DESCRIPTION": "Control plane connecting contact centers to voice-AI agents over SIP.",
        "VERSION": "1.0.0",
        "SERVE_INCLUDE_SCHEMA": False,
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "REDOC_DIST": "SIDECAR",
        "COMPONENT_SPLIT_REQUEST": True,
        # Two `transport` choice sets (Chime and Genesys) need names of their own in the schema.
        "ENUM_NAME_OVERRIDES": {
            "ConnectTransportEnum": "integrations.choices.ConnectTransport",
            "GenesysTransportEnum": "integrations.choices.GenesysTransport",
            "SipTargetStateEnum": "calls.choices.TargetState",
            # `kind` and `state` name several choice sets; named here so the schema (and check --deploy)
            # is clean.
            "AccountKindEnum": "integrations.choices.AccountKind",
            "IntegrationKindEnum": "integrations.choices.IntegrationKind",
            "RunKindEnum": "integrations.models.engine.RunKind",
            "RunStateEnum": "integrations.models.engine.RunState",
            "TwilioEventKindEnum": "integrations.models.twilio_events.TwilioEventKind",
            # each kind's discriminator, shared by its integration and its declaration variant
            **{f"{''.join(w.title() for w in k.split('_'))}KindEnum": [k] for k in INTEGRATION_KIND_VALUES},
        },
    }


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """`LOGGING`: one console handler, JSON lines or plain text, every line with the request/run context."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "monitoring.log_format.ContextFilter"}},
        "formatters": {
            "plain": {"()": "monitoring.log_format.PlainFormatter"},
            "json": {"()": "monitoring.log_format.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json" if log_format == "json" else "plain",
                "filters": ["context"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # httpx logs every request's full URL at INFO; an alert webhook's path is a credential (Slack's
            # incoming webhooks), and patchbay.vendor already logs each vendor request without it.
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }


def beat_schedule(*, calls_fetch_tick: float, heartbeat: float, voice_records_drain: float) -> dict[str, Any]:
    """Celery beat's periodic tasks (seconds)."""
    return {
        "enqueue-due-reconciles": {"task": "integrations.enqueue_due_reconciles", "schedule": 30.0},
        # Which integrations' call logs are due, every 5 s (calls/fetch_schedule.py: ladder latency).
        "fetch-recent-calls": {"task": "calls.fetch_recent_calls", "schedule": calls_fetch_tick},
        "probe-sip-targets": {"task": "calls.enqueue_due_probes", "schedule": 60.0},
        # issue 16: /readyz's worker and beat parts
        "worker-heartbeat": {"task": "monitoring.worker_heartbeat", "schedule": heartbeat},
        "drain-voice-records": {"task": "integrations.drain_voice_records", "schedule": voice_records_drain},
        "purge-idempotency-records": {
            "task": "tenants.purge_expired_idempotency_records",
            "schedule": 3600.0,
        },
    }
