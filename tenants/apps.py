from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """Tenancy: who may see and change what."""

    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the OpenAPI description of token authentication with drf-spectacular.
        from tenants.api import schema  # noqa: F401
