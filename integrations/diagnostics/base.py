"""The base of every check: a name, the kinds it applies to, and one `evaluate` returning a finding."""

from __future__ import annotations

from typing import ClassVar

from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding, FindingStatus, Severity


class Check:
    """One troubleshooting row of a vendor guide, automated. Subclasses implement `evaluate`."""

    #: short stable id, e.g. "missing-gateway" (the API's `check`)
    name: ClassVar[str]
    #: what it looks at, for people
    title: ClassVar[str]
    kinds: ClassVar[tuple[str, ...]]
    #: how bad a problem found by this check is
    severity: ClassVar[str] = Severity.ERROR
    #: what to do about a problem (a check may give a more specific fix)
    fix: ClassVar[str] = ""

    def evaluate(self, ctx: CheckContext) -> Finding:
        raise NotImplementedError

    def evaluate_all(self, ctx: CheckContext) -> list[Finding]:
        """Every finding of the check: one, unless a check concludes per class (e.g. failed calls)."""
        return [self.evaluate(ctx)]

    def ok(self, message: str, evidence: str = "") -> Finding:
        return Finding(self.name, self.title, FindingStatus.OK, Severity.INFO, message, evidence, "")

    def problem(self, message: str, evidence: str = "", fix: str = "", severity: str = "") -> Finding:
        return Finding(
            self.name,
            self.title,
            FindingStatus.PROBLEM,
            severity or self.severity,
            message,
            evidence,
            fix or self.fix,
        )

    def unknown(self, message: str, evidence: str = "") -> Finding:
        return Finding(self.name, self.title, FindingStatus.UNKNOWN, Severity.INFO, message, evidence, "")
