"""`patchbay.sip_credentials`: a SIP digest username and password Patchbay generates for one integration.

Nothing is created at a vendor: the pair is generated once, encrypted with the
provider-secret key ring (`integrations.encryption`, Fernet) and kept in the
node's intent, so the same pair is used on every run and survives a crash
right after it was made. Nodes that need the password (the Chime termination
credentials, the Synthflow custom number's `trunk_pwd`) get the ciphertext as
the output `sealed` and open it in their spec with `open_credentials`; their
resource types list the password among `sensitive_fields`, so plans, diffs
and events only ever show it masked.

Spec: `{}` (nothing to configure). Outputs: `username`, `sealed` (Fernet
token of `{"username", "password"}`).
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from integrations.encryption import decrypt_secrets, encrypt_secrets
from integrations.engine.types import Diff, KnownAfterApply, NodeContext, Observation, ResourceType

#: bytes of randomness in a password (token_urlsafe: letters, digits, `-`, `_`; RFC 2617 US-ASCII)
PASSWORD_BYTES = 24


def username_for(external_name: str) -> str:
    """A short, stable username for the node's external name (letters and digits only)."""
    return "pb" + hashlib.sha256(external_name.encode()).hexdigest()[:14]


def open_credentials(sealed: Any) -> dict[str, Any]:
    """`{"username", "password"}` from the `sealed` output, or markers while it is not known yet."""
    if isinstance(sealed, KnownAfterApply) or not sealed:
        marker = KnownAfterApply("sip_credentials", "sealed")
        return {"username": marker, "password": marker}
    values = decrypt_secrets(str(sealed))
    return {"username": values["username"], "password": values["password"]}


class SipCredentials(ResourceType):
    """A generated digest credential; the external id is its username."""

    type_name = "patchbay.sip_credentials"
    account_kind = ""
    name_max_length = 64

    def _sealed(self, ctx: NodeContext) -> str:
        return str(ctx.intent.get("sealed") or "")

    def observe(self, ctx: NodeContext) -> Observation:
        sealed = self._sealed(ctx)
        if not sealed:
            return Observation(exists=False)
        username = str(ctx.intent.get("username") or "")
        return Observation(
            exists=True,
            external_id=username,
            outputs={"username": username, "sealed": sealed},
        )

    def create(self, ctx: NodeContext) -> str:
        """Generate the pair once; a pair already recorded (a crash after create) is kept."""
        if self._sealed(ctx):
            return str(ctx.intent["username"])
        username = username_for(ctx.external_name)
        password = secrets.token_urlsafe(PASSWORD_BYTES)
        ctx.record_intent(
            username=username, sealed=encrypt_secrets({"username": username, "password": password})
        )
        return username

    def update(self, ctx: NodeContext, diff: Diff) -> None:
        """Nothing to update: the spec is empty."""

    def delete(self, ctx: NodeContext) -> None:
        """Forget the pair (the objects that used it are deleted before this node)."""
        ctx.intent.clear()
        ctx.save_intent({})
