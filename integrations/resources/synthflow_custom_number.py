"""`synthflow.custom_number`: a BYO-trunk number imported into a Synthflow workspace (PROVIDERS.md §1.2-1.3).

Spec keys (every blueprint that imports a number into Synthflow uses these):

- `workspace_id`: the Synthflow workspace (the account's `workspace_id` setting);
- `phone_number`: the number in E.164; the SIP Request-URI user Synthflow answers on;
- `termination_uri`: where Synthflow sends calls back out (outbound / transfers), taken from an
  earlier node's output: the Voice Connector's outbound host name `<id>.voiceconnector.chime.aws`
  for connect_synthflow, `<identifier>.byoc.<region domain>` for genesys_synthflow. Never
  `sip.synthflow.ai` (that is Synthflow itself);
- `trunk_username`, `trunk_password` (optional, sensitive): the digest credentials Synthflow
  answers the carrier's challenge with;
- `provider_name` (optional, default `custom`).

Synthflow never shows the trunk username or password back (§1.3), so a change of either is
detected by a keyed digest of what Patchbay last sent, kept in the node's intent (as the Chime
termination credentials are). The number is named `friendly_name` = the node's external name,
which is how a lost import is found again and how the ledger counts it.

Outputs: `phone_number`, `termination_uri`, `key` (Synthflow's id, once known), `region`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.vendors.errors import Conflict, InvalidSpec, NotFound
from integrations.vendors.synthflow import Number, SynthflowClient

DEFAULT_PROVIDER = "custom"


def trunk_digest(phone_number: str, username: str, password: str) -> str:
    """A keyed digest of the trunk credentials: changes with them, reveals nothing."""
    message = json.dumps([phone_number, username or "", password or ""]).encode()
    key = hashlib.sha256(("synthflow-trunk:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


class SynthflowCustomNumber(ResourceType):
    """One imported number; the external id is the number in E.164."""

    type_name = "synthflow.custom_number"
    account_kind = "synthflow"
    name_max_length = 64
    sensitive_fields = frozenset({"trunk_password", "trunk_credentials"})

    def _get(self, ctx: NodeContext) -> Number | None:
        client: SynthflowClient = ctx.clients.synthflow
        try:
            return client.get_number(ctx.spec["workspace_id"], ctx.external_id or ctx.spec["phone_number"])
        except NotFound:
            return None

    def _desired(self, ctx: NodeContext) -> dict[str, Any]:
        spec = ctx.spec
        desired: dict[str, Any] = {
            "phone_number": spec["phone_number"],
            "termination_uri": spec["termination_uri"],
            "provider_name": spec.get("provider_name") or DEFAULT_PROVIDER,
        }
        if spec.get("trunk_username") or spec.get("trunk_password"):
            desired["trunk_credentials"] = trunk_digest(
                spec["phone_number"], spec.get("trunk_username", ""), spec.get("trunk_password", "")
            )
        return desired

    def observe(self, ctx: NodeContext) -> Observation:
        """Read the number; compare its termination URI, provider and (by digest) credentials."""
        number = self._get(ctx)
        if number is None:
            return Observation(exists=False)
        if not ctx.external_id and number.friendly_name != ctx.external_name:
            return Observation(exists=False)  # imported by someone else: create says so
        observed = {
            "phone_number": number.phone_number,
            "termination_uri": number.termination_uri,
            "provider_name": number.provider_name,
            "trunk_credentials": ctx.intent.get("trunk_digest") or ctx.outputs.get("trunk_digest"),
        }
        diff = spec_diff(self._desired(ctx), observed)
        outputs: dict[str, Any] = {
            "phone_number": number.phone_number,
            "termination_uri": number.termination_uri,
            "region": number.region,
            "key": ctx.intent.get("key") or ctx.outputs.get("key") or "",
        }
        if observed["trunk_credentials"]:
            outputs["trunk_digest"] = observed["trunk_credentials"]
        return Observation(
            exists=True, up_to_date=not diff, diff=diff, outputs=outputs, external_id=number.phone_number
        )

    def _record_digest(self, ctx: NodeContext) -> None:
        spec = ctx.spec
        if spec.get("trunk_username") or spec.get("trunk_password"):
            ctx.record_intent(
                trunk_digest=trunk_digest(
                    spec["phone_number"], spec.get("trunk_username", ""), spec.get("trunk_password", "")
                )
            )

    def create(self, ctx: NodeContext) -> str:
        """Import the number under our friendly name; one we imported before (answer lost) is adopted."""
        client: SynthflowClient = ctx.clients.synthflow
        spec = ctx.spec
        existing = self._get(ctx)
        if existing is not None and existing.friendly_name != ctx.external_name:
            raise Conflict(
                f"{spec['phone_number']} is already imported into Synthflow workspace "
                f"{spec['workspace_id']} and not by this integration; delete it there or use another number",
                vendor="synthflow",
                field="phone_number",
            )
        if existing is None:
            try:
                imported = client.import_custom_number(
                    spec["workspace_id"],
                    spec["phone_number"],
                    friendly_name=ctx.external_name,
                    termination_uri=spec["termination_uri"],
                    trunk_username=spec.get("trunk_username", ""),
                    trunk_password=spec.get("trunk_password", ""),
                    provider_name=spec.get("provider_name") or DEFAULT_PROVIDER,
                )
            except InvalidSpec:
                # A retried import whose first answer was lost meets "already imported": ours, adopt it.
                again = self._get(ctx)
                if again is None or again.friendly_name != ctx.external_name:
                    raise
                self._record_digest(ctx)
                return again.phone_number
            ctx.record_intent(key=imported.key)
            self._record_digest(ctx)
            return imported.phone_number or spec["phone_number"]
        # Ours already (imported between our observe and this create): bring it in line with the spec.
        self.update(ctx, {})
        return existing.phone_number

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """PATCH the termination URI, provider and credentials (a PATCH only changes what it names)."""
        spec = ctx.spec
        if ctx.external_id and ctx.external_id != spec["phone_number"]:
            raise InvalidSpec(
                f"the Synthflow number {ctx.external_id} cannot become {spec['phone_number']}; "
                "tear the integration down and apply it again",
                vendor="synthflow",
                field="phone_number",
            )
        changes: dict[str, Any] = {
            "termination_uri": spec["termination_uri"],
            "provider_name": spec.get("provider_name") or DEFAULT_PROVIDER,
        }
        if spec.get("trunk_username") or spec.get("trunk_password"):
            changes["trunk_username"] = spec.get("trunk_username", "")
            changes["trunk_pwd"] = spec.get("trunk_password", "")
        ctx.clients.synthflow.update_number(spec["workspace_id"], spec["phone_number"], changes)
        self._record_digest(ctx)

    def delete(self, ctx: NodeContext) -> None:
        """Delete the number (Synthflow detaches it from every assistant first); gone is done."""
        number = self._get(ctx)
        if number is None:
            return
        if number.friendly_name != ctx.external_name and not ctx.external_id:
            return  # not ours
        try:
            ctx.clients.synthflow.delete_number(ctx.spec["workspace_id"], number.phone_number)
        except NotFound:
            return
