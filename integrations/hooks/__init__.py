"""Webhooks vendors call on live calls (Twilio's voice URL, status callbacks, the REFER of a cold transfer and
the SIP Domain's voice URL of a warm transfer), outside the tenant API."""
