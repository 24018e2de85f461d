"""The Synthflow rules file: every operation and rule carries its source, and the stand-in serves
exactly the operations the file transcribes (sandbox/synthflow/reference.json)."""

from __future__ import annotations

import re

from sandbox.synthflow import reference
from sandbox.synthflow.stand_in import ROUTES, SynthflowStandIn

DOCS = "https://docs.synthflow.ai/"


def test_every_operation_and_every_rule_names_its_source() -> None:
    operations = reference.reference()["operations"]
    lines = SynthflowStandIn.validation_rules(SynthflowStandIn.__new__(SynthflowStandIn))

    assert all(op["source"].startswith(DOCS) for op in operations.values())
    # Each rule ends with its source: a Synthflow page, or "sandbox" / PROVIDERS.md for the few
    # rules that are the sandbox's own (auth, SIP edge, refusing what is undocumented).
    sourced = [
        re.search(r"\[(https://docs\.synthflow\.ai/|sandbox|PROVIDERS\.md)[^\]]*\]$", line) for line in lines
    ]
    assert all(sourced), [line for line, found in zip(lines, sourced, strict=True) if not found]
    from_docs = [line for line in lines if f"[{DOCS}" in line]
    assert len(from_docs) > 0.9 * len(lines)


def test_the_stand_in_serves_each_transcribed_operation_at_its_documented_path() -> None:
    operations = reference.reference()["operations"]

    served = {(r.operation, r.method, r.template) for r in ROUTES.routes}

    assert served == {(name, op["method"], op["path"]) for name, op in operations.items()}
