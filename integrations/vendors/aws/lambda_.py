"""Lambda: Patchbay's own functions and their resource policies (AWS.md; botocore `lambda` 2015-03-31).

The module is `lambda_` because `lambda` is a Python keyword.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from integrations.vendors.aws.service import AwsService
from integrations.vendors.errors import NotFound


@dataclass(frozen=True)
class Function:
    """What Patchbay reads of a function's configuration (GetFunction's `Configuration`).

    Members Lambda leaves out stay None, so a drift report shows what is really there.
    """

    name: str
    arn: str
    handler: str
    code_sha256: str
    role: str | None
    runtime: str | None
    timeout: int | None
    memory: int | None
    environment: dict[str, str] = field(default_factory=dict)
    state: str | None = None  # Pending | Active | Inactive | Failed
    state_reason: str | None = None
    last_update_status: str | None = None  # InProgress | Successful | Failed
    last_update_status_reason: str | None = None

    @property
    def settled(self) -> bool:
        """Neither being created nor being updated: Lambda refuses an update before."""
        return self.state != "Pending" and self.last_update_status != "InProgress"

    @property
    def failed(self) -> bool:
        return self.state == "Failed" or self.last_update_status == "Failed"


@dataclass(frozen=True)
class FunctionSettings:
    """The configuration members CreateFunction and UpdateFunctionConfiguration take alike."""

    role: str
    runtime: str
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]

    def as_params(self) -> dict[str, Any]:
        return {
            "Role": self.role,
            "Runtime": self.runtime,
            "Handler": self.handler,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "Environment": {"Variables": dict(self.environment)},
        }


@dataclass(frozen=True)
class Statement:
    """One statement of a function's resource policy, in the terms AddPermission takes.

    Lambda writes AddPermission's SourceArn / SourceAccount as ArnLike / StringEquals conditions,
    and its principal as {"Service": ...} or {"AWS": ...} (Lambda Developer Guide, "resource-based
    policies").
    """

    sid: str
    principal: str | None
    source_arn: str | None
    source_account: str | None


def _function(config: dict[str, Any]) -> Function:
    return Function(
        name=str(config["FunctionName"]),
        arn=str(config["FunctionArn"]),
        handler=str(config.get("Handler") or ""),
        code_sha256=str(config.get("CodeSha256") or ""),
        role=config.get("Role"),
        runtime=config.get("Runtime"),
        timeout=config.get("Timeout"),
        memory=config.get("MemorySize"),
        environment=dict((config.get("Environment") or {}).get("Variables") or {}),
        state=config.get("State"),
        state_reason=config.get("StateReason"),
        last_update_status=config.get("LastUpdateStatus"),
        last_update_status_reason=config.get("LastUpdateStatusReason"),
    )


def _statement(statement: dict[str, Any]) -> Statement:
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        principal = principal.get("Service") or principal.get("AWS")
    condition = statement.get("Condition") or {}
    return Statement(
        sid=str(statement.get("Sid") or ""),
        principal=principal,
        source_arn=(condition.get("ArnLike") or {}).get("AWS:SourceArn"),
        source_account=(condition.get("StringEquals") or {}).get("AWS:SourceAccount"),
    )


class Lambda(AwsService):
    SERVICE = "lambda"
    # botocore's lambda model (service-2.json): every operation here raises ResourceNotFoundException
    # (404) for a missing function or statement; CreateFunction on a taken name, AddPermission on a
    # taken statement id and the updates while an update is in progress raise
    # ResourceConflictException (409).
    NOT_FOUND = frozenset({"ResourceNotFoundException"})
    CONFLICT = frozenset({"ResourceConflictException"})
    # ListFunctions-style listings page with Marker in, NextMarker out (the model's pagination).
    TOKEN_IN = "Marker"
    TOKEN_OUT = "NextMarker"

    def function(self, name: str) -> Function | None:
        """The function's configuration (GetFunction), or None when there is no such function."""
        try:
            answer = self._call("get_function", FunctionName=name)
        except NotFound:
            return None
        return _function(answer.get("Configuration") or {})

    def configuration(self, name: str) -> Function:
        """The function's configuration alone (GetFunctionConfiguration); NotFound when it is gone."""
        return _function(self._call("get_function_configuration", FunctionName=name))

    def create_function(self, name: str, zip_bytes: bytes, settings: FunctionSettings) -> None:
        """An unpublished function from a zip (single attempt: a create); Conflict when the name is taken."""
        self._call(
            "create_function",
            create=True,
            FunctionName=name,
            Code={"ZipFile": zip_bytes},
            Description="Patchbay",
            Publish=False,
            **settings.as_params(),
        )

    def update_function_code(self, name: str, zip_bytes: bytes) -> None:
        self._call("update_function_code", FunctionName=name, ZipFile=zip_bytes)

    def update_function_configuration(self, name: str, settings: FunctionSettings) -> None:
        self._call("update_function_configuration", FunctionName=name, **settings.as_params())

    def delete_function(self, name: str) -> bool:
        """Delete the function; False when it was already gone."""
        try:
            self._call("delete_function", FunctionName=name)
        except NotFound:
            return False
        return True

    def statement(self, function: str, sid: str) -> Statement | None:
        """The statement `sid` of the function's resource policy (GetPolicy), or None.

        None too when the function does not exist or has no resource policy yet (both NotFound).
        """
        try:
            policy = self._call("get_policy", FunctionName=function)["Policy"]
        except NotFound:
            return None
        statements = json.loads(policy).get("Statement") or []
        found = next((s for s in statements if s.get("Sid") == sid), None)
        return None if found is None else _statement(found)

    def add_permission(
        self,
        function: str,
        sid: str,
        *,
        action: str,
        principal: str,
        source_arn: str | None = None,
        source_account: str | None = None,
        create: bool = False,
    ) -> None:
        """Add a statement; Conflict when the statement id is taken (`create`: a single attempt)."""
        params: dict[str, Any] = {
            "FunctionName": function,
            "StatementId": sid,
            "Action": action,
            "Principal": principal,
        }
        if source_arn:
            params["SourceArn"] = source_arn
        if source_account:
            params["SourceAccount"] = source_account
        self._call("add_permission", create=create, **params)

    def remove_permission(self, function: str, sid: str) -> bool:
        """Remove a statement; False when it (or the function) was already gone."""
        try:
            self._call("remove_permission", FunctionName=function, StatementId=sid)
        except NotFound:
            return False
        return True
