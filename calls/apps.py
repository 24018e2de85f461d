from django.apps import AppConfig


class CallsConfig(AppConfig):
    """Calls: what the SIP did (ladders from logs and traces) and whether SIP targets answer."""

    name = "calls"
    default_auto_field = "django.db.models.BigAutoField"
