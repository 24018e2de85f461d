from django.apps import AppConfig


class AlertsConfig(AppConfig):
    """Alert destinations and deliveries; subscribes to the engine's and the probes' events."""

    name = "alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from alerts import receivers  # noqa: F401  (connects the handlers)
