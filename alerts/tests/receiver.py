"""A local HTTP server standing for the team's Slack-compatible webhook (the `receiver` fixture of
alerts/tests/conftest.py starts it; tests import the type from here, not from a conftest)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Receiver:
    """A local HTTP server standing for the team's Slack-compatible webhook; answers `status`."""

    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    status: int = 200
