"""The sandbox's WSGI dispatcher: one port for every vendor, the control API and moto.

- `/_sandbox/...` → the control API (`sandbox.control`).
- `/vapi`, `/synthflow`, `/genesys`, `/twilio` → that HTTP vendor's stand-in, with the prefix removed.
- anything else → AWS, told apart by the SigV4 credential scope: `chime` → the
  Chime stand-in, `connect` → the Connect stand-in (or moto when it answers
  None), every other service → moto in server mode.
Requests with neither a prefix nor a SigV4 scope get a 404 saying what is served.

Around each named operation the dispatcher applies an injected fault (if one
matches), refuses an AWS request its caller's role does not allow (AccessDenied,
`MotoBridge.refuse_unauthorized`), and then records the request in the ledger.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any, NoReturn
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from sandbox.aws.operation_names import operation_name, protocol_of
from sandbox.aws.protocol_errors import aws_error, aws_throttle
from sandbox.aws.router import SigV4Scope, sigv4_scope
from sandbox.control import CONTROL_PREFIX, ControlApi, endpoints
from sandbox.core.faults import Fault, FaultMode
from sandbox.core.registry import AWS_STAND_IN_SERVICES, HTTP_VENDORS, Sandbox, StandInAbsent
from sandbox.core.vendor import Routed

logger = logging.getLogger(__name__)

_JSON = "application/json"


class ConnectionDroppedByFault(ConnectionAbortedError):
    """Raised after closing the socket so werkzeug's server drops the request without an answer."""


def _not_served(detail: str, status: int, **extra: Any) -> Response:
    return Response(json.dumps({"detail": detail, **extra}), status=status, content_type=_JSON)


