"""Tenants, memberships and roles, API tokens, the audit log, and the tenant-scoped base classes."""
