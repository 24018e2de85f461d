from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    """Metrics, logs and readiness; connects the Celery signals that carry log context and heartbeats."""

    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring import celery_signals, run_metrics  # noqa: F401  (connect the handlers)
