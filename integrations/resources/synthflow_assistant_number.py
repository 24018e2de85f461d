"""`synthflow.assistant_number`: the imported number as the inbound assistant's own number (§1.4).

Spec keys:

- `model_id`: the inbound assistant (agent) id;
- `phone_number`: the imported number in E.164 (the `synthflow.custom_number` node's output, so the
  number exists before the agent is given it, as Synthflow asks: "wait until the number is created").

How an inbound agent is bound, as Synthflow documents it: the agent's `phone_number` ("the phone
number attached to the agent"), set with `PUT /v2/assistants/{model_id}` ("update an agent's name,
phone number, or other parameters"; "create an inbound agent on that number", route-sip-calls).
`PUT .../phone_numbers` attaches numbers to an *outbound* agent (`attached_phone_numbers`, "available
for outbound calls"), which never makes an inbound agent answer (sandbox/synthflow/reference.json).

The binding is observed on the agent (`phone_number` equal to the number), so a bound number is left
alone: a reconcile writes nothing and `attached_at` keeps the time of the one write that bound it.

Unbinding: Synthflow documents no call that takes an inbound agent's number away, only "Delete a
phone number ... will detach the phone number from any agents it is linked to"; the custom number
node, deleted right after this one, does that. Moving the number to another agent while the first
still has it is refused with what to do (Synthflow refuses two inbound agents on one number).

Outputs: `model_id`, `phone_number`, `bound` (true), `attached_at` (ISO-8601 UTC, when Patchbay set it).
"""

from __future__ import annotations

from django.utils import timezone

from integrations.engine.types import Diff, NodeContext, Observation, ResourceType, contains_unknown
from integrations.vendors.errors import Conflict, NotFound
from integrations.vendors.synthflow import SynthflowClient


def attachment_id(model_id: str, phone_number: str) -> str:
    """The external id: `<model id>:<E.164>`."""
    return f"{model_id}:{phone_number}"


class SynthflowAssistantNumber(ResourceType):
    """The number an inbound assistant answers; exists while the assistant's `phone_number` is it."""

    type_name = "synthflow.assistant_number"
    account_kind = "synthflow"
    name_max_length = 256  # nothing is named

    def _current(self, ctx: NodeContext) -> tuple[str, str] | None:
        if ctx.external_id and ":" in ctx.external_id:
            model_id, number = ctx.external_id.split(":", 1)
            return model_id, number
        pair = (ctx.spec["model_id"], ctx.spec["phone_number"])
        return None if contains_unknown(pair) else pair

    @staticmethod
    def _bound(client: SynthflowClient, model_id: str, number: str) -> bool:
        try:
            return client.get_assistant(model_id).phone_number == number
        except NotFound:
            return False

    def observe(self, ctx: NodeContext) -> Observation:
        """Bound when the assistant's own number is this number; a binding to another pair is a diff."""
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

    def _bind(self, ctx: NodeContext) -> str:
        model_id, number = ctx.spec["model_id"], ctx.spec["phone_number"]
        # Recorded before the call: a lost answer still leaves the time of the write.
        ctx.record_intent(attached_at=timezone.now().isoformat())
        ctx.clients.synthflow.set_assistant_number(model_id, number)
        return attachment_id(model_id, number)

    def create(self, ctx: NodeContext) -> str:
        """Give the assistant the number (the same number again is harmless)."""
        return self._bind(ctx)

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Bind the spec's pair; refused while another assistant still answers the number."""
        current = self._current(ctx)
        if current is not None and current != (ctx.spec["model_id"], ctx.spec["phone_number"]):
            model_id, number = current
            if self._bound(ctx.clients.synthflow, model_id, number):
                raise Conflict(
                    f"{number} is the number of Synthflow assistant {model_id}, and Synthflow's API "
                    "documents no way to take it away from an inbound assistant: remove it from that "
                    "assistant in the Synthflow dashboard, or tear the integration down and apply it again",
                    vendor="synthflow",
                    field="model_id",
                )
        ctx.external_id = self._bind(ctx)

    def delete(self, ctx: NodeContext) -> None:
        """Nothing to send: deleting the number (the next node) detaches it from every assistant.

        Synthflow's reference has no call that unbinds an inbound agent's number, and setting an
        empty `phone_number` is undocumented (sandbox/README.md, known differences).
        """
