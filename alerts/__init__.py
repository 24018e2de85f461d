"""Alerts: per-tenant destinations (email, signed webhook) told when something needs attention."""
