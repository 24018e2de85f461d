"""Synthflow kinds: the number must be E.164 everywhere (Synthflow, Chime and Twilio expect `+<digits>`)."""

from __future__ import annotations

import re

import phonenumbers

from integrations.choices import IntegrationKind
from integrations.diagnostics.base import Check
from integrations.diagnostics.checks.synthflow_number import configured_number, synthflow_number
from integrations.diagnostics.context import CheckContext
from integrations.diagnostics.findings import Finding

E164 = re.compile(r"^\+[1-9]\d{1,14}$")


def is_e164(value: str) -> bool:
    """Written as E.164 and a possible number of its country (libphonenumber)."""
    if not E164.match(value):
        return False
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


class NumberIsE164(Check):
    name = "number-e164"
    title = "Phone number is in E.164"
    kinds = (
        IntegrationKind.CONNECT_SYNTHFLOW,
        IntegrationKind.GENESYS_SYNTHFLOW,
        IntegrationKind.TWILIO_SYNTHFLOW,
    )
    fix = "Re-import the number into Synthflow as +<country code><number> (E.164), or apply the integration."

    def evaluate(self, ctx: CheckContext) -> Finding:
        wanted = configured_number(ctx)
        number = synthflow_number(ctx)
        seen = number.phone_number if number is not None else ""
        evidence = f"integration: {wanted}; Synthflow: {seen or '(not imported)'}"
        bad = [value for value in (wanted, seen) if value and not is_e164(value)]
        if bad:
            return self.problem(
                f"{', '.join(repr(b) for b in bad)} is not an E.164 number: Synthflow cannot match the "
                "INVITE's user part to it and answers 404.",
                evidence,
            )
        return self.ok("The number is E.164.", evidence)
