from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Integrations: desired state per tenant, provisioned by the engine."""

    name = "integrations"
    default_auto_field = "django.db.models.BigAutoField"
