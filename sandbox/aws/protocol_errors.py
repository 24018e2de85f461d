"""AWS error responses in each wire protocol, shaped so botocore parses the code and message.

Used for injected faults on moto-served operations and for the sandbox's own
STS AccessDenied. botocore reads: query/ec2 protocol → XML `<Error><Code>`;
json → body `__type`; rest-json → the `x-amzn-ErrorType` header, then body
`code`/`__type`, message from `message`/`Message` (AWS.md §1.1, botocore/parsers.py).
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

# The code each protocol's services use for a rate-limit answer; all are in
# botocore's standard-mode list of throttling codes, so boto3 retries them.
_THROTTLE = {
    "query": (400, "Throttling"),
    "ec2": (503, "RequestLimitExceeded"),
    "json": (400, "ThrottlingException"),
    "rest-json": (429, "TooManyRequestsException"),
    "rest-xml": (503, "SlowDown"),
}
_SENDER_FAULT_MAX = 499


def aws_error(
    protocol: str, status: int, code: str, message: str, *, retry_after: int | None = None
) -> Response:
    """An error response for a service speaking `protocol`."""
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if protocol in ("query", "ec2", "rest-xml"):
        kind = "Sender" if status <= _SENDER_FAULT_MAX else "Receiver"
        body = (
            "<ErrorResponse><Error>"
            f"<Type>{kind}</Type><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Response(body, status=status, headers=headers, content_type="text/xml")
    headers["x-amzn-ErrorType"] = code
    if protocol == "json":
        payload = {"__type": code, "message": message}
        return Response(
            json.dumps(payload), status=status, headers=headers, content_type="application/x-amz-json-1.1"
        )
    payload = {
        "message": message,
        "Message": message,
        "Type": "User" if status <= _SENDER_FAULT_MAX else "Service",
    }
    return Response(json.dumps(payload), status=status, headers=headers, content_type="application/json")


def aws_throttle(protocol: str, *, retry_after: int | None = None) -> Response:
    """The rate-limit error a service speaking `protocol` sends."""
    status, code = _THROTTLE.get(protocol, _THROTTLE["rest-json"])
    return aws_error(protocol, status, code, "Rate exceeded", retry_after=retry_after)
