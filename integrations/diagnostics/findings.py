"""A finding: what one check concluded about an integration, the evidence, and the fix."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import models


class FindingStatus(models.TextChoices):
    OK = "ok", "OK"
    PROBLEM = "problem", "Problem"
    #: the check could not decide (not provisioned yet, a vendor read failed); it says why
    UNKNOWN = "unknown", "Cannot decide"


class Severity(models.TextChoices):
    #: calls fail (401, 404, 408 ...)
    ERROR = "error", "Error"
    #: calls work but something is weakened or unobservable (no SIP logs, an allow-all ACL)
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


@dataclass(frozen=True)
class Finding:
    """One conclusion of a check (DESIGN §8: `{check, status, message, evidence, fix}`)."""

    check: str
    title: str
    status: str
    severity: str
    message: str
    evidence: str = ""
    fix: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


class CheckSkipped(Exception):
    """Raised by a check that cannot decide, with the sentence saying why (becomes an `unknown`)."""
