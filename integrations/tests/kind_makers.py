"""One maker per integration kind (tenant, sandbox accounts and the integration, through Patchbay's
actions), for the tests, benchmarks and fault campaigns that go over every kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.tests.engine_support import make_connect_vapi
from integrations.tests.genesys_engine_support import make_genesys_synthflow
from integrations.tests.synthflow_engine_support import make_connect_synthflow, make_twilio_synthflow

#: kind → its maker, in the order benchmarks seed them
MAKERS: dict[str, Callable[..., Any]] = {
    "connect_vapi": make_connect_vapi,
    "connect_synthflow": make_connect_synthflow,
    "genesys_synthflow": make_genesys_synthflow,
    "twilio_synthflow": make_twilio_synthflow,
}
