"""The sandbox's DNS zone: host name → IPv4 addresses, served over UDP by `sandbox.dns_server`."""

from __future__ import annotations

import threading


class DnsRecords:
    """Thread-safe A records; the Chime stand-in writes connector hosts here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, list[str]] = {}

    def set(self, host: str, ips: list[str]) -> None:
        with self._lock:
            self._records[host.lower().rstrip(".")] = list(ips)

    def get(self, host: str) -> list[str] | None:
        with self._lock:
            ips = self._records.get(host.lower().rstrip("."))
            return list(ips) if ips is not None else None

    def remove(self, host: str) -> None:
        with self._lock:
            self._records.pop(host.lower().rstrip("."), None)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def dump_state(self) -> dict[str, list[str]]:
        with self._lock:
            return dict(self._records)

    def load_state(self, state: dict[str, list[str]]) -> None:
        with self._lock:
            self._records = dict(state)
