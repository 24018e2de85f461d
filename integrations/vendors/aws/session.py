"""AWS access for one tenant account: assume the customer's role with its external id, then boto3.

The requests themselves are built in one typed client per service (`aws/<service>.py`, on
`AwsService`); this module is the session they share and the error mapping common to every service.

Patchbay stores no AWS keys of its customers: it assumes `role_arn` with the
external id it generated for the account (the usual SaaS pattern, DESIGN §3).
Reads, updates and deletes use boto3's standard retry mode (`AWS_MAX_ATTEMPTS`); creates use a
client with a single attempt, because a create retried after its answer was
lost would make a second object — the engine looks the object up first. Inside
an engine node step every call makes a single attempt: the engine owns the
retries there (integrations/vendors/http.py says who retries where).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
import botocore.exceptions
from botocore.config import Config
from django.conf import settings

from integrations.vendors import request_ids
from integrations.vendors.errors import (
    AuthFailed,
    Conflict,
    InvalidSpec,
    NotFound,
    ResponseLost,
    Throttled,
    VendorError,
    VendorUnavailable,
)
from integrations.vendors.http import retries_owned_above
from monitoring.vendor_requests import instrument_boto3_client

T = TypeVar("T")

_THROTTLED = {
    "ThrottledClientException",
    "ThrottlingException",
    "Throttling",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
}
_AUTH = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedClientException",
    "ForbiddenException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredTokenException",
}
#: IAM refused an action of the assumed role (IAM's code; the JSON and rest-json services' code)
_ACCESS_DENIED = {"AccessDenied", "AccessDeniedException"}
POLICY_HINT = "attach the permission policy shown on the AWS provider account's page"
_UNAVAILABLE = {
    "ServiceFailureException",
    "ServiceUnavailableException",
    "InternalServiceException",
    "InternalFailure",
    "ServiceException",
}


def translate_client_error(
    error: botocore.exceptions.ClientError,
    operation: str,
    *,
    not_found: frozenset[str] = frozenset(),
    conflict: frozenset[str] = frozenset(),
) -> VendorError:
    """A botocore ClientError as a domain error with AWS's own message.

    `not_found` and `conflict` are the calling service's own codes (each `AwsService` says its
    own); throttling, refusals and outages are spelled alike across the services.
    """
    info = error.response.get("Error", {})
    code = str(info.get("Code", ""))
    message = str(info.get("Message", "")) or code
    meta = error.response.get("ResponseMetadata", {})
    status = int(meta.get("HTTPStatusCode") or 0)
    kwargs: dict[str, Any] = {"vendor": "aws", "request_id": str(meta.get("RequestId", ""))}
    text = f"{operation}: {code}: {message}"
    if code in not_found or status == 404:
        return NotFound(text, **kwargs)
    if code in conflict or status == 409:
        return Conflict(text, **kwargs)
    if code in _THROTTLED or status == 429:
        return Throttled(text, **kwargs)
    if code in _ACCESS_DENIED and operation != "AssumeRole":
        # The role lacks a permission: say where the policy it needs is shown. (AssumeRole's
        # refusal is the trust policy's, not the permission policy's.)
        return AuthFailed(f"{text} (the role's permission policy must allow it: {POLICY_HINT})", **kwargs)
    if code in _AUTH or status in (401, 403):
        return AuthFailed(text, **kwargs)
    if code in _UNAVAILABLE or status >= 500:
        return VendorUnavailable(text, **kwargs)
    return InvalidSpec(text, **kwargs)


@dataclass(frozen=True)
class AwsAccountRef:
    """What Patchbay knows of a customer's AWS account: the role to assume and where."""

    role_arn: str
    external_id: str
    region: str


