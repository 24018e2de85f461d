"""The dashboard's alert destination form."""

from __future__ import annotations

from typing import Any

from django import forms

from alerts.choices import AlertEvent, DestinationKind
from alerts.delivery import WebhookTargetRefused, check_webhook_url
from alerts.models import all_events


class DestinationForm(forms.Form):
    """Name, kind, address (email or URL) and the events a destination hears about."""

    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=DestinationKind.choices)
    target = forms.CharField(
        max_length=500,
        label="Email address or webhook URL",
        help_text="e.g. oncall@example.com or https://hooks.slack.com/services/…",
    )
    events = forms.MultipleChoiceField(
        choices=[(value, label) for value, label in AlertEvent.choices if value != AlertEvent.TEST],
        initial=all_events,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind, target = data.get("kind"), (data.get("target") or "").strip()
        if kind == DestinationKind.EMAIL:
            try:
                forms.EmailField().clean(target)
            except forms.ValidationError:
                self.add_error("target", "Enter an email address.")
        elif kind == DestinationKind.WEBHOOK:
            try:
                check_webhook_url(target)
            except WebhookTargetRefused as error:
                self.add_error("target", str(error))
        data["target"] = target
        return data
