"""`twilio.number_voice`: a Twilio number's VoiceUrl and VoiceFallbackUrl (PROVIDERS.md §3).

The number itself belongs to the customer; Patchbay only points its voice URLs
at its own webhook. Spec keys:

- `phone_number`: the number on the Twilio account, E.164;
- `voice_url`, `voice_method` (POST): Patchbay's `POST /hooks/twilio/voice/<public id>`;
- `voice_fallback_url`, `voice_fallback_method` (POST).

The values the number had before Patchbay first pointed it (kept in the node's
intent) are put back on teardown, but only while the number still points at
Patchbay: a URL someone set since is theirs and stays. Someone editing the
VoiceUrl in Twilio's console is drift (healed by the next reconcile).

Outputs: `sid`, `phone_number`, `voice_url`, `voice_fallback_url`.
"""

from __future__ import annotations

from typing import Any

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, spec_diff
from integrations.vendors.errors import InvalidSpec, NotFound
from integrations.vendors.twilio import IncomingNumber, TwilioClient

FIELDS = ("voice_url", "voice_method", "voice_fallback_url", "voice_fallback_method")


def _observed(number: IncomingNumber) -> dict[str, Any]:
    return {
        "phone_number": number.phone_number,
        "voice_url": number.voice_url,
        "voice_method": (number.voice_method or "POST").upper(),
        "voice_fallback_url": number.voice_fallback_url,
        "voice_fallback_method": (number.voice_fallback_method or "POST").upper(),
    }


class TwilioNumberVoice(ResourceType):
    """The voice URLs of one number; the external id is the number's SID (PN...)."""

    type_name = "twilio.number_voice"
    account_kind = "twilio"
    name_max_length = 64  # nothing is named

    def _find(self, ctx: NodeContext) -> IncomingNumber | None:
        client: TwilioClient = ctx.clients.twilio
        if ctx.external_id:
            try:
                return client.get_number(ctx.external_id)
            except NotFound:
                return None
        return client.find_number(ctx.spec["phone_number"])

    def observe(self, ctx: NodeContext) -> Observation:
        """Exists once Patchbay pointed the number (it did, or it still points at our URL)."""
        number = self._find(ctx)
        if number is None:
            return Observation(exists=False)
        if not ctx.external_id and number.voice_url != ctx.spec["voice_url"]:
            return Observation(exists=False)  # not pointed by us yet
        diff = spec_diff(ctx.spec, _observed(number))
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=number.sid,
            outputs={
                "sid": number.sid,
                "phone_number": number.phone_number,
                "voice_url": number.voice_url,
                "voice_fallback_url": number.voice_fallback_url,
            },
        )

    def _point(self, ctx: NodeContext, sid: str) -> None:
        spec = ctx.spec
        ctx.clients.twilio.update_voice(
            sid,
            voice_url=spec["voice_url"],
            voice_method=spec.get("voice_method", "POST"),
            voice_fallback_url=spec.get("voice_fallback_url", ""),
            voice_fallback_method=spec.get("voice_fallback_method", "POST"),
        )

    def create(self, ctx: NodeContext) -> str:
        """Remember what the number had (first time only), then point it at Patchbay."""
        number = ctx.clients.twilio.find_number(ctx.spec["phone_number"])
        if number is None:
            raise InvalidSpec(
                f"{ctx.spec['phone_number']} is not a number of this Twilio account",
                vendor="twilio",
                field="twilio_number",
            )
        if "previous" not in ctx.intent and number.voice_url != ctx.spec["voice_url"]:
            ctx.record_intent(previous={field: getattr(number, field) for field in FIELDS}, sid=number.sid)
        self._point(ctx, number.sid)
        return number.sid

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Point the number at Patchbay again (someone edited its voice URLs)."""
        number = self._find(ctx)
        if number is None:
            raise NotFound(f"{ctx.spec['phone_number']} is gone from the Twilio account", vendor="twilio")
        self._point(ctx, number.sid)

    def delete(self, ctx: NodeContext) -> None:
        """Put back what the number had, if it still points at Patchbay; a number gone is done."""
        number = self._find(ctx)
        if number is None or number.voice_url != ctx.spec["voice_url"]:
            return
        previous = ctx.intent.get("previous") or {}
        ctx.clients.twilio.update_voice(
            number.sid,
            voice_url=previous.get("voice_url", ""),
            voice_method=previous.get("voice_method") or "POST",
            voice_fallback_url=previous.get("voice_fallback_url", ""),
            voice_fallback_method=previous.get("voice_fallback_method") or "POST",
        )
