"""Thin Celery tasks of diagnostics and registration (STYLE.md "Tasks are thin")."""

from __future__ import annotations

from celery import shared_task

from integrations.models import Integration


@shared_task(name="diagnostics.refresh_registration", acks_late=True)
def refresh_registration_task(integration_id: str) -> str:
    """Re-evaluate one integration's Registered condition; returns its status."""
    from integrations.diagnostics.registration import refresh_registration

    integration = Integration.objects.filter(pk=integration_id, deleting=False).first()
    if integration is None:
        return "gone"
    return str(refresh_registration(integration)["status"])


@shared_task(name="diagnostics.observe_after_run", acks_late=True)
def observe_after_run_task(integration_id: str, run_kind: str, changed: bool) -> str:
    """After an apply or reconcile: Registered, then diagnostics if useful (queued by the engine's event)."""
    from integrations.diagnostics.registration import observe_after_run

    integration = Integration.objects.filter(pk=integration_id, deleting=False).first()
    if integration is None:
        return "gone"
    observe_after_run(integration, run_kind, changed=changed)
    return "observed"
