"""The diagnostics app: troubleshooting checks of an integration and the reports they leave."""

from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    """Own app label (and migrations) so its tables evolve apart from the engine's."""

    name = "integrations.diagnostics"
    label = "diagnostics"
    verbose_name = "Diagnostics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.diagnostics import receivers  # noqa: F401  (connects the engine's events)
