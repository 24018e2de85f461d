"""Deterministic external names: `pb-<tenant>-<integration>-<node>` within each vendor's rules.

A deterministic name lets the next run find an object whose create answer was
lost (worker killed, connection dropped) instead of creating a second one.
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^a-z0-9-]+")


def _slug(text: str) -> str:
    return _UNSAFE.sub("-", text.lower()).strip("-")


def integration_prefix(tenant_slug: str, integration_name: str) -> str:
    """The prefix every external name of one integration carries (used to count orphans)."""
    return f"pb-{_slug(tenant_slug)}-{_slug(integration_name)}"


def external_name(tenant_slug: str, integration_name: str, node: str, max_length: int = 64) -> str:
    """`pb-<tenant>-<integration>-<node>`, shortened with a stable hash when the vendor's limit is lower."""
    full = f"{integration_prefix(tenant_slug, integration_name)}-{_slug(node)}"
    if len(full) <= max_length:
        return full
    digest = hashlib.sha256(full.encode()).hexdigest()[:8]
    keep = max_length - len(digest) - 1
    return f"{full[:keep].rstrip('-')}-{digest}"