class SandboxApp:
    """The WSGI application `python -m sandbox` serves."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.control = ControlApi(sandbox)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        path = request.path
        if path == CONTROL_PREFIX or path.startswith(CONTROL_PREFIX + "/"):
            response = self.control.dispatch(request)
        else:
            response = self._vendor_request(request, environ)
        return response(environ, start_response)

    # --- routing -------------------------------------------------------------------
    def _vendor_request(self, request: Request, environ: dict[str, Any]) -> Response:
        path = request.path
        for vendor in HTTP_VENDORS:
            prefix = f"/{vendor}"
            if path == prefix or path.startswith(prefix + "/"):
                response = self._stand_in_request(request, environ, vendor, "", path[len(prefix) :] or "/")
                assert response is not None, "an HTTP vendor's stand-in answers every request"
                return response
        scope = sigv4_scope(environ)
        if scope is None:
            self.sandbox.ledger.record(
                vendor="", service="", operation="", method=request.method, path=path, status=404
            )
            return _not_served(
                "not a sandbox path: AWS requests need a SigV4 Authorization header; HTTP vendors live under "
                "/vapi, /synthflow, /genesys, /twilio; the control API under /_sandbox/",
                404,
                endpoints=endpoints(self.sandbox, request),
            )
        # Buffer the body once: a stand-in may read it and still hand the request to moto.
        body = request.get_data(cache=True)
        if scope.service in AWS_STAND_IN_SERVICES:
            if not self.sandbox.has_stand_in(scope.service) and scope.service == "chime":
                message = f"chime-sdk-voice is not served: {self.sandbox.absent.get('chime', '')}"
                return aws_error("rest-json", 501, "NotImplemented", message)
            if self.sandbox.has_stand_in(scope.service):
                answer = self._stand_in_request(request, environ, scope.service, scope.service, path)
                if answer is not None:
                    return answer
        return self._moto_request(request, environ, scope, body)

    def _stand_in_request(
        self, request: Request, environ: dict[str, Any], name: str, service: str, path: str
    ) -> Response | None:
        """Serve a request with a stand-in; None when an AWS stand-in leaves it to moto."""
        try:
            stand_in = self.sandbox.stand_in(name)
        except StandInAbsent as absent:
            self.sandbox.ledger.record(
                vendor=name, service="", operation="", method=request.method, path=request.path, status=501
            )
            return _not_served(str(absent), 501)
        with self.sandbox.lock:
            routed = stand_in.route(request, path)
        if routed is None:
            return None
        if not isinstance(routed, Routed):
            self.sandbox.ledger.record(
                vendor=stand_in.vendor,
                service=service,
                operation="",
                method=request.method,
                path=request.path,
                status=routed.status_code,
            )
            return routed
        return self._run(
            environ,
            request,
            vendor=stand_in.vendor,
            service=service,
            operation=routed.operation,
            handler=routed.handler,
            error=stand_in.error,
            throttle=stand_in.throttle,
        )

    def _moto_request(
        self, request: Request, environ: dict[str, Any], scope: SigV4Scope, body: bytes
    ) -> Response:
        form: dict[str, list[str]] = {}
        if request.mimetype == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", "replace"))
        operation = operation_name(
            scope.service,
            method=request.method,
            path=request.path,
            query_string=environ.get("QUERY_STRING", ""),
            target=request.headers.get("X-Amz-Target", ""),
            form=form,
        )
        protocol = protocol_of(scope.service)

        def handler() -> Response:
            if scope.service == "sts" and operation == "AssumeRole":
                refusal = self.sandbox.moto.refuse_assume_role(scope.access_key, scope.region, body)
                if refusal is not None:
                    return refusal
            if scope.service == "lambda" and operation == "AddPermission":
                conflict = self.sandbox.moto.refuse_duplicate_statement(scope.region, request.path, body)
                if conflict is not None:
                    return conflict
            return self.sandbox.moto.forward(environ, body)

        return self._run(
            environ,
            request,
            vendor="aws",
            service=scope.service,
            operation=operation,
            handler=handler,
            error=lambda status, code, message: aws_error(protocol, status, code, message),
            throttle=lambda: aws_throttle(protocol),
        )

    # --- faults and the ledger -------------------------------------------------------
    def _run(
        self,
        environ: dict[str, Any],
        request: Request,
        *,
        vendor: str,
        service: str,
        operation: str,
        handler: Callable[[], Response],
        error: Callable[[int, str, str], Response],
        throttle: Callable[[], Response],
    ) -> Response:
        fault = self.sandbox.faults.take(vendor, service, operation)
        mode = fault.mode if fault else None

        def record(status: int | None) -> None:
            self.sandbox.ledger.record(
                vendor=vendor,
                service=service,
                operation=operation,
                method=request.method,
                path=request.path,
                status=status,
                fault=str(mode or ""),
            )

        if fault is not None and mode is FaultMode.LATENCY:
            time.sleep(fault.latency_ms / 1000)  # outside the lock: other requests go on meanwhile
        if fault is not None and mode is FaultMode.ERROR:
            response = error(fault.status, fault.code, fault.message)
        elif fault is not None and mode is FaultMode.THROTTLE:
            response = self._throttled(fault, throttle)
        elif mode is FaultMode.DROP:
            record(None)
            self._drop_connection(environ)
        else:
            try:
                with self.sandbox.lock:
                    refused = self._refused(service, operation, request) if vendor == "aws" else None
                    response = error(*refused) if refused else handler()
            except Exception:
                record(500)  # recorded, then re-raised: werkzeug logs it and answers 500
                raise
            if mode is FaultMode.LOSE_RESPONSE:
                record(response.status_code)
                self._drop_connection(environ)
        record(response.status_code)
        return response

    def _refused(self, service: str, operation: str, request: Request) -> tuple[int, str, str] | None:
        """IAM's AccessDenied for an AWS request whose assumed role may not do it, else None."""
        scope = sigv4_scope(request.environ)
        if scope is None:
            return None
        moto = self.sandbox.moto
        return moto.refuse_unauthorized(scope.access_key, scope.region, service, operation, request)

    @staticmethod
    def _throttled(fault: Fault, throttle: Callable[[], Response]) -> Response:
        response = throttle()
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    @staticmethod
    def _drop_connection(environ: dict[str, Any]) -> NoReturn:
        """Close the client's TCP connection with no HTTP answer (boto3/httpx see a connection error)."""
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):  # the client may already be gone: that is the goal anyway
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionDroppedByFault("connection closed by an injected fault")
