"""One thin client per vendor: base URL from settings, pooled connections, auth, retries, error mapping.

Raw vendor JSON never leaves these modules; they return typed values and raise
the domain errors of `integrations.vendors.errors`.
"""
