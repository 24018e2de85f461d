"""`python -m sandbox`: serve every vendor stand-in, moto and the control API from one process.

    python -m sandbox [--host 127.0.0.1] [--port 8700] [--dns-port 8753] [--sip-port 8702] [--state FILE]
                      [--verbose]
    python -m sandbox --describe     # operations served and validation rules enforced, per vendor

It prints the endpoints (the JSON of `GET /_sandbox/`) and a line to export
Patchbay's settings, then serves until Ctrl-C or SIGTERM; with `--state` the
state is loaded on start and saved on exit.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8700, help="HTTP port, 0 for any free one (default 8700)")
    parser.add_argument(
        "--dns-port", type=int, default=8753, help="UDP DNS port, 0 for any free one (default 8753)"
    )
    parser.add_argument(
        "--sip-port", type=int, help="SIP UAS port, UDP and TCP (default HTTP port + 2; 0 for any free one)"
    )
    parser.add_argument("--state", type=Path, help="load state from FILE on start, save it there on exit")
    parser.add_argument(
        "--describe",
        action="store_true",
        help="print counts of operations and validation rules (with --verbose: the lists), then exit",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the sandbox (or describe it); returns the exit status."""
    args = _arguments(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    if not args.verbose:
        # moto and botocore are chatty at INFO; the sandbox's own lines are what matter here.
        for name in ("botocore", "moto", "werkzeug"):
            logging.getLogger(name).setLevel(logging.WARNING)

    from sandbox.control import endpoints, export_line, served
    from sandbox.core.persistence import load_state, save_state
    from sandbox.core.server import SandboxServer

    if args.describe:
        from sandbox.core.describe import describe

        print(describe(full=args.verbose))
        return 0

    server = SandboxServer(host=args.host, port=args.port, dns_port=args.dns_port, sip_port=args.sip_port)
    if args.state is not None:
        load_state(server.sandbox, args.state)
    server.start()
    server.warm_up()
    sandbox = server.sandbox
    print(
        json.dumps(
            {"endpoints": endpoints(sandbox), "serving": served(sandbox), "absent": sandbox.absent}, indent=1
        )
    )
    print(export_line(sandbox), flush=True)

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop.wait(timeout=1):
        pass
    logging.getLogger("sandbox").info("stopping")
    server.close()
    if args.state is not None:
        save_state(sandbox, args.state)
    return 0


if __name__ == "__main__":
    sys.exit(main())
