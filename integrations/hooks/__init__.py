"""Webhooks vendors call on live calls (Twilio's voice URL and status callbacks), outside the tenant API."""
