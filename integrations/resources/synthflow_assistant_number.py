"""`synthflow.assistant_number`: an imported number bound to the inbound assistant that answers it (§1.4).

Spec keys:

- `model_id`: the inbound assistant (agent) id;
- `phone_number`: the imported number in E.164 (the `synthflow.custom_number` node's output, so the
  number exists before it is attached, as Synthflow asks).

Synthflow creates the SIP trunk when a number is attached and documents 1-2 minutes until it is
registered (seed guide), so the attach time is recorded (intent, then outputs) for the
integration's `Registered` condition: `WaitingForRegistration` plus the time since `attached_at`.

Outputs: `model_id`, `phone_number`, `bound` (true), `attached_at` (ISO-8601 UTC).
An inbound assistant takes one number; attaching a second is refused by Synthflow (400, "detach
first"), which the run reports as is.
"""

from __future__ import annotations

from django.utils import timezone

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, contains_unknown
from integrations.vendors.errors import NotFound
from integrations.vendors.synthflow import SynthflowClient


def attachment_id(model_id: str, phone_number: str) -> str:
    """The external id: `<model id>:<E.164>`."""
    return f"{model_id}:{phone_number}"


class SynthflowAssistantNumber(ResourceType):
    """The binding of a number to an assistant; exists while the assistant lists the number."""

    type_name = "synthflow.assistant_number"
    account_kind = "synthflow"
    name_max_length = 256  # nothing is named

    def _current(self, ctx: NodeContext) -> tuple[str, str] | None:
        if ctx.external_id and ":" in ctx.external_id:
            model_id, number = ctx.external_id.split(":", 1)
            return model_id, number
        pair = (ctx.spec["model_id"], ctx.spec["phone_number"])
        return None if contains_unknown(pair) else pair

    def _bound(self, client: SynthflowClient, model_id: str, number: str) -> bool:
        try:
            return number in client.get_assistant(model_id).phone_numbers
        except NotFound:
            return False

    def observe(self, ctx: NodeContext) -> Observation:
        """Bound when the assistant lists the number; a binding to another pair is a diff."""
        current = self._current(ctx)
        if current is None or not self._bound(ctx.clients.synthflow, *current):
            return Observation(exists=False)
        model_id, number = current
        diff = {
            key: (have, want)
            for key, have, want in (
                ("model_id", model_id, ctx.spec["model_id"]),
                ("phone_number", number, ctx.spec["phone_number"]),
            )
            if have != want and not contains_unknown(want)
        }
        attached_at = ctx.intent.get("attached_at") or ctx.outputs.get("attached_at") or ""
        return Observation(
            exists=True,
            up_to_date=not diff,
            diff=diff,
            external_id=attachment_id(model_id, number),
            outputs={"model_id": model_id, "phone_number": number, "bound": True, "attached_at": attached_at},
        )

    def _attach(self, ctx: NodeContext) -> str:
        model_id, number = ctx.spec["model_id"], ctx.spec["phone_number"]
        # Recorded before the call: the registration clock starts when Synthflow attaches.
        ctx.record_intent(attached_at=timezone.now().isoformat())
        ctx.clients.synthflow.attach_numbers(model_id, [number])
        return attachment_id(model_id, number)

    def create(self, ctx: NodeContext) -> str:
        """Attach the number (attaching an attached number again is harmless)."""
        return self._attach(ctx)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Move the binding: detach the old pair, attach the spec's."""
        current = self._current(ctx)
        if current is not None:
            self._detach(ctx.clients.synthflow, *current)
        ctx.external_id = self._attach(ctx)

    @staticmethod
    def _detach(client: SynthflowClient, model_id: str, number: str) -> None:
        try:
            client.detach_number(model_id, number)
        except NotFound:
            return

    def delete(self, ctx: NodeContext) -> None:
        """Detach; a number no longer attached (or an assistant gone) is done."""
        current = self._current(ctx)
        if current is None:
            return
        self._detach(ctx.clients.synthflow, *current)
