"""A small UDP DNS server answering `<id>.voiceconnector.chime.aws` from the sandbox's records.

Patchbay resolves a connector's signalling IPs with dnspython against
`CHIME_DNS_SERVER` (DESIGN §8); in the sandbox that is this server. Names
with a record get its A records (TTL 5 s, so an IP change made through
`PUT /_sandbox/dns/<id>` is seen quickly, as AWS.md §5.2 says the real IPs
change); an unknown name is NXDOMAIN; a known name asked for another type
gets an empty NOERROR answer, as real servers do. Names without a record are
passed to `fallback` (the server wires `sandbox.core.sip_hosts.vendor_host_ips`:
the vendors' SIP hosts that exist in the sandbox, for Patchbay's probes).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from dnslib import QTYPE, RCODE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from sandbox.core.dns_records import DnsRecords

logger = logging.getLogger(__name__)

TTL_SECONDS = 5


class RecordsResolver(BaseResolver):
    """dnslib resolver over `DnsRecords`."""

    def __init__(
        self, records: DnsRecords, fallback: Callable[[str], list[str] | None] | None = None
    ) -> None:
        self.records = records
        self.fallback = fallback

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        qname = request.q.qname
        ips = self.records.get(str(qname))
        if ips is None and self.fallback is not None:
            ips = self.fallback(str(qname))
        if ips is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype in (QTYPE.A, QTYPE.ANY):
            for ip in ips:
                reply.add_answer(RR(qname, QTYPE.A, rdata=A(ip), ttl=TTL_SECONDS))
        return reply


class _QuietLogger(DNSLogger):
    """dnslib prints every query by default; send them to our logger at debug level instead."""

    def __init__(self) -> None:
        super().__init__(log="-recv,-send,-request,-reply,-truncated,-data", prefix=False, logf=logger.debug)

    def log_error(self, handler: Any, e: Exception) -> None:
        logger.warning("undecodable DNS packet from %s: %s", handler.client_address, e)


class SandboxDnsServer:
    """The UDP DNS server, run on a daemon thread."""

    def __init__(
        self,
        records: DnsRecords,
        host: str = "127.0.0.1",
        port: int = 8753,
        fallback: Callable[[str], list[str] | None] | None = None,
    ) -> None:
        resolver = RecordsResolver(records, fallback)
        self._server = DNSServer(resolver, address=host, port=port, logger=_QuietLogger())
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """The `host:port` Patchbay's CHIME_DNS_SERVER setting takes."""
        host, port = self._server.server.server_address[:2]
        return f"{host}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server.server_address[1])

    def start(self) -> None:
        """Serve on a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.server.serve_forever, name="sandbox-dns", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.server.shutdown()
        self._server.server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
