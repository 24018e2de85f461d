"""The sandbox process's servers: the threaded WSGI server (HTTP), the DNS server (UDP) and the SIP UAS.

`SandboxServer` is what `python -m sandbox` runs in its main thread and what
the test fixtures run on a background thread; both use port 0 to take a free port.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.app import SandboxApp
from sandbox.core.registry import Sandbox
from sandbox.core.sip_hosts import vendor_host_ips
from sandbox.core.sip_uas import SipUasServer
from sandbox.dns_server import SandboxDnsServer

logger = logging.getLogger("sandbox.access")


class _QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler with access lines sent to the `sandbox.access` logger (debug)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug('"%s" %s %s', self.requestline, code, size)


class SandboxServer:
    """One sandbox: its state, its HTTP server and its DNS server."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8700,
        dns_port: int = 8753,
        sandbox: Sandbox | None = None,
        sip_port: int | None = None,
    ) -> None:
        self.sandbox = sandbox or Sandbox()
        self.app = SandboxApp(self.sandbox)
        self.http: BaseWSGIServer = make_server(
            host, port, self.app, threaded=True, request_handler=_QuietRequestHandler
        )
        state = self.sandbox
        self.dns = SandboxDnsServer(
            state.dns, host=host, port=dns_port, fallback=lambda name: vendor_host_ips(state, name)
        )
        # The SIP stand-in: HTTP port + 2 unless told (0 → any free port, as for the HTTP port 0).
        if sip_port is None:
            sip_port = port + 2 if port else 0
        self.sip = SipUasServer(self.sandbox.sip, host=host, port=sip_port)
        advertised = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.sandbox.base_url = f"http://{advertised}:{self.http.server_port}"
        self.sandbox.dns_address = f"{advertised}:{self.dns.port}"
        self.sandbox.sip_address = f"{advertised}:{self.sip.port}"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL every endpoint hangs from."""
        return self.sandbox.base_url

    @property
    def dns_port(self) -> int:
        return self.dns.port

    def warm_up(self) -> None:
        """Build moto's app on a background thread so the first AWS request does not pay for it."""
        threading.Thread(
            target=lambda: self.sandbox.moto.app, name="sandbox-moto-warmup", daemon=True
        ).start()

    @property
    def sip_port(self) -> int:
        return self.sip.port

    def serve_forever(self) -> None:
        """Serve DNS and SIP on threads and HTTP in the calling thread until `shutdown`."""
        self.dns.start()
        self.sip.start()
        self.http.serve_forever()

    def start(self) -> None:
        """Serve all three on background threads (for tests)."""
        self.dns.start()
        self.sip.start()
        self._thread = threading.Thread(target=self.http.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving; safe to call from a signal handler's thread or another thread."""
        self.http.shutdown()

    def close(self, *_: Any) -> None:
        """Stop both servers and release their sockets."""
        if self._thread is not None:
            self.http.shutdown()
            self._thread.join(timeout=10)
        self.http.server_close()
        self.dns.stop()
        self.sip.stop()