class AwsSession:
    """Assumed-role credentials for one account, refreshed before they expire, and its boto3 clients."""

    _REFRESH_MARGIN = 300  # seconds before expiry

    def __init__(self, account: AwsAccountRef, session_name: str = "patchbay") -> None:
        self.account = account
        self.session_name = session_name
        self._lock = threading.Lock()
        self._session: boto3.Session | None = None
        self._expires_at = 0.0
        self._clients: dict[tuple[str, str, bool], Any] = {}

    @staticmethod
    def _config(attempts: int) -> Config:
        return Config(
            # botocore's `max_attempts` counts retries after the first try; `total_max_attempts`
            # counts every try, so a create's single attempt really is one request.
            retries={"mode": "standard", "total_max_attempts": attempts},
            connect_timeout=5,
            read_timeout=settings.VENDOR_HTTP_TIMEOUT,
        )

    def _endpoint(self) -> str | None:
        return settings.AWS_ENDPOINT_URL or None

    def _assume(self) -> boto3.Session:
        sts = instrument_boto3_client(
            boto3.client(
                "sts",
                region_name=self.account.region,
                endpoint_url=self._endpoint(),
                config=self._config(settings.AWS_MAX_ATTEMPTS),
            )
        )
        try:
            answer = sts.assume_role(
                RoleArn=self.account.role_arn,
                RoleSessionName=self.session_name[:64],
                ExternalId=self.account.external_id,
                DurationSeconds=3600,
            )
        except botocore.exceptions.ClientError as exc:
            raise translate_client_error(exc, "AssumeRole") from None
        except botocore.exceptions.BotoCoreError as exc:
            raise VendorUnavailable(f"AssumeRole: {type(exc).__name__}", vendor="aws") from None
        creds = answer["Credentials"]
        self._expires_at = creds["Expiration"].timestamp()
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.account.region,
        )

    def session(self) -> boto3.Session:
        """A boto3 session on the assumed role (assumed again near expiry)."""
        with self._lock:
            if self._session is None or time.time() > self._expires_at - self._REFRESH_MARGIN:
                self._session = self._assume()
                self._clients.clear()
            return self._session

    def client(self, service: str, *, region: str | None = None, single_attempt: bool = False) -> Any:
        """A boto3 client; `single_attempt` for creates, whose blind retry could duplicate."""
        session = self.session()
        key = (service, region or self.account.region, single_attempt)
        with self._lock:
            if key not in self._clients:
                attempts = 1 if single_attempt else settings.AWS_MAX_ATTEMPTS
                client = session.client(
                    service,
                    region_name=key[1],
                    endpoint_url=self._endpoint(),
                    config=self._config(attempts),
                )
                client.meta.events.register("after-call", request_ids.note_aws_call)
                instrument_boto3_client(client)
                self._clients[key] = client
            return self._clients[key]

    def call(
        self,
        service: str,
        operation: str,
        *,
        create: bool = False,
        not_found: frozenset[str] = frozenset(),
        conflict: frozenset[str] = frozenset(),
        **params: Any,
    ) -> dict[str, Any]:
        """Call one AWS operation (snake_case name) and translate its failures into domain errors.

        Patchbay's code calls this only through the typed clients (`AwsService._call`), which pass
        their service's own codes; tests that play someone changing AWS outside Patchbay call it
        directly (then only 404/409 statuses map to NotFound/Conflict).
        """
        client = self.client(service, single_attempt=create or retries_owned_above())
        method: Callable[..., dict[str, Any]] = getattr(client, operation)
        try:
            return method(**params)
        except botocore.exceptions.ClientError as exc:
            raise translate_client_error(
                exc, _camel(operation), not_found=not_found, conflict=conflict
            ) from None
        except (
            botocore.exceptions.ConnectionClosedError,
            botocore.exceptions.ReadTimeoutError,
        ) as exc:
            raise ResponseLost(
                f"{_camel(operation)}: no answer ({type(exc).__name__})", vendor="aws"
            ) from None
        except (
            botocore.exceptions.EndpointConnectionError,
            botocore.exceptions.ConnectTimeoutError,
        ) as exc:
            raise VendorUnavailable(f"{_camel(operation)}: {type(exc).__name__}", vendor="aws") from None
        except botocore.exceptions.ParamValidationError as exc:
            raise InvalidSpec(f"{_camel(operation)}: {exc}", vendor="aws") from None


def _camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))
