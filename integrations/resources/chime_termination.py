"""`chime.voice_connector_termination`: who may send calls out through a connector (allow list, digest auth).

Chime never returns termination passwords (only usernames, AWS.md §1.2), so a
rotated password is detected by a keyed digest of what Patchbay last put,
kept in the node's intent and outputs. Passwords never appear in outputs,
diffs, events or error messages.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import ipaddress
import json
from typing import Any

from django.conf import settings

from integrations.engine.types import (
    Diff,
    NodeContext,
    Observation,
    spec_diff,
)
from integrations.resources.chime_connector_setting import ConnectorSetting
from integrations.vendors.aws.chime import ChimeVoice
from integrations.vendors.errors import InvalidSpec, NotFound, VendorError

REDACTED = "***"


def credentials_digest(connector_id: str, credentials: list[dict[str, str]]) -> str:
    """A keyed digest of usernames and passwords: changes when a password does, reveals nothing."""
    pairs = sorted((c["username"], c["password"]) for c in credentials)
    message = json.dumps([connector_id, pairs]).encode()
    key = hashlib.sha256(("termination-credentials:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


class VoiceConnectorTermination(ConnectorSetting):
    """The termination settings (and credentials) of one connector; the external id is the connector's id."""

    type_name = "chime.voice_connector_termination"
    sensitive_fields = frozenset({"credentials"})

    def _desired(self, ctx: NodeContext, connector_id: str) -> dict[str, Any]:
        desired = {
            **ctx.spec,
            "cidr_allowed_list": sorted(ctx.spec.get("cidr_allowed_list") or []),
            "calling_regions": sorted(ctx.spec.get("calling_regions") or []),
        }
        if "credentials" in ctx.spec:
            credentials = ctx.spec["credentials"] or []
            desired["credentials"] = {
                "usernames": sorted(c["username"] for c in credentials),
                "password_digest": credentials_digest(connector_id, credentials),
            }
        return desired

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the termination and the credential usernames; compare passwords by the last digest put."""
        chime = ChimeVoice(ctx.clients.aws)
        connector_id = self.connector_id(ctx)
        if not connector_id:
            return Observation(exists=False)
        try:
            termination = chime.termination(connector_id)
            if termination is None:
                return Observation(exists=False)
            usernames = chime.termination_usernames(connector_id)
        except NotFound:
            return Observation(exists=False)
        digest = ctx.intent.get("credentials_digest") or ctx.outputs.get("credentials_digest")
        observed = {
            "voice_connector_id": connector_id,
            "cidr_allowed_list": sorted(termination.cidr_allowed_list),
            "calling_regions": sorted(termination.calling_regions),
            "cps_limit": termination.cps_limit,
            "disabled": termination.disabled,
            "credentials": {"usernames": usernames, "password_digest": digest},
        }
        diff = spec_diff(self._desired(ctx, connector_id), observed)
        outputs: dict[str, Any] = {"cidr_allowed_list": observed["cidr_allowed_list"], "usernames": usernames}
        if digest:
            outputs["credentials_digest"] = digest
        return Observation(
            exists=True, up_to_date=not diff, diff=diff, outputs=outputs, external_id=connector_id
        )

    def put(self, ctx: NodeContext, connector_id: str, diff: Diff | None) -> None:
        """Put what differs (`diff` None: everything): the settings, the credentials, or both."""
        spec = ctx.spec
        check_narrow(spec)
        if diff is None or any(k in diff for k in spec if k not in ("credentials", "voice_connector_id")):
            ChimeVoice(ctx.clients.aws).put_termination(
                connector_id,
                cidr_allowed_list=list(spec.get("cidr_allowed_list") or []),
                calling_regions=list(spec.get("calling_regions") or []),
                cps_limit=int(spec.get("cps_limit", 1)),
                disabled=bool(spec.get("disabled", False)),
            )
        if "credentials" in spec and (diff is None or "credentials" in diff):
            self._put_credentials(ctx, connector_id)

    def _put_credentials(self, ctx: NodeContext, connector_id: str) -> None:
        chime = ChimeVoice(ctx.clients.aws)
        credentials = ctx.spec["credentials"] or []
        wanted = {c["username"] for c in credentials}
        stale = [u for u in chime.termination_usernames(connector_id) if u not in wanted]
        if stale:
            with contextlib.suppress(NotFound):
                chime.delete_termination_credentials(connector_id, stale)
        if credentials:
            try:
                chime.put_termination_credentials(
                    connector_id, [(c["username"], c["password"]) for c in credentials]
                )
            except VendorError as error:
                # botocore's parameter errors quote the values they reject: never let a password out.
                error.args = (_redact(str(error.args[0]), [c["password"] for c in credentials]),)
                raise error from None
        # Recorded only once the put succeeded: a lost answer leaves the old digest, so we put again.
        ctx.record_intent(credentials_digest=credentials_digest(connector_id, credentials))

    def remove(self, ctx: NodeContext, connector_id: str) -> None:
        """Delete the credentials, then the termination (never put is done)."""
        chime = ChimeVoice(ctx.clients.aws)
        usernames = chime.termination_usernames(connector_id)
        if usernames:
            chime.delete_termination_credentials(connector_id, usernames)
        chime.delete_termination(connector_id)


#: the widest source network a termination may allow (a carrier's signalling addresses, not a cloud)
WIDEST_ALLOWED_PREFIX = 24


def check_narrow(spec: dict[str, Any]) -> None:
    """Refuse a termination anyone could call out through: digest credentials and a narrow allow list.

    A termination lets whoever matches it place PSTN calls billed to the customer (issue 12.6), so
    Patchbay never puts one without credentials, without an allow list, or allowing a network wider
    than /24.
    """
    if not spec.get("credentials"):
        raise InvalidSpec("a Voice Connector termination needs digest credentials", field="credentials")
    cidrs = list(spec.get("cidr_allowed_list") or [])
    if not cidrs:
        raise InvalidSpec("a Voice Connector termination needs an allow list", field="cidr_allowed_list")
    wide = [c for c in cidrs if ipaddress.ip_network(c, strict=False).prefixlen < WIDEST_ALLOWED_PREFIX]
    if wide:
        raise InvalidSpec(
            f"a Voice Connector termination may not allow networks wider than /24: {', '.join(wide)}",
            field="cidr_allowed_list",
        )


def _redact(message: str, secrets: list[Any]) -> str:
    """The message with every secret (as text, however it was typed) replaced."""
    for secret in secrets:
        if secret is not None and str(secret):
            message = message.replace(str(secret), REDACTED)
    return message
