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
