"""The base of the typed AWS clients: one subclass per service builds that service's requests.

A subclass names its boto3 service (`SERVICE`), its own error codes for "no such object" and
"already exists / still in use" (AWS spells them differently per service: IAM's `NoSuchEntity`,
Lambda's `ResourceConflictException`, DynamoDB's `ResourceInUseException`...), and how its
listings page. Its public methods take and return plain values and frozen dataclasses, so the
resources and diagnostics never see a boto3 dict, and each request exists once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django.conf import settings

from integrations.vendors import shared_reads
from integrations.vendors.aws.session import AwsSession


class AwsService:
    """One AWS service on an assumed-role session."""

    #: boto3's name of the service
    SERVICE: ClassVar[str]
    #: the service's codes for "no such object" (raised as NotFound) and "exists / in use" (Conflict)
    NOT_FOUND: ClassVar[frozenset[str]] = frozenset()
    CONFLICT: ClassVar[frozenset[str]] = frozenset()
    #: the request member that asks for the next page, and the answer member that carries it
    TOKEN_IN: ClassVar[str] = "NextToken"
    TOKEN_OUT: ClassVar[str] = "NextToken"

    def __init__(self, session: AwsSession) -> None:
        self.session = session

    def _call(self, operation: str, *, create: bool = False, **params: Any) -> dict[str, Any]:
        """One request (`operation` in boto3's snake_case); `create` makes it a single attempt."""
        return self.session.call(
            self.SERVICE,
            operation,
            create=create,
            not_found=self.NOT_FOUND,
            conflict=self.CONFLICT,
            **params,
        )

    def _pages(self, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every item under `key` of a listing, following the service's page token."""
        items: list[dict[str, Any]] = []
        while True:
            page = self._call(operation, **params)
            items.extend(page.get(key) or [])
            token = page.get(self.TOKEN_OUT)
            if not token:
                return items
            params = {**params, self.TOKEN_IN: token}

    def _shared(
        self, item_id: str, id_field: str, listing: str, fetch: Callable[[], list[dict[str, Any]]]
    ) -> dict[str, Any] | None:
        """In a reconcile's observe, the raw item `item_id` of the account's `listing` (its raw items by
        `fetch`, the same request the client's own list method makes), shared by every integration on
        this account (integrations/vendors/shared_reads.py); None otherwise, or when the listing does not
        have it: then the caller reads it by id."""
        if not shared_reads.is_sharing():
            return None
        account = self.session.account
        identity = shared_reads.account_identity(
            "aws", settings.AWS_ENDPOINT_URL or "", account.role_arn, account.external_id, account.region
        )
        found: Mapping[str, Any] | None = shared_reads.shared_item(
            identity,
            f"{self.SERVICE}:{listing}",
            item_id,
            fetch,
            id_field,
        )
        return dict(found) if found is not None else None
