"""Vendor webhook URLs, mounted under /hooks/ (DESIGN §8: `POST /hooks/twilio/voice/<public id>`)."""

from django.urls import path

from integrations.hooks import views

urlpatterns = [
    path("twilio/voice/<str:public_id>", views.voice_webhook, name="twilio-voice-webhook"),
    path("twilio/status/<str:public_id>", views.sip_status_webhook, name="twilio-status-webhook"),
    path("twilio/refer/<str:public_id>", views.refer_webhook, name="twilio-refer-webhook"),
    path(
        "twilio/warm-transfer/<str:public_id>",
        views.warm_transfer_webhook,
        name="twilio-warm-transfer-webhook",
    ),
]
